import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.helpers import change_cell, publish_draft, table_rows

pytestmark = pytest.mark.django_db

PAGE = "/strategies/2021/"


def row_26(response):
    return next(row for row in table_rows(response.content.decode(), "budget-table") if row[0] == "26")


class TestPageCache:
    def test_it_serves_a_second_visit_from_the_cache_without_touching_the_budget_tables(self, client):
        client.get(PAGE)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        assert all("strategy_tracker_cache" in query["sql"] for query in queries)

    def test_it_shows_a_published_change_at_once_and_a_draft_change_never(self, client):
        assert row_26(client.get(PAGE))[3] == "16,8"
        change_cell("2021", 2022, amount="17.5", initiatives__number="26")
        assert row_26(client.get(PAGE))[3] == "16,8"
        publish_draft("2021")
        assert row_26(client.get(PAGE))[3] == "17,5"

    def test_it_shows_a_published_change_on_every_page_that_uses_it(self, client):
        client.get("/")
        change_cell("2021", 2022, amount="17.5", initiatives__number="26")
        publish_draft("2021")
        rows = table_rows(client.get("/").content.decode(), "yearly-funding")
        assert next(row for row in rows if row[0] == "2022")[2] == "101,1"

    def test_it_keeps_the_danish_and_english_pages_apart(self, client):
        client.get(PAGE)
        assert row_26(client.get("/en" + PAGE))[2] == "5.7"
        assert row_26(client.get(PAGE))[2] == "5,7"


def test_it_never_caches_a_page_showing_a_message_left_for_someone(client, make_editor):
    """A message left in the messages cookie (here: a save's, then logging out without seeing it) is shown to the
    one who has it, on a page that is neither taken from nor put into the cache others are served from."""
    from budgets.cells import format_cell
    from budgets.models import Allocation

    def save_and_log_out(amount):
        client.force_login(make_editor(f"redaktoer-{amount}", "2021"))
        cell = Allocation.objects.get(line__strategy__slug="2021", line__initiatives__number="26", year=2022)
        key = f"{cell.line_id}-2022"
        form = {f"c-{key}": amount, f"o-{key}": format_cell(cell), f"v-{key}": str(cell.version), "reason": "Aftale"}
        assert client.post("/strategies/2021/edit/", form).status_code == 302
        assert client.post("/accounts/logout/").status_code == 302

    save_and_log_out("17,5")
    shown, others = client.get("/").content.decode(), Client().get("/").content.decode()
    save_and_log_out("18,5")  # the overview is cached now (by the other visitor)
    shown_again = client.get("/").content.decode()

    assert "Gemt 1 celle." in shown and "Gemt 1 celle." in shown_again
    assert "Gemt 1 celle." not in others
    assert "Gemt 1" not in client.get("/").content.decode()  # shown once, then gone


class TestStreamedPages:
    @pytest.fixture(autouse=True)
    def streamed(self, monkeypatch):
        monkeypatch.setattr("dashboard.strategy_page.STREAMED_FROM_LINES", 0)

    def test_it_keeps_a_streamed_page_once_sent_and_serves_it_whole_without_touching_the_budget_tables(self, client):
        first = client.get(PAGE)
        body = b"".join(first.streaming_content)
        with CaptureQueriesContext(connection) as queries:
            again = client.get(PAGE)

        assert first.streaming and not again.streaming
        assert again.content == body
        assert again["Content-Type"] == first["Content-Type"] and again["Content-Language"] == "da"
        assert all("strategy_tracker_cache" in query["sql"] for query in queries)
