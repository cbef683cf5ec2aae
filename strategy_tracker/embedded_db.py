"""The embedded PostgreSQL server used when no DATABASE_URL is given.

pgserver ships a PostgreSQL 16 build on PyPI, so development, tests and a
single-machine deployment all run the same engine without a system install.
"""

import json
import os
import warnings
from pathlib import Path

DATABASE_NAME = "strategy_tracker"
BASE_DIR = Path(__file__).resolve().parent.parent


def configured_database() -> dict:
    """The server in PGSERVER_DATA (the checkout's .pgdata by default) and its database PGSERVER_DATABASE.

    The benchmarks name their own database here, so they never touch the developer's.
    """
    return embedded_database(
        Path(os.environ.get("PGSERVER_DATA", BASE_DIR / ".pgdata")), os.environ.get("PGSERVER_DATABASE", DATABASE_NAME)
    )


def embedded_database(data_dir: Path, name: str = DATABASE_NAME) -> dict:
    """Start (or join) the server in ``data_dir`` and return Django's settings for its database ``name``.

    The server is stopped when the last process that started it exits, so a
    ``make run`` interrupted with Ctrl-C leaves nothing running behind it.
    """
    import psycopg2
    from psycopg2 import sql

    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR (CI, root shells) platformdirs falls back to /tmp, which is fine.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver

    _forget_dead_processes(data_dir, pgserver.postgres_server.PostgresServer._lock)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    info = server.get_postmaster_info()
    address = {"user": "postgres", "host": str(info.socket_dir), "port": info.port}
    conn = psycopg2.connect(dbname="postgres", **address)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": address["user"],
        "HOST": address["host"],
        "PORT": str(address["port"]),
        # A worker keeps its connection between requests, as with DATABASE_URL: a new PostgreSQL backend per
        # request costs more than serving a cached page.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def _forget_dead_processes(data_dir: Path, lock) -> None:
    """Drop processes that died without their exit handlers from pgserver's list of users.

    pgserver stops the server when the last process on its list exits; a process that was killed
    stays on the list for ever, and the server would then never stop again.
    """
    import psutil

    users = data_dir / ".handle_pids.json"
    with lock:
        if not users.exists():
            return
        pids = json.loads(users.read_text())
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            users.write_text(json.dumps(alive))
