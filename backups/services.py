"""Backing up and restoring the whole database with PostgreSQL's own pg_dump and pg_restore.

The dump holds every table: strategies, cells, the audit trail, users, groups and sessions. Only the page
cache is left out, since its pages would be stale in any other database. A restore runs in one transaction,
so a restore that fails leaves the database as it was.
"""

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _
from psycopg2 import sql

from budgets.changes import figures_changed

# Tables that say whether a database already holds someone's work.
CONTENT_TABLES = ("initiatives_strategy", "auth_user")
# Connection options that libpq also reads from the environment as PG<OPTION>.
LIBPQ_TLS_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl")
TLS_REQUIRED = ("require", "verify-ca", "verify-full")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why in the user's language."""


@dataclass(frozen=True)
class Summary:
    path: Path
    size: int
    tables: int
    rows: int


def backup(path, *, using: str = "default") -> Summary:
    """Write the database to ``path`` as a pg_dump archive; an existing file is replaced only when it is done."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": path.parent})
    # Written beside the target and renamed, so an interrupted backup never leaves half a file under its name.
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        _run(
            "pg_dump",
            using,
            ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
            + [f"--exclude-table-data={table}" for table in _cache_tables()],
        )
        os.replace(partial, path)
    finally:
        Path(partial).unlink(missing_ok=True)
    tables, rows = _contents(using)
    return Summary(path=path, size=path.stat().st_size, tables=tables, rows=rows)


def restore(path, *, using: str = "default", replace: bool = False) -> Summary:
    """Load a backup into the database, which must hold no strategies and no users unless ``replace`` is set."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("There is no file %(path)s.") % {"path": path})
    listing = _run("pg_restore", using, ["--list", str(path)], check=False)
    if listing.returncode != 0:
        raise BackupError(_("%(path)s is not a backup made by the backup command.") % {"path": path})
    if not replace and _holds_content(using):
        raise BackupError(
            _("The database already holds strategies or users. Restore into an empty database, or use --replace.")
        )
    _run(
        "pg_restore",
        using,
        ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        + ["--dbname", connections[using].settings_dict["NAME"], str(path)],
    )
    # Django's own connection may have cached what it knew of the tables that were dropped and made again.
    connections[using].close()
    if using == DEFAULT_DB_ALIAS:
        # The app may be running: every page it cached (workers keep some in memory) shows the figures replaced.
        figures_changed()
    tables, rows = _contents(using)
    return Summary(path=path, size=path.stat().st_size, tables=tables, rows=rows)


def _cache_tables() -> list[str]:
    return [cache["LOCATION"] for cache in settings.CACHES.values() if cache["BACKEND"].endswith("DatabaseCache")]


def _connect(using: str):
    """A connection of its own, so nothing Django's connection has cached survives tables dropped by a restore."""
    database = connections[using].settings_dict
    conn = psycopg2.connect(
        dbname=database["NAME"],
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        **database.get("OPTIONS", {}),
    )
    conn.autocommit = True
    return conn


def _holds_content(using: str) -> bool:
    conn = _connect(using)
    try:
        with conn.cursor() as cursor:
            for table in CONTENT_TABLES:
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
                if not cursor.fetchone()[0]:
                    continue
                cursor.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table)))
                if cursor.fetchone()[0]:
                    return True
        return False
    finally:
        conn.close()


def _contents(using: str) -> tuple[int, int]:
    """Tables in the database and the rows in them that a backup holds, counted exactly."""
    conn = _connect(using)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            tables = [row[0] for row in cursor.fetchall()]
            rows = 0
            for table in set(tables) - set(_cache_tables()):
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                rows += cursor.fetchone()[0]
        return len(tables), rows
    finally:
        conn.close()


def _run(program: str, using: str, arguments: list[str], *, check: bool = True):
    command = [str(_program(program, using)), *arguments]
    result = subprocess.run(command, env=_environment(using), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s") % {"program": program, "error": result.stderr.strip()[-2000:]}
        )
    return result


def _environment(using: str) -> dict:
    """libpq's variables, so the password never appears on a command line."""
    database = connections[using].settings_dict
    environment = {**os.environ, "PGDATABASE": database["NAME"]}
    for variable, key in (("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"), ("PGHOST", "HOST"), ("PGPORT", "PORT")):
        if database.get(key):
            environment[variable] = str(database[key])
    # A managed server's TLS settings (DATABASE_URL's ?sslmode=verify-full&sslrootcert=…) hold for pg_dump too.
    for option, value in database.get("OPTIONS", {}).items():
        if option in LIBPQ_TLS_OPTIONS and value:
            environment[f"PG{option.upper()}"] = str(value)
    return environment


def _program(name: str, using: str) -> Path:
    """The newest pg_dump or pg_restore at hand, which must be at least as new as the server.

    pgserver ships PostgreSQL 16's tools beside its server; a system install may be older (Debian 12 has 15,
    which refuses to dump a 16 server) or newer (for a DATABASE_URL pointing at a newer server). pgserver's are
    built without TLS, so a server that DATABASE_URL reaches over TLS (a managed one) needs the system's.
    """
    import pgserver._commands

    candidates = []
    if connections[using].settings_dict.get("OPTIONS", {}).get("sslmode") not in TLS_REQUIRED:
        candidates.append(pgserver._commands.POSTGRES_BIN_PATH / name)
    if found := shutil.which(name):
        candidates.append(Path(found))
    versions = {candidate: _major_version(candidate) for candidate in candidates if candidate.exists()}
    conn = _connect(using)
    try:
        server = conn.server_version // 10000
    finally:
        conn.close()
    usable = [candidate for candidate, major in versions.items() if major >= server]
    if not usable:
        raise BackupError(
            _("No %(program)s for PostgreSQL %(version)d or newer is installed.") % {"program": name, "version": server}
        )
    return max(usable, key=versions.get)


def _major_version(program: Path) -> int:
    output = subprocess.run([str(program), "--version"], capture_output=True, text=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0
