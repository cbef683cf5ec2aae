import csv
import io

import pytest

from initiatives.models import Initiative

pytestmark = pytest.mark.django_db


def rows(client, query: str = "") -> list[dict]:
    response = client.get(f"/api/initiatives.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


class TestInitiativesCsv:
    def test_it_lists_every_published_initiative_with_its_lineage(self, client):
        everything = rows(client)
        trial_nation = Initiative.objects.get(chapter__strategy__slug="2030", number="2.2")
        before = trial_nation.predecessor_links.get().predecessor

        assert len(everything) == Initiative.objects.count()
        row = next(row for row in everything if row["initiative_id"] == str(trial_nation.pk))
        assert (row["strategy"], row["chapter_number"], row["number"]) == ("2030", "2", "2.2")
        assert row["predecessor_ids"] == str(before.pk)
        earlier = next(row for row in everything if row["initiative_id"] == str(before.pk))
        assert str(trial_nation.pk) in earlier["successor_ids"].split()

    def test_it_takes_the_lists_filters_by_public_keys(self, client):
        chapter_two = rows(client, "?strategy=2030&chapter=2")

        assert chapter_two
        assert {(row["strategy"], row["chapter_number"]) for row in chapter_two} == {("2030", "2")}
        assert len(rows(client, "?strategy=2018")) == 18

    def test_it_answers_an_unknown_strategy_with_400_and_a_message(self, client):
        response = client.get("/api/initiatives.csv?strategy=1999")

        assert response.status_code == 400
        assert "strategy" in response.json()


class TestVersionsCsv:
    def test_it_lists_each_strategys_public_versions_as_the_json_does(self, client):
        response = client.get("/api/versions.csv?strategy=2030")
        lines = list(csv.DictReader(io.StringIO(response.content.decode())))
        listed = client.get("/api/strategies/2030/versions/").json()

        assert response.status_code == 200
        assert [(row["strategy"], int(row["version"]), row["note"]) for row in lines] == [
            ("2030", version["version"], version["note"]) for version in listed
        ]
        assert {
            row["strategy"] for row in csv.DictReader(io.StringIO(client.get("/api/versions.csv").content.decode()))
        } == {
            "2018",
            "2021",
            "2030",
        }
