"""The heavy public downloads: built once per published version and served as files (dashboard.downloads)."""

import io
import threading
import time
from datetime import datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.cells import parse_cell
from budgets.models import Allocation, BudgetLine
from dashboard import downloads
from editing.services import CellEdit, grant_approver, save_grid
from initiatives.models import Initiative, Strategy
from publication.services import publish
from tests.helpers import change_cell, publish_draft
from tests.test_progress import late_rows
from tracking.models import Milestone

pytestmark = pytest.mark.django_db

FILES = ["/export.xlsx", "/strategies/2021/export.xlsx", "/compare/export.xlsx?by=chapter", "/api/allocations.csv"]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def amount_of_26(content: bytes, sheet="Budget"):
    sheet = openpyxl.load_workbook(io.BytesIO(content))[sheet]
    return next(row[4] for row in sheet.iter_rows(values_only=True) if row[1] == 26)


class TestBuiltOnce:
    @pytest.mark.parametrize("url", FILES)
    def test_it_serves_the_second_reader_the_same_file_without_reading_the_figures(self, client, url):
        first = client.get(url)
        with CaptureQueriesContext(connection) as queries:
            second = client.get(url)

        assert first.status_code == second.status_code == 200
        assert body(second) == body(first)
        assert second["Content-Disposition"] == first["Content-Disposition"]
        assert [query["sql"] for query in queries if "strategy_tracker_cache" not in query["sql"]] == []

    def test_it_builds_a_new_file_once_a_version_is_published(self, client):
        before = body(client.get("/strategies/2021/export.xlsx"))
        change_cell("2021", 2022, amount="17.0", initiatives__number="26")
        unpublished = body(client.get("/strategies/2021/export.xlsx"))
        publish_draft("2021")
        after = body(client.get("/strategies/2021/export.xlsx"))

        assert amount_of_26(before) == amount_of_26(unpublished) == 16.8
        assert amount_of_26(after) == 17.0

    def test_it_gives_staff_their_draft_and_never_keeps_it(self, client, make_editor):
        change_cell("2021", 2022, amount="17.0", initiatives__number="26")
        client.force_login(make_editor("redaktoer", "2021"))

        draft = body(client.get("/strategies/2021/export.xlsx"))
        as_public = body(client.get("/strategies/2021/export.xlsx?view=public"))

        assert amount_of_26(draft) == 17.0 and amount_of_26(as_public) == 16.8
        assert amount_of_26(body(Client().get("/strategies/2021/export.xlsx"))) == 16.8

    def test_it_builds_a_file_once_however_many_readers_ask_at_once(self, transactional_db, monkeypatch):
        from budgets.services import seed_strategies
        from dashboard import views

        seed_strategies()
        builds = []
        original = downloads._write

        def counted(response, target):
            builds.append(target)
            original(response, target)

        monkeypatch.setattr(downloads, "_write", counted)
        results = []

        def read():
            try:
                results.append(body(Client().get("/export.xlsx")))
            finally:
                connection.close()

        readers = [threading.Thread(target=read) for _ in range(5)]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(timeout=120)

        assert len(results) == 5 and len(set(results)) == 1
        assert len(builds) == 1
        assert views.all_export.__wrapped__  # the view behind the file is the real one


def figure_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if "strategy_tracker_cache" not in query["sql"]]


def wait_for(condition, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not built in time"
        time.sleep(0.2)


@pytest.fixture
def in_background(settings, transactional_db):
    """Builds in the background, as in production: their threads read committed rows, so the test commits its own."""
    from budgets.services import seed_strategies

    seed_strategies()
    settings.DOWNLOADS_WAIT = 0


class TestBuiltInTheBackground:
    def test_it_tells_a_reader_in_their_language_to_come_back_while_the_file_is_made(self, in_background):
        danish, english, api = (
            Client().get("/export.xlsx"),
            Client().get("/en/export.xlsx"),
            Client().get("/api/allocations.csv"),
        )

        assert danish.status_code == english.status_code == api.status_code == 503
        assert danish["Retry-After"] == english["Retry-After"] == api["Retry-After"] == "30"
        assert "Filen bliver lavet ud fra de nyeste tal" in danish.content.decode()
        assert "The file is being made from the newest figures" in english.content.decode()
        assert api.json() == {"detail": "Filen bliver lavet ud fra de nyeste tal. Prøv igen om et minut."}
        assert "ETag" not in api and "Last-Modified" not in api
        wait_for(lambda: Client().get("/export.xlsx").status_code == 200)
        served = body(Client().get("/export.xlsx"))
        assert amount_of_26(served, "Budget 2021") == 16.8

    def test_it_serves_the_first_reader_at_once_after_build_downloads(self, in_background):
        call_command("build_downloads", stdout=io.StringIO())

        with CaptureQueriesContext(connection) as queries:
            responses = [Client().get(address) for address in downloads.PREBUILT]

        assert [response.status_code for response in responses] == [200, 200, 200]
        assert figure_queries(queries) == []

    def test_it_builds_the_workbook_once_a_publication_commits(self, in_background, make_editor, settings):
        call_command("build_downloads", stdout=io.StringIO())
        editor, approver = make_editor("redaktoer", "2021"), make_editor("godkender", "2021")
        grant_approver(approver)
        strategy = Strategy.objects.get(slug="2021")
        line = BudgetLine.objects.get(strategy=strategy, initiatives__number="26")
        current = Allocation.objects.get(line=line, year=2022)
        save_grid(strategy, editor, [CellEdit(line.pk, 2022, parse_cell("17,0"), current.version)], "Finanslov")

        publish(strategy, approver, "Finanslov 2026")

        # Built with no reader asking: the files of the version before, and now those of the new one.
        built = Path(settings.DOWNLOADS_DIR)
        wait_for(lambda: len(list(built.glob("*.file"))) == 2 * len(downloads.PREBUILT))
        with CaptureQueriesContext(connection) as queries:
            served = Client().get("/export.xlsx")
        assert figure_queries(queries) == []
        assert amount_of_26(body(served), "Budget 2021") == 17.0

    def test_it_leaves_the_build_to_readers_and_the_timer_where_publishing_may_not_start_it(
        self, in_background, make_editor, settings
    ):
        settings.DOWNLOADS_BUILD_ON_PUBLISH = False
        approver = make_editor("godkender", "2021")
        grant_approver(approver)
        strategy = Strategy.objects.get(slug="2021")
        line = BudgetLine.objects.get(strategy=strategy, initiatives__number="26")
        current = Allocation.objects.get(line=line, year=2022)
        editor = make_editor("redaktoer", "2021")
        save_grid(strategy, editor, [CellEdit(line.pk, 2022, parse_cell("17,0"), current.version)], "Finanslov")

        publish(strategy, approver, "Finanslov 2026")

        assert "downloads" not in [thread.name for thread in threading.enumerate()]
        assert list(Path(settings.DOWNLOADS_DIR).glob("*.file")) == []

    def test_it_answers_a_wrong_question_as_it_would_have_at_once(self, in_background, settings):
        settings.DOWNLOADS_WAIT = 30

        response = Client().get("/compare/export.xlsx?year=abc")

        assert response.status_code == 400


class TestTheFiguresKeyApartFromTheDate:
    """What shows an initiative as late changes at midnight with no write; the figures and their files do not."""

    @pytest.fixture
    def evening(self):
        tomorrow = timezone.localdate() + timedelta(days=1)
        return timezone.make_aware(datetime.combine(tomorrow, dt_time(23, 50)))

    def test_it_serves_a_workbook_built_yesterday_today_without_building_it_again(self, client, evening):
        with time_machine.travel(evening):
            yesterday = body(client.get("/export.xlsx"))
        with time_machine.travel(evening + timedelta(minutes=20)):
            with CaptureQueriesContext(connection) as queries:
                today = body(client.get("/export.xlsx"))
            with CaptureQueriesContext(connection) as strategy_queries:
                client.get("/strategies/2030/export.xlsx")  # its Status sheet shows what is late: built anew

        assert today == yesterday and figure_queries(queries) == []
        assert figure_queries(strategy_queries) != []

    def test_it_shows_an_initiative_late_from_the_midnight_after_its_milestone(self, client, evening):
        trial_nation = Initiative.objects.get(chapter__strategy__slug="2030", number="2.2")
        Milestone.objects.create(initiative=trial_nation, title="Evaluering", planned=evening.date())
        publish_draft("2030")

        with time_machine.travel(evening):
            before = client.get("/strategies/2030/progress/").content.decode()
        with time_machine.travel(evening + timedelta(minutes=20)):
            after = client.get("/strategies/2030/progress/").content.decode()

        assert late_rows(before) == []
        assert [row[0] for row in late_rows(after)[1:]] == ["2.2"]

    def test_it_keeps_the_budgets_etag_over_midnight_and_moves_the_trackings(self, client, evening):
        with time_machine.travel(evening):
            budget, progress = client.get("/api/allocations/"), client.get("/api/progress/")
        with time_machine.travel(evening + timedelta(minutes=20)):
            budget_again = client.get("/api/allocations/", headers={"if-none-match": budget["ETag"]})
            progress_again = client.get("/api/progress/", headers={"if-none-match": progress["ETag"]})

        assert budget_again.status_code == 304
        assert progress_again.status_code == 200 and progress_again["ETag"] != progress["ETag"]
