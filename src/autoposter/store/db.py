"""Engines and sessions for ``DATABASE_URL``: SQLite (the default) or PostgreSQL, one code path.

SQLite runs in WAL mode (readers never block the writer) with foreign keys enforced (ON
DELETE CASCADE/SET NULL depend on it) and a busy timeout, so short write contention waits
instead of failing. PostgreSQL goes through psycopg 3 (``postgresql+psycopg://``; plain
``postgresql://`` and ``postgres://`` URLs are read as that).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Executable, create_engine, event
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000


def normalise_url(url: str) -> str:
    """The SQLAlchemy URL for ``url``: PostgreSQL URLs get the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_engine_for(url: str) -> Engine:
    """An engine for ``url`` with the settings this project relies on (module docstring)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.render_as_string(hide_password=False))
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise ValueError(
        f"unsupported database URL {parsed.render_as_string()!r}: use sqlite:///PATH or "
        "postgresql+psycopg://USER:PASSWORD@HOST/NAME"
    )


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # In WAL mode NORMAL is durable across application crashes (not power loss), and
        # much faster than FULL.
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


class Database:
    """One database: its engine and a session factory. Share one per process."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = normalise_url(url)
        self.engine = engine or create_engine_for(url)
        # Objects stay readable after commit: services hand them to adapters afterwards.
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def check_schema(self) -> None:
        """Raise :class:`~autoposter.store.migrate.SchemaOutOfDate` unless at the head."""
        from .migrate import check_schema

        check_schema(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def changed_rows(session: Session, statement: Executable) -> int:
    """Run an UPDATE/DELETE and return how many rows it changed (the compare-and-set test)."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount


def open_database(url: str, *, check_schema: bool = True) -> Database:
    """The database at ``url``, refusing (by default) one whose schema is not current."""
    database = Database(url)
    if check_schema:
        try:
            database.check_schema()
        except BaseException:
            database.dispose()
            raise
    return database
