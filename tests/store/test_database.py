"""How the store talks to its database: SQLite settings, URLs, times and transactions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from autoposter.store import Database, normalise_url, upgrade
from autoposter.store.models import User


@pytest.fixture
def database(database_url: str) -> Database:
    upgrade(database_url)
    return Database(database_url)


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}/nested/dir/app.db")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert (connection.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 5000
    database.dispose()


def test_postgresql_urls_use_the_psycopg_driver() -> None:
    assert normalise_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_an_unsupported_database_url_is_refused_with_the_supported_forms() -> None:
    with pytest.raises(ValueError, match="sqlite:///PATH or postgresql"):
        Database("mysql://u:p@h/db")


def test_times_come_back_in_utc_whatever_zone_they_went_in(database: Database) -> None:
    moment = datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with database.session() as session:
        session.add(User(username="ana", password_hash="x", created_at=moment))
    with database.session() as session:
        stored = session.scalars(select(User)).one().created_at
    assert stored == moment
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    database.dispose()


def test_a_naive_time_is_refused(database: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"), database.session() as session:
        session.add(User(username="ana", password_hash="x", created_at=datetime(2026, 5, 1)))
    database.dispose()


def test_a_failing_unit_of_work_is_rolled_back(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as session:
        session.add(User(username="ana", password_hash="x", created_at=datetime.now(UTC)))
        session.flush()
        raise RuntimeError("boom")
    with database.session() as session:
        assert session.scalars(select(User)).all() == []
    database.dispose()
