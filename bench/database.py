"""The benchmark's own PostgreSQL databases: the seeded data set, and a scratch copy for the writes."""

from contextlib import contextmanager
from urllib.parse import quote

import psycopg
from django.db import connections
from psycopg import sql


def _server(settings_dict: dict):
    """Return a connection to the server's maintenance database, outside any transaction."""
    return psycopg.connect(
        dbname="postgres",
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        autocommit=True,
    )


def database_exists(settings_dict: dict, name: str) -> bool:
    with _server(settings_dict) as server:
        return server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(settings_dict: dict, name: str, *, template: str | None = None) -> None:
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with _server(settings_dict) as server:
        server.execute(statement)


def drop_database(settings_dict: dict, name: str) -> None:
    with _server(settings_dict) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def using_database(name: str):
    """Point Django's default connection at ``name`` for the duration of the block."""
    settings_dict = connections["default"].settings_dict
    original = settings_dict["NAME"]
    connections.close_all()
    settings_dict["NAME"] = name
    try:
        yield
    finally:
        connections.close_all()
        settings_dict["NAME"] = original


def database_url(settings_dict: dict, name: str) -> str:
    """Return the DATABASE_URL a subprocess needs to use ``name`` on the same server."""
    credentials = quote(settings_dict.get("USER") or "", safe="")
    if settings_dict.get("PASSWORD"):
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{'@' if credentials else ''}{host}{port}/{quote(name, safe='')}"
