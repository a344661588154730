"""SQLite's writers queue on the database's writer lock: every write transaction gets its
turn, a transaction that ends either way gives the lock back, and readers never wait."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from autoposter.store import Database, upgrade
from autoposter.store.models import User


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        session.add(User(username="ana", password_hash="0", created_at=datetime.now(UTC)))
    yield database
    database.dispose()


def counter(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(User.password_hash)) or 0)


def increment(database: Database) -> None:
    """A read-modify-write: only correct if no other writer slips in between."""
    with database.session() as session:
        session.execute(update(User).values(last_login_at=datetime.now(UTC)))  # the lock
        value = int(session.scalar(select(User.password_hash)) or 0)
        session.execute(update(User).values(password_hash=str(value + 1)))


def test_many_threads_writing_at_once_each_get_their_turn(database: Database) -> None:
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(25):
                increment(database)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert counter(database) == 8 * 25


def test_a_transaction_that_fails_gives_the_writer_lock_back(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as session:
        session.execute(update(User).values(password_hash="41"))
        raise RuntimeError("the unit of work fails after writing")
    done = threading.Event()

    def other_thread() -> None:
        increment(database)
        done.set()

    threading.Thread(target=other_thread, daemon=True).start()
    assert done.wait(timeout=10), "the failed transaction kept the writer lock"
    assert counter(database) == 1  # the failed write was rolled back


def test_a_transaction_that_only_reads_does_not_hold_writers_up(database: Database) -> None:
    written = threading.Event()
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1  # still open

        def writer() -> None:
            increment(database)
            written.set()

        threading.Thread(target=writer, daemon=True).start()
        assert written.wait(timeout=10), "a reader held the writer lock"
    assert counter(database) == 1
