"""Small helpers over libpq URLs and psycopg connections."""

from __future__ import annotations

from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo


class DatabaseUnreachable(RuntimeError):
    """A database URL does not lead to a server that answers."""


def with_database(url: str, dbname: str) -> str:
    """The same server and credentials, another database."""
    params = conninfo_to_dict(url)
    params["dbname"] = dbname
    return _to_url(params)


def _to_url(params: dict) -> str:
    user = quote(str(params.get("user", "")), safe="")
    password = params.get("password")
    auth = f"{user}:{quote(str(password), safe='')}@" if password else (f"{user}@" if user else "")
    host = str(params.get("host", ""))
    port = params.get("port")
    query = []
    if host.startswith("/"):
        query.append(f"host={quote(host, safe='/')}")
        netloc = auth
    else:
        netloc = auth + host + (f":{port}" if port else "")
    if host.startswith("/") and port:
        query.append(f"port={port}")
    for key, value in params.items():
        if key not in {"user", "password", "host", "port", "dbname"}:
            query.append(f"{key}={quote(str(value), safe='')}")
    tail = f"?{'&'.join(query)}" if query else ""
    return f"postgresql://{netloc}/{quote(str(params.get('dbname', '')), safe='')}{tail}"


def url_parts(url: str) -> dict[str, str]:
    """host, port, user, password, dbname of a URL (for dbt's profile and Dagster's)."""
    params = conninfo_to_dict(url)
    return {
        "host": str(params.get("host", "localhost")),
        "port": str(params.get("port", "5432")),
        "user": str(params.get("user", "postgres")),
        "password": str(params.get("password", "")),
        "dbname": str(params.get("dbname", "postgres")),
    }


def connect(url: str, *, autocommit: bool = False, timeout: int = 5) -> psycopg.Connection:
    """Open a connection, or raise DatabaseUnreachable with one line saying which URL."""
    try:
        return psycopg.connect(make_conninfo(url, connect_timeout=timeout), autocommit=autocommit)
    except psycopg.OperationalError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DatabaseUnreachable(f"cannot connect to {redact(url)}: {first}") from None


def redact(url: str) -> str:
    params = conninfo_to_dict(url)
    if params.get("password"):
        params["password"] = "***"
    return _to_url(params)


def ensure_database(url: str) -> None:
    """Create the URL's database if it is missing (connecting to `postgres` to do it)."""
    dbname = url_parts(url)["dbname"]
    with connect(with_database(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))


def drop_database(url: str) -> None:
    dbname = url_parts(url)["dbname"]
    with connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(dbname))
        )
