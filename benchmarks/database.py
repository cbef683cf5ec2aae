"""The benchmark's own database: migrated once into a template, then copied fresh for each size of data."""

from contextlib import closing

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from psycopg2 import sql

TEMPLATE_SUFFIX = "_template"


def _server():
    """A connection to the maintenance database of the server the benchmark's database lives on."""
    database = settings.DATABASES["default"]
    options = {"dbname": "postgres", "user": database["USER"], "host": database["HOST"], "port": database["PORT"]}
    if database.get("PASSWORD"):
        options["password"] = database["PASSWORD"]
    connection = psycopg2.connect(**options)
    connection.autocommit = True
    return connection


def _recreate(name: str, template: str | None = None) -> None:
    connections.close_all()
    with closing(_server()) as connection, connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        cursor.execute(statement)


def prepare_template() -> None:
    """Migrate an empty database once; every size starts from a copy of it, which takes a second."""
    name = settings.DATABASES["default"]["NAME"]
    _recreate(name)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    connections.close_all()
    with closing(_server()) as connection, connection.cursor() as cursor:
        template = name + TEMPLATE_SUFFIX
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(template)))
        cursor.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(name), sql.Identifier(template)))


def fresh_database() -> None:
    """Drop the benchmark's database and make it again, migrated and empty."""
    name = settings.DATABASES["default"]["NAME"]
    _recreate(name, template=name + TEMPLATE_SUFFIX)


def set_aside(suffix: str) -> str:
    """Rename the benchmark's database, so that another size can be loaded beside it; returns its new name."""
    name = settings.DATABASES["default"]["NAME"]
    connections.close_all()
    with closing(_server()) as connection, connection.cursor() as cursor:
        aside = name + suffix
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(aside)))
        cursor.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(name), sql.Identifier(aside)))
    return aside


def use(name: str) -> None:
    """Point the default connection at database ``name`` of the same server and connect."""
    connections.close_all()
    connections["default"].settings_dict["NAME"] = name
    connections["default"].ensure_connection()


def drop_all() -> None:
    """Drop the benchmark's databases: its own, its template and any set aside."""
    name = settings.DATABASES["default"]["NAME"]
    connections.close_all()
    with closing(_server()) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s", [name, name + "\\_%"])
        for (database,) in cursor.fetchall():
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
