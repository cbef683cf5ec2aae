"""The backup and restore commands: a round trip through pg_dump and pg_restore loses nothing."""

from decimal import Decimal

import psycopg2
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.db import connections
from psycopg2 import sql

from budgets.cells import parse_cell
from budgets.changes import generation
from budgets.models import Allocation, BudgetLine
from budgets.services import seed_strategies
from editing.services import CellEdit, grant_editor, save_grid
from initiatives.models import Strategy
from tests.helpers import publish_draft

RESTORED = "restored"


def _server():
    settings = connections["default"].settings_dict
    return {
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }


def _admin(statement):
    conn = psycopg2.connect(dbname="postgres", **_server())
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


@pytest.fixture
def empty_database(transactional_db):
    """A second database on the same server, with nothing in it, known to Django as ``restored``.

    It is added once the test case is set up; the test reads it with psycopg2, not Django's connections,
    which the test case guards against databases it was not told of.
    """
    name = f"{connections['default'].settings_dict['NAME']}_restored"
    _admin(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connections.settings[RESTORED] = {**connections["default"].settings_dict, "NAME": name}
    yield name
    if hasattr(connections._connections, RESTORED):
        connections[RESTORED].close()
        delattr(connections._connections, RESTORED)
    del connections.settings[RESTORED]
    _admin(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def query(name: str, statement: str, parameters=()) -> list[tuple]:
    conn = psycopg2.connect(dbname=name, **_server())
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement, parameters)
            return cursor.fetchall()
    finally:
        conn.close()


def everything(name: str) -> dict[str, list]:
    """Every row of every table but the page cache, and where every sequence stands."""
    tables = query(
        name, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'strategy_tracker_cache'"
    )
    contents = {table: sorted(query(name, f'SELECT * FROM "{table}"'), key=repr) for (table,) in sorted(tables)}
    contents["sequences"] = sorted(query(name, "SELECT sequencename, last_value FROM pg_sequences"))
    return contents


def this_database() -> str:
    return connections["default"].settings_dict["NAME"]


def make_history():
    """A user in a group, a save with a reason and a frozen baseline: all of it must come back."""
    if not Strategy.objects.exists():
        seed_strategies()
    editor = get_user_model().objects.create_user("editor", "editor@example.org", "a-long-test-password")
    strategy = Strategy.objects.get(slug="2021")
    grant_editor(editor, [strategy])
    line = BudgetLine.objects.for_strategy(strategy).filter(initiatives__number="2").get()
    cell = Allocation.objects.get(line=line, year=2022)
    save_grid(strategy, editor, [CellEdit(line.pk, 2022, parse_cell("7,5"), cell.version)], "Forhandlet ned")


def test_it_restores_figures_history_and_users_identically_into_an_empty_database(tmp_path, empty_database, capsys):
    make_history()
    before = everything(this_database())

    call_command("backup", str(tmp_path / "strategy-tracker.dump"))
    call_command("restore", str(tmp_path / "strategy-tracker.dump"), database=RESTORED)

    assert everything(empty_database) == before
    assert before["editing_strategyeditor"] and before["budgets_allocationevent"] and before["auth_user_groups"]
    [(password,)] = query(empty_database, "SELECT password FROM auth_user WHERE username = 'editor'")
    assert check_password("a-long-test-password", password)
    cell = Allocation.objects.get(line__initiatives__number="2", line__strategy__slug="2021", year=2022)
    assert query(empty_database, "SELECT amount, version FROM budgets_allocation WHERE id = %s", [cell.pk]) == [
        (Decimal("7.5"), cell.version)
    ]
    backed_up, restored = capsys.readouterr().out.splitlines()
    assert backed_up.startswith("Backed up ") and "strategy-tracker.dump" in backed_up
    assert restored.startswith("Restored ") and backed_up.split(" rows")[0][10:] == restored.split(" rows")[0][9:]


@pytest.fixture
def backup(tmp_path, empty_database):
    """A backup of this database with some history in it, already restored once into the other database."""
    make_history()
    path = tmp_path / "whole.dump"
    call_command("backup", str(path))
    call_command("restore", str(path), database=RESTORED)
    return path


def test_it_leaves_the_database_as_it_was_when_a_restore_fails_half_way(tmp_path, backup, empty_database):
    query(empty_database, "UPDATE budgets_allocation SET amount = 1 WHERE year = 2022 AND kind = 'amount' RETURNING id")
    before = everything(empty_database)
    # The table of contents (the first 85 % of the file, with the triggers' functions) stays intact and the
    # table data at the end is damaged, so the restore drops and creates tables and then fails on the data.
    damaged = tmp_path / "damaged.dump"
    contents = bytearray(backup.read_bytes())
    start = len(contents) * 19 // 20
    contents[start : start + 500] = b"\x07" * 500
    damaged.write_bytes(contents)

    with pytest.raises(CommandError, match="pg_restore fejlede"):
        call_command("restore", str(damaged), database=RESTORED, replace=True)

    assert everything(empty_database) == before


def test_it_replaces_a_database_holding_work_only_when_asked(backup, empty_database):
    query(empty_database, "UPDATE initiatives_strategy SET title = 'Changed after the backup' RETURNING id")
    changed = everything(empty_database)

    with pytest.raises(CommandError, match="indeholder allerede strategier eller brugere"):
        call_command("restore", str(backup), database=RESTORED)
    assert everything(empty_database) == changed

    call_command("restore", str(backup), database=RESTORED, replace=True)
    assert everything(empty_database) == everything(this_database())


@pytest.mark.django_db
def test_it_refuses_a_file_that_is_not_a_backup_and_changes_nothing(tmp_path):
    not_a_backup = tmp_path / "budget.xlsx"
    not_a_backup.write_bytes(b"PK\x03\x04 this is a spreadsheet, not a dump")
    before = list(Allocation.objects.values_list("pk", "amount", "version").order_by("pk"))

    with pytest.raises(CommandError, match="er ikke en sikkerhedskopi lavet med kommandoen backup"):
        call_command("restore", str(not_a_backup), replace=True)
    with pytest.raises(CommandError, match="Filen .* findes ikke"):
        call_command("restore", str(tmp_path / "missing.dump"))

    assert list(Allocation.objects.values_list("pk", "amount", "version").order_by("pk")) == before


@pytest.mark.django_db
def test_it_refuses_to_back_up_into_a_folder_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="findes ikke"):
        call_command("backup", str(tmp_path / "no-such-folder" / "backup.dump"))
    assert not (tmp_path / "no-such-folder").exists()


def strategy_page(client) -> str:
    return client.get("/strategies/2021/").content.decode()


def test_a_running_app_serves_the_restored_figures_after_each_restore(tmp_path, transactional_db, settings, client):
    """A restore empties the shared cache; the version of the figures used to start again at 1 each time, so a
    worker served the pages it kept in memory under 1 from before the second restore."""
    settings.PAGE_CACHE = True
    seed_strategies()
    published, edited = tmp_path / "published.dump", tmp_path / "edited.dump"
    call_command("backup", str(published))
    strategy = Strategy.objects.get(slug="2021")
    editor = get_user_model().objects.create_user("editor", "editor@example.org", "a-long-test-password")
    grant_editor(editor, [strategy])
    line = BudgetLine.objects.for_strategy(strategy).filter(initiatives__number="2").get()
    cell = Allocation.objects.get(line=line, year=2022)
    save_grid(strategy, editor, [CellEdit(line.pk, 2022, parse_cell("777,7"), cell.version)], "Forhandlet op")
    publish_draft("2021")
    call_command("backup", str(edited))

    call_command("restore", str(edited), replace=True)
    after_first = generation()
    assert "777,7" in strategy_page(client)  # now also in this worker's memory

    call_command("restore", str(published), replace=True)

    assert generation() != after_first
    assert "777,7" not in strategy_page(client)
