"""Small helpers over libpq URLs and psycopg connections.

A URL usually carries a password, and libpq's messages about a malformed one quote it (or
the part it choked on): every message built here goes through `redact`/`scrub`, and every
failure to parse or to connect is one DatabaseUnreachable line.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import quote, unquote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

MASK = "***"

# `scheme://user:password@` (or without the scheme, which someone may forget; `(?!//)`
# keeps `postgresql://u@h` from reading as user `postgresql`): the password runs to the
# LAST `@`, because a malformed URL may hold a raw `@` in it, and masking too much is
# better than leaking the rest.
_USERINFO = re.compile(
    r"^(?P<head>(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^:@/?#\s]*):(?!//)(?P<password>.*)@"
)
# The same inside a message, where a URL does not start the text (`://` required there).
_INLINE_USERINFO = re.compile(r"(?P<head>://[^:@/?#\s]*):(?P<password>[^@\s]*)@")
# `password=...` as a URL query parameter or a conninfo keyword (quoted or not).
_KEYWORD = re.compile(r"(?i)(?P<key>\bpassword\s*=\s*)(?P<password>'(?:[^'\\]|\\.)*'|[^\s&]*)")


class DatabaseUnreachable(RuntimeError):
    """A database URL does not lead to a server that answers (or cannot be parsed)."""


def _parse(url: str) -> dict:
    """conninfo_to_dict, with a parse error turned into one line without the password."""
    try:
        return conninfo_to_dict(url)
    except psycopg.Error as err:
        raise DatabaseUnreachable(f"cannot connect to {redact(url)}: {_reason(err, url)}") from None


def with_database(url: str, dbname: str) -> str:
    """The same server and credentials, another database."""
    params = _parse(url)
    params["dbname"] = dbname
    return _to_url(params)


def _to_url(params: dict) -> str:
    user = quote(str(params.get("user", "")), safe="")
    password = params.get("password")
    auth = f"{user}:{quote(str(password), safe='*')}@" if password else (f"{user}@" if user else "")
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
    params = _parse(url)
    return {
        "host": str(params.get("host", "localhost")),
        "port": str(params.get("port", "5432")),
        "user": str(params.get("user", "postgres")),
        "password": str(params.get("password", "")),
        "dbname": str(params.get("dbname", "postgres")),
    }


def sqlalchemy_url(url: str) -> str:
    """A libpq URL as SQLAlchemy takes it for psycopg2 (dagster-postgres and GX use it):
    SQLAlchemy 2.1 maps a plain postgresql:// to psycopg 3."""
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


def connect(url: str, *, autocommit: bool = False, timeout: int = 5) -> psycopg.Connection:
    """Open a connection, or raise DatabaseUnreachable with one line saying which URL.

    Any psycopg.Error counts, not only OperationalError: a malformed URL raises
    ProgrammingError (from make_conninfo or connect) whose text may quote the URL.
    """
    try:
        return psycopg.connect(make_conninfo(url, connect_timeout=timeout), autocommit=autocommit)
    except psycopg.Error as err:
        raise DatabaseUnreachable(f"cannot connect to {redact(url)}: {_reason(err, url)}") from None


def redact(url: str) -> str:
    """The URL with its password replaced by ***, whether libpq can parse it or not."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.Error:
        return _mask(url)
    if _ambiguous_password(url):
        # libpq splits `u:p@ss@host` at the first `@` and would show `ss@host` as the host.
        return _mask(url)
    if params.get("password"):
        params["password"] = MASK
    return _to_url(params)


def _mask(text: str) -> str:
    """Regex redaction for what libpq cannot parse: `user:password@` and `password=...`."""
    text = _USERINFO.sub(lambda m: f"{m['head']}:{MASK}@", text, count=1)
    return _KEYWORD.sub(lambda m: f"{m['key']}{MASK}", text)


def _ambiguous_password(url: str) -> bool:
    match = _USERINFO.match(url)
    return match is not None and "@" in match["password"]


def _secrets(url: str) -> list[str]:
    """Every string that may be the URL's password (parsed, or guessed by the regexes, raw
    and percent-decoded), longest first so that a longer one is masked whole."""
    found: set[str] = set()
    with contextlib.suppress(psycopg.Error):
        found.add(str(conninfo_to_dict(url).get("password") or ""))
    match = _USERINFO.match(url)
    if match:
        # With raw `@`s libpq takes only the first piece as the password and the others
        # as part of the host, which its messages then quote.
        found.add(match["password"])
        found |= set(match["password"].split("@"))
    for keyword in _KEYWORD.finditer(url):
        found.add(keyword["password"].strip("'"))
    found |= {unquote(secret) for secret in found}
    return sorted((secret for secret in found if secret), key=len, reverse=True)


def scrub(text: str, urls: list[str]) -> str:
    """The text with every possible password of these URLs masked, and any `user:pw@` or
    `password=` left in it: the last filter before a message reaches a terminal or a log."""
    for secret in sorted({s for url in urls for s in _secrets(url)}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _INLINE_USERINFO.sub(lambda m: f"{m['head']}:{MASK}@", text)
    return _mask(text)


def _reason(err: BaseException, url: str) -> str:
    """The first line of a psycopg error, with the URL (which libpq quotes when it cannot
    parse it) redacted and any password left in it masked."""
    message = str(err).strip()
    first = message.splitlines()[0] if message else type(err).__name__
    placeholder = "\x00url\x00"
    return scrub(first.replace(url, placeholder), [url]).replace(placeholder, redact(url))


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
