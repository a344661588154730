"""Databases for the storage and account tests: SQLite always, PostgreSQL when available.

Set ``AUTOPOSTER_TEST_POSTGRES_URL`` (CI does) to run every database test against
PostgreSQL too; each test then gets a fresh schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from autoposter.store import normalise_url

POSTGRES_ENV = "AUTOPOSTER_TEST_POSTGRES_URL"


def postgres_base_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose connections use ``schema`` first (psycopg passes ``options`` on)."""
    parsed = make_url(normalise_url(url))
    parsed = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


def schema_of(url: str) -> str:
    options = str(make_url(url).query.get("options", ""))
    return options.removeprefix("-csearch_path=")


def database_for(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'autoposter.db'}"
        return
    base = postgres_base_url()
    if base is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (CI sets it; see .ci/run)")
    schema = "test_" + uuid.uuid4().hex[:16]
    admin = create_engine(normalise_url(base))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(base, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def pg_dump(url: str) -> bytes:
    """A plain-text dump of the test's schema, as an operator's backup would hold it."""
    binary = shutil.which("pg_dump")
    assert binary, "pg_dump is missing: install Debian's postgresql-client (see .ci/run)"
    parsed = make_url(url)
    libpq = parsed.set(drivername="postgresql").difference_update_query(["options"])
    result = subprocess.run(
        [binary, "--no-owner", f"--schema={schema_of(url)}", libpq.render_as_string(False)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return result.stdout


def raw_sqlite_bytes(url: str) -> bytes:
    """The SQLite file and its WAL and shared-memory files, byte for byte."""
    path = Path(make_url(url).database or "")
    parts = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return b"".join(p.read_bytes() for p in parts if p.exists())
