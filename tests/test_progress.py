"""/strategies/<slug>/progress/: initiatives by status per chapter, late first, and money by status, of the
version the public sees; an editor's status and milestones show there once published."""

from datetime import date, timedelta

import pytest
from django.test import Client

from initiatives.models import Initiative
from tests.helpers import change_cell, publish_draft, table_rows
from tests.test_edit_tracking import post
from tracking.models import Authority, Milestone, StatusUpdate

pytestmark = pytest.mark.django_db

TRIAL_NATION = {"chapter__strategy__slug": "2030", "number": "2.2"}


@pytest.fixture
def editor_client(make_editor):
    client = Client()
    client.force_login(make_editor("redaktoer", "2030"))
    return client


@pytest.fixture
def trial_nation():
    return Initiative.objects.get(**TRIAL_NATION)


def late_rows(html: str) -> list[list[str]]:
    return table_rows(html, "late")


def by_status(response) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in table_rows(response.content.decode(), "by-status")[1:]}


class TestAnEditorsStatusAfterPublication:
    def test_it_shows_trial_nation_late_with_its_milestone_named_once_published(self, editor_client, trial_nation):
        response = post(
            editor_client,
            trial_nation,
            status="started",
            as_of="2025-01-15",
            text="Trial Nation videreudvikles.",
            **{"milestones-0-title": "Ny aftale med regionerne", "milestones-0-planned": "2026-03-01"},
        )
        assert response.status_code == 302

        before = Client().get("/strategies/2030/progress/").content.decode()
        publish_draft("2030")
        after = Client().get("/strategies/2030/progress/").content.decode()

        assert "Trial Nation" not in " ".join(" ".join(row) for row in late_rows(before))
        [row] = [row for row in late_rows(after) if row[0] == "2.2"]
        assert row[2] == "milepæl “Ny aftale med regionerne” skulle være nået 1. marts 2026"

    def test_it_shows_the_draft_to_staff_and_the_published_version_to_the_public(self, editor_client, trial_nation):
        post(editor_client, trial_nation, status="done", as_of="2025-02-01", text="Gennemført.")

        staff = editor_client.get("/strategies/2030/progress/").content.decode()
        public = Client().get("/strategies/2030/progress/").content.decode()
        as_public = editor_client.get("/strategies/2030/progress/?view=public").content.decode()

        chapter = {row[0]: row for row in table_rows(staff, "progress-2")}
        assert chapter["2.2"][2] == "gennemført"
        assert {row[0]: row for row in table_rows(public, "progress-2")}["2.2"][2] == "ingen status endnu"
        assert {row[0]: row for row in table_rows(as_public, "progress-2")}["2.2"][2] == "ingen status endnu"


class TestStatusesShown:
    def test_it_says_no_status_yet_rather_than_guess_one(self):
        rows = table_rows(Client().get("/strategies/2030/progress/").content.decode(), "progress-1")

        assert rows[1][2] == "ingen status endnu"

    def test_it_shows_late_whatever_the_status_says_and_lists_late_initiatives_first(self, trial_nation):
        first = Initiative.objects.get(chapter__strategy__slug="2030", number="2.1")
        StatusUpdate.objects.create(initiative=trial_nation, status="done", as_of=date(2025, 1, 1), text="Færdig.")
        Milestone.objects.create(initiative=trial_nation, title="Evaluering", planned=date.today() - timedelta(days=1))
        Milestone.objects.create(initiative=first, title="Senere", planned=date.today() + timedelta(days=30))
        publish_draft("2030")

        rows = table_rows(Client().get("/strategies/2030/progress/").content.decode(), "progress-2")

        assert [row[0] for row in rows[1:3]] == ["2.2", "2.1"]
        assert rows[1][2].startswith("forsinket: milepæl “Evaluering” skulle være nået")

    def test_it_is_not_late_once_the_milestone_is_reached(self, trial_nation):
        Milestone.objects.create(
            initiative=trial_nation, title="Evaluering", planned=date(2025, 1, 1), reached=date(2025, 2, 1)
        )
        publish_draft("2030")

        assert late_rows(Client().get("/strategies/2030/progress/").content.decode()) == []

    def test_it_shows_the_english_labels_under_en(self, trial_nation):
        StatusUpdate.objects.create(initiative=trial_nation, status="started", as_of=date(2025, 1, 1), text="I gang.")
        publish_draft("2030")

        rows = table_rows(Client().get("/en/strategies/2030/progress/").content.decode(), "progress-2")

        assert {row[0]: row[2] for row in rows[1:]}["2.2"] == "under way"


class TestMoneyByStatus:
    def test_it_sums_the_published_money_of_each_status_and_leaves_unknown_unknown(self, trial_nation):
        StatusUpdate.objects.create(initiative=trial_nation, status="started", as_of=date(2025, 1, 1), text="I gang.")
        publish_draft("2030")

        change_cell("2030", 2024, amount="10.0", initiatives__number="2.2")  # the draft only

        rows = by_status(Client().get("/strategies/2030/progress/"))

        # Trial Nation's line as published: 4,7 a year in 2024-2027.
        assert rows["igangsat"] == ["1", "18,8"]
        assert rows["ikke igangsat"] == ["0", "–"]

    def test_it_says_unknown_for_a_strategy_whose_amounts_are_unknown(self):
        rows = by_status(Client().get("/strategies/2018/progress/"))

        assert rows["ingen status endnu"][1] == "ukendt"


class TestCsv:
    def test_it_downloads_the_rows_as_csv(self, trial_nation):
        Authority.objects.create(name="Sundhedsministeriet")
        response = Client().get("/strategies/2030/progress/?export=csv")

        assert response["Content-Type"].startswith("text/csv")
        assert '"2.2","Videreudvikle Trial Nation","ingen status endnu"' in response.content.decode()
