"""The heavy public downloads: built once per published version and served as files (dashboard.downloads)."""

import io
import threading

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dashboard import downloads
from tests.helpers import change_cell, publish_draft

pytestmark = pytest.mark.django_db

FILES = ["/export.xlsx", "/strategies/2021/export.xlsx", "/compare/export.xlsx?by=chapter", "/api/allocations.csv"]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def amount_of_26(content: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Budget"]
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
