"""/strategies/<slug>/publish/: the approver's review of the draft, and publishing it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from editing.services import grant_approver
from publication.models import Publication
from tests.helpers import change_cell, table_rows
from tests.test_publication import save

pytestmark = pytest.mark.django_db

URL = "/strategies/2021/publish/"


@pytest.fixture
def editor(make_editor):
    return make_editor("redaktoer", "2021")


@pytest.fixture
def approver(make_editor, client):
    user = make_editor("godkender")
    grant_approver(user)
    client.force_login(user)
    return user


def reviewed(client) -> str:
    return client.get(URL).context["review"].token


class TestPublishPage:
    def test_it_shows_each_changed_cell_with_who_changed_it_and_why(self, client, editor, approver):
        save(editor, "26", 2022, "17,0", reason="Finanslov 2026")

        response = client.get(URL)
        rows = table_rows(response.content.decode(), "review")

        assert response.status_code == 200
        assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
        (change,) = rows[1:]
        assert change[:6] == [
            "26",
            "Styrket internationalt myndighedssamarbejde til fremme af dansk eksport",
            "2022",
            "16,8",
            "17,0",
            "+0,2",
        ]
        assert change[6].startswith("redaktoer,") and change[6].endswith("Finanslov 2026")

    def test_it_shows_the_totals_per_year_against_the_frame(self, client, editor, approver):
        save(editor, "26", 2022, "17,0")

        rows = table_rows(client.get(URL).content.decode(), "totals")

        assert rows[2] == ["2022", "100,4", "100,6", "100,4", "-0,2"]

    def test_it_names_the_totals_that_no_longer_reconcile(self, client, editor, approver):
        save(editor, "26", 2022, "17,0")

        html = client.get(URL).content.decode()

        assert "Forskellen på -0.2 mio. kr. er ikke forklaret." in html

    def test_it_publishes_with_a_note_and_sends_the_approver_to_the_versions(self, client, editor, approver):
        save(editor, "26", 2022, "17,0")

        response = client.post(URL, {"note": "Test", "reviewed": reviewed(client)}, follow=True)

        assert response.redirect_chain == [("/strategies/2021/versions/", 302)]
        assert "Version 2 er offentliggjort." in response.content.decode()
        assert Publication.objects.get(strategy__slug="2021", number=2).note == "Test"

    def test_it_schedules_a_publication_in_danish_time(self, client, editor, approver):
        save(editor, "26", 2022, "17,0")
        day = (timezone.localdate() + timedelta(days=3)).isoformat()

        client.post(URL, {"note": "Finanslov", "date": day, "time": "10:00", "reviewed": reviewed(client)})

        publication = Publication.objects.get(strategy__slug="2021", number=2)
        assert timezone.localtime(publication.published_at).isoformat().startswith(f"{day}T10:00:00+01:00")

    @pytest.mark.parametrize(
        "form, message",
        [
            ({"note": ""}, "Skriv en offentlig note"),
            ({"note": "Test", "date": "2020-01-01", "time": "10:00"}, "Tidspunktet for offentliggørelsen er passeret"),
            ({"note": "Test", "date": "12-12-2026", "time": "10:00"}, "Skriv datoen som ÅÅÅÅ-MM-DD"),
        ],
    )
    def test_it_refuses_bad_input_with_a_message_and_publishes_nothing(self, client, editor, approver, form, message):
        save(editor, "26", 2022, "17,0")

        response = client.post(URL, {**form, "reviewed": reviewed(client)})

        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Publication.objects.filter(strategy__slug="2021", number=2).exists()

    def test_it_shows_the_review_again_when_the_draft_changed_meanwhile(self, client, editor, approver):
        save(editor, "26", 2022, "17,0")
        token = reviewed(client)
        save(editor, "27", 2022, "18,0", reason="Sent ændret")

        response = client.post(URL, {"note": "Test", "reviewed": token})

        assert response.status_code == 409
        html = response.content.decode()
        assert "Arbejdsversionen er ændret" in html and "Sent ændret" in html
        assert len(table_rows(html, "review")) == 3
        assert not Publication.objects.filter(strategy__slug="2021", number=2).exists()

    def test_it_refuses_an_approver_their_own_changes(self, client, approver):
        save(approver, "26", 2022, "17,0")

        page = client.get(URL)
        refused = client.post(URL, {"note": "Test", "reviewed": page.context["review"].token})

        assert "fire øjne" in page.content.decode() and 'name="note"' not in page.content.decode()
        assert refused.status_code == 403
        assert "Styrket internationalt myndighedssamarbejde" in refused.content.decode()
        assert not Publication.objects.filter(strategy__slug="2021", number=2).exists()

    def test_it_refuses_an_editor(self, client, editor):
        change_cell("2021", 2022, amount="17.0", initiatives__number="26")
        client.force_login(editor)

        assert client.get(URL).status_code == 403
        assert client.post(URL, {"note": "Test"}).status_code == 403
        assert not Publication.objects.filter(strategy__slug="2021", number=2).exists()
