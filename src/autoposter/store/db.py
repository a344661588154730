"""Engines and sessions for ``DATABASE_URL``: SQLite (the default) or PostgreSQL, one code path.

SQLite runs in WAL mode (readers never block the writer) with foreign keys enforced (ON
DELETE CASCADE/SET NULL depend on it) and a busy timeout, so short write contention waits
instead of failing; its writers queue on a :class:`WriterLock`. PostgreSQL goes through
psycopg 3 (``postgresql+psycopg://``; plain ``postgresql://`` and ``postgres://`` URLs are
read as that).
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Engine, Executable, create_engine, event
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
# Connections kept open per process (and how many more may be opened under load). SQLite
# connections are cheap, and a worker runs dozens of threads: with SQLAlchemy's default
# of 5 (+10) they queued for a connection more than for the database itself.
SQLITE_POOL_SIZE = 32
SQLITE_POOL_OVERFLOW = 32


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
    connect_args: dict[str, Any] = {
        "check_same_thread": False,
        "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
    }
    if not database or database == ":memory:" or database.startswith("file:"):
        engine = create_engine(url, connect_args=connect_args)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    connect_args["factory"] = _QueuedWriterConnection
    engine = create_engine(
        url,
        connect_args=connect_args,
        pool_size=SQLITE_POOL_SIZE,
        max_overflow=SQLITE_POOL_OVERFLOW,
    )
    writer = WriterLock.for_database(Path(database))
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "connect", lambda dbapi, _record: setattr(dbapi, "writer", writer))
    event.listen(engine, "before_cursor_execute", _queue_writer)
    return engine


class WriterLock:
    """Writers to one SQLite file, one at a time, across threads and processes.

    SQLite has a single writer; others wait in its busy handler, which sleeps and polls
    (1, 2, 5 … 100 ms), so under load the lock often sits free while every waiter sleeps:
    a worker with dozens of threads spent far more time there than writing. Here writers
    queue instead on locks that hand over at once: a thread lock within the process, then
    ``flock`` on ``<database>.writer`` between processes (released by the kernel if the
    process dies). Taken before a transaction's first write, given back at its end.
    """

    _known: ClassVar[dict[Path, WriterLock]] = {}
    _known_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: Path) -> None:
        self._path = path
        self._threads = threading.RLock()
        self._depth = 0
        self._fd: int | None = None
        self._pid = 0

    @classmethod
    def for_database(cls, database: Path) -> WriterLock:
        path = database.resolve().with_name(database.name + ".writer")
        with cls._known_lock:
            return cls._known.setdefault(path, cls(path))

    def acquire(self) -> None:
        self._threads.acquire()
        if self._depth == 0:
            if self._fd is None or self._pid != os.getpid():  # a forked child opens its own
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()


_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class _QueuedWriterConnection(sqlite3.Connection):
    """A connection that gives its :class:`WriterLock` back when its transaction ends."""

    writer: WriterLock
    holds_writer = False

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give_back()

    def _give_back(self) -> None:
        if self.holds_writer:
            self.holds_writer = False
            self.writer.release()


def _queue_writer(
    conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    dbapi = conn.connection.dbapi_connection
    queued = isinstance(dbapi, _QueuedWriterConnection)
    if queued and not dbapi.holds_writer and _WRITE.match(statement):
        dbapi.writer.acquire()
        dbapi.holds_writer = True


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
