"""A real PostgreSQL for tests: a throwaway database per test run, a fresh schema per test.

The server is the one .ci/run installs and starts (Debian's `postgresql`, run by the `postgres` user) with a
role `mlsim` allowed to create databases; MLSIM_TEST_POSTGRES overrides where it is (a URL to a database the
role can connect to). A test that needs it fails, it does not skip, when it cannot be reached.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from urllib.parse import quote

ADMIN_URL = os.environ.get("MLSIM_TEST_POSTGRES", "postgresql://mlsim:mlsim@127.0.0.1:5432/postgres")


def _with_database(url: str, database: str) -> str:
    base, _, query = url.partition("?")
    head = base.rsplit("/", 1)[0]
    return f"{head}/{database}" + (f"?{query}" if query else "")


def with_schema(url: str, schema: str) -> str:
    """The URL whose connections see only `schema` (libpq's `options`)."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def throwaway_database():
    """A database of its own for this run (dropped at the end, connections and all); yields its URL."""
    import psycopg

    name = f"mlsim_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as err:
        raise AssertionError(f"PostgreSQL at {ADMIN_URL} cannot be reached ({err}); .ci/run installs and starts it "
                             "(apt-get install postgresql; a role mlsim with CREATEDB), or set MLSIM_TEST_POSTGRES") from None
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield _with_database(ADMIN_URL, name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_schema(database_url: str) -> str:
    """A fresh, empty schema in the run's database; returns a URL that uses it."""
    import psycopg

    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return with_schema(database_url, schema)
