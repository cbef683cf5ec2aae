"""PostgreSQL stops in the middle of a grid save: the editor is told, nothing is half written, the app comes back.

The test runs a PostgreSQL of its own (the suite's database must stay up) and the app in gunicorn against it.
It holds up the save inside its transaction, with its locks taken and its first write under way, kills the server,
starts it again on the same data directory and checks the app serves again with the same worker processes.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pgserver
import psycopg2
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

from budgets.models import Allocation
from strategy_tracker.errors import is_database_unavailable
from tests.live_app import PASSWORD, AppServer, Visitor, app_environment, grid_form

SLUG = "2021"
GRID = f"/strategies/{SLUG}/edit/"
DANISH = "Databasen er ikke tilgængelig lige nu, så intet af det, du sendte, blev gemt."
ENGLISH = "The database is not available at the moment, so nothing you sent was saved."

SET_UP = f"""
from django.contrib.auth import get_user_model
from django.core.management import call_command

from budgets.services import seed_strategies
from editing.services import grant_editor
from initiatives.models import Strategy

call_command("migrate", verbosity=0)
call_command("createcachetable")
seed_strategies()
editor = get_user_model().objects.create_user("redaktoer", password="{PASSWORD}")
grant_editor(editor, [Strategy.objects.get(slug="{SLUG}")])
"""


class Postgres:
    """A PostgreSQL server in a directory of its own, which the test may stop and start again."""

    def __init__(self, data: Path):
        self.data = data
        self.server = pgserver.get_server(data, cleanup_mode="delete")

    @property
    def address(self) -> dict:
        info = self.server.get_postmaster_info()
        return {"user": "postgres", "host": str(info.socket_dir), "port": info.port}

    def url(self, database: str) -> str:
        address = self.address
        return f"postgres://postgres@{quote(address['host'], safe='')}:{address['port']}/{database}"

    def connect(self, database: str = "strategy_tracker"):
        return psycopg2.connect(dbname=database, **self.address)

    def stop_immediately(self) -> None:
        """As a crash would: every backend killed at once, no transaction allowed to finish."""
        pgserver.pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=self.data, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()


@pytest.fixture
def postgres():
    data = Path(tempfile.mkdtemp(prefix="outage-"))
    server = Postgres(data / "pgdata")
    try:
        with closing(server.connect("postgres")) as connection:
            connection.autocommit = True
            connection.cursor().execute("CREATE DATABASE strategy_tracker")
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SET_UP],
            cwd=settings.BASE_DIR,
            env=app_environment(server.url("strategy_tracker")),
            check=True,
            capture_output=True,
            timeout=300,
        )
        yield server
    finally:
        server.server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


def stored(connection) -> tuple[list, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT line_id, year, kind, amount, text, version FROM budgets_allocation ORDER BY 1, 2")
        cells = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM budgets_allocationevent")
        return cells, cursor.fetchone()[0]


def wait_for_lock_wait(connection, timeout: float = 30) -> str:
    """The query of the one backend waiting for a lock, once there is one."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            waiting = cursor.fetchall()
            if waiting:
                return waiting[0][0]
            time.sleep(0.02)
    raise AssertionError("the save never waited for the lock")


def test_it_answers_503_writes_nothing_and_serves_again_when_the_database_stops_mid_save(postgres, tmp_path):
    with AppServer(postgres.url("strategy_tracker"), tmp_path / "gunicorn.log", workers=1, threads=4) as app:
        workers = app.worker_pids()
        editor = Visitor(app.url)
        editor.log_in("redaktoer")
        page = editor.get(GRID)
        cells = list(page.cells())
        # The save writes cells in grid order: a filled cell first, then a blank one it must insert.
        first = next(cell for cell in cells if page.cells()[cell][0])
        blank = next(cell for cell in cells[cells.index(first) + 1 :] if not page.cells()[cell][0])

        observer = postgres.connect()
        observer.autocommit = True
        before = stored(observer)
        # Another session is inserting the same blank cell and has not committed: the save waits for it, either at
        # that cell or, if both are in one chapter and year, at the sums the database keeps for them.
        blocker = postgres.connect()
        blocker.cursor().execute(
            "INSERT INTO budgets_allocation (line_id, year, kind, amount, version, is_correction, text)"
            " VALUES (%s, %s, 'amount', 1.0, 1, false, '')",
            blank,
        )
        answers = []
        save = threading.Thread(
            target=lambda: answers.append(
                editor.post(GRID, grid_form(page, {first: "11,1", blank: "22,2"}, "Midt i en nedlukning"))
            )
        )
        save.start()
        try:
            waiting = wait_for_lock_wait(observer)
            assert waiting.split("; ")[-1].startswith(
                ('INSERT INTO "budgets_allocation"', 'UPDATE "budgets_allocation"')
            ), waiting
            postgres.stop_immediately()
        finally:
            save.join(timeout=60)
            for connection in (observer, blocker):
                try:
                    connection.close()
                except psycopg2.Error:
                    pass

        (answer,) = answers
        assert answer.status == 503, app.log_tail()
        assert DANISH in answer.alerts[0]
        assert answer.headers["Retry-After"] == "30"
        assert "no-cache" in answer.headers["Cache-Control"]

        # While it is down, every page says so, in the visitor's language, and /health/ agrees, cookie or none.
        for visitor in (editor, Visitor(app.url)):
            health = visitor.get("/health/")
            assert (health.status, json.loads(health.text)["status"]) == (503, "error")
        assert DANISH in editor.get(GRID).alerts[0]
        english = editor.get(f"/en{GRID}")
        assert (english.status, english.alerts[0].startswith(ENGLISH)) == (503, True)

        postgres.start()
        with closing(postgres.connect()) as observer:
            assert stored(observer) == before

        # Back without a restart of the app.
        assert editor.get("/health/").status == 200
        page = editor.get(GRID)
        assert page.status == 200
        answer = editor.post(GRID, grid_form(page, {first: "11,1", blank: "22,2"}, "Efter genstart"))
        assert answer.status == 302, answer.alerts
        assert "Gemt 2 celler." in editor.get(GRID).messages

        # A restart while the app is idle: its kept connection is dead, and the first request must not notice
        # (CONN_HEALTH_CHECKS).
        postgres.stop_immediately()
        postgres.start()
        assert editor.get(GRID).status == 200
        assert editor.get("/health/").status == 200
        assert app.worker_pids() == workers
        assert app.process.poll() is None
        editor.close()

    with closing(postgres.connect()) as observer:
        cells, events = stored(observer)
    assert events == before[1] + 2
    assert {(line, year): amount for line, year, _, amount, _, _ in cells}[blank] == Decimal("22.2")


@pytest.mark.django_db
def test_it_tells_a_database_that_is_away_from_a_failing_query(tmp_path):
    """Only a lost or refused connection is a 503; a timeout, a deadlock or a broken constraint stays a 500."""
    refused = connections.create_connection(DEFAULT_DB_ALIAS)
    refused.settings_dict = {**refused.settings_dict, "HOST": str(tmp_path)}
    lost = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with pytest.raises(DatabaseError) as nobody_there:
            refused.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [lost.cursor().connection.get_backend_pid()])
        with pytest.raises(DatabaseError) as cut_off:
            lost.cursor().execute("SELECT 1")
        with pytest.raises(DatabaseError) as timed_out, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 10")
            cursor.execute("SELECT pg_sleep(1)")
        with pytest.raises(DatabaseError) as duplicate, transaction.atomic():
            cell = Allocation.objects.first()
            Allocation.objects.create(line=cell.line, year=cell.year, amount=1)
    finally:
        refused.close()
        lost.close()

    assert is_database_unavailable(nobody_there.value)
    assert is_database_unavailable(cut_off.value)
    assert not is_database_unavailable(timed_out.value)
    assert not is_database_unavailable(duplicate.value)
    assert not is_database_unavailable(ValueError())
