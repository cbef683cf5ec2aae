"""/strategies/<slug>/versions/, its open data (/api/strategies/<slug>/versions/, ?version=N) and the Atom feed."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from editing.services import grant_approver
from initiatives.models import Strategy
from publication import services
from publication.models import PublishedCell
from tests.helpers import table_rows
from tests.test_publication import save

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def first_version_cells() -> int:
    """The cells of 2021's table as the source prints it, all of them new in version 1."""
    return PublishedCell.objects.filter(strategy__slug="2021", valid_from=1).count()


@pytest.fixture
def two_versions(make_editor):
    """Version 2 of 2021 changes 26 (2022) to 17,0 and 27 (2022) to unknown."""
    editor, approver = make_editor("redaktoer", "2021"), make_editor("godkender")
    grant_approver(approver)
    save(editor, "26", 2022, "17,0")
    save(editor, "27", 2022, "ukendt")
    services.publish(Strategy.objects.get(slug="2021"), approver, "Finanslov 2026")
    return editor, approver


class TestVersionsPage:
    def test_it_lists_the_versions_with_their_dates_notes_and_changes(self, client, two_versions):
        rows = table_rows(client.get("/strategies/2021/versions/").content.decode(), "versions")

        assert rows[0] == ["Version", "Offentliggjort", "Note", "Ændrede celler"]
        assert rows[1][0] == "2" and rows[1][2:] == ["Finanslov 2026", "2"]
        assert rows[2] == ["1", "december 2020", "Som offentliggjort", str(first_version_cells())]

    def test_it_compares_two_versions_cell_by_cell_with_the_change(self, client, two_versions):
        rows = table_rows(client.get("/strategies/2021/versions/?from=1&to=2").content.decode(), "differences")

        assert [row[2:] for row in rows[1:]] == [["2022", "16,8", "17,0", "+0,2"], ["2022", "16,8", "ukendt", "ukendt"]]

    def test_it_compares_backwards_too(self, client, two_versions):
        rows = table_rows(client.get("/strategies/2021/versions/?from=2&to=1").content.decode(), "differences")

        assert rows[1][2:] == ["2022", "17,0", "16,8", "-0,2"]

    @pytest.mark.parametrize("prefix", ["", "/en"])
    def test_it_writes_the_unit_of_2021_without_a_price_basis_with_one_full_stop(self, client, two_versions, prefix):
        # The old as-published page printed "mio. kr.." where 2021 states no price basis; its address leads here now.
        response = client.get(f"{prefix}/strategies/2021/as-published/", follow=True)
        html = response.content.decode()

        assert response.redirect_chain[-1][0].endswith("/strategies/2021/versions/?from=1&to=2")
        assert "(mio. kr.)" in html
        assert "kr.." not in html

    @pytest.mark.parametrize("query", ["?from=1&to=9", "?from=x&to=2", "?to=99999999"])
    def test_it_refuses_a_version_that_is_not_there(self, client, two_versions, query):
        response = client.get("/strategies/2021/versions/" + query)

        assert response.status_code == 400
        assert "Vælg to offentliggjorte versioner" in response.content.decode()

    def test_it_keeps_a_scheduled_version_from_the_public(self, client, two_versions):
        editor, approver = two_versions
        save(editor, "26", 2022, "18,0")
        services.publish(Strategy.objects.get(slug="2021"), approver, "Hemmelig", at=timezone.now() + timedelta(days=1))

        html = client.get("/strategies/2021/versions/").content.decode()
        api = client.get("/api/strategies/2021/versions/").json()
        feed = client.get("/feeds/publications.atom").content.decode()

        assert "Hemmelig" not in html and "Hemmelig" not in str(api) and "Hemmelig" not in feed
        assert client.get("/api/allocations/?strategy=2021&version=3").status_code == 404
        client.force_login(approver)
        assert "Hemmelig" in client.get("/strategies/2021/versions/").content.decode()


class TestVersionsOpenData:
    def test_it_lists_the_versions_newest_first(self, client, two_versions):
        versions = client.get("/api/strategies/2021/versions/").json()

        assert [(version["version"], version["note"], version["changed_cells"]) for version in versions] == [
            (2, "Finanslov 2026", 2),
            (1, "Som offentliggjort", first_version_cells()),
        ]
        assert versions[1]["date_known_to"] == "month"

    def test_it_serves_an_earlier_version_of_the_cells_on_request(self, client, two_versions):
        def amount_of_26(query):
            rows = client.get(f"/api/allocations/?strategy=2021&year=2022{query}").json()["results"]
            return next(row["amount"] for row in rows if row["initiative_numbers"] == ["26"])

        assert amount_of_26("") == 17.0
        assert amount_of_26("&version=2") == 17.0
        assert amount_of_26("&version=1") == 16.8
        csv = client.get("/api/allocations.csv?strategy=2021&year=2022&version=1")
        assert ",16.8," in b"".join(csv.streaming_content).decode()

    @pytest.mark.parametrize(
        "query, status",
        [("version=1", 400), ("strategy=2021&version=one", 400), ("strategy=2021&version=7", 404)],
    )
    def test_it_refuses_a_version_it_cannot_serve(self, client, two_versions, query, status):
        assert client.get(f"/api/allocations/?{query}").status_code == status
        assert client.get(f"/api/allocations.csv?{query}").status_code == status

    def test_it_never_serves_the_draft_whoever_asks(self, client, two_versions):
        editor, _approver = two_versions
        save(editor, "26", 2022, "99,9")
        client.force_login(editor)

        for url in ["/api/allocations/?strategy=2021&year=2022", "/api/allocations.csv?strategy=2021&view=draft"]:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert "99.9" not in body.decode()


class TestPublicationsFeed:
    def test_it_gives_each_publication_as_an_atom_entry_newest_first(self, client, two_versions):
        response = client.get("/feeds/publications.atom")
        feed = ET.fromstring(response.content)
        entries = feed.findall(f"{ATOM}entry")

        assert response["Content-Type"].startswith("application/atom+xml")
        assert entries[0].find(f"{ATOM}title").text == "Strategi 2021: version 2"
        assert "Finanslov 2026" in entries[0].find(f"{ATOM}summary").text
        assert entries[0].find(f"{ATOM}link").get("href").endswith("/strategies/2021/versions/?to=2")
        assert len(entries) == 4  # version 1 of each strategy, and 2021's version 2
