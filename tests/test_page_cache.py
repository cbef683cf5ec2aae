import pytest
from django.db import connection
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
