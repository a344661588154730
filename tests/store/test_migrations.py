"""Migrations: an empty database, every earlier revision, and models that match them."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from autoposter.store import Database, SchemaOutOfDate, downgrade, migrate, open_database, upgrade
from autoposter.store.models import Base

TABLES = {"users", "tiktok_accounts", "oauth_states", "api_tokens", "audit_events"}


def revisions_oldest_first() -> list[str]:
    return [
        script.revision for script in reversed(list(migrate.script_directory().walk_revisions()))
    ]


def table_names(url: str) -> set[str]:
    database = Database(url)
    try:
        return set(inspect(database.engine).get_table_names())
    finally:
        database.dispose()


def test_it_upgrades_an_empty_database_to_the_head(database_url: str) -> None:
    upgrade(database_url)
    assert table_names(database_url) >= TABLES
    database = open_database(database_url)  # passes the schema check
    assert migrate.current_revisions(database.engine) == migrate.head_revisions()
    database.dispose()


@pytest.mark.parametrize("start", ["base", *revisions_oldest_first()])
def test_it_upgrades_a_database_at_every_earlier_revision(database_url: str, start: str) -> None:
    upgrade(database_url)
    downgrade(database_url, start)
    upgrade(database_url)
    database = open_database(database_url)
    assert migrate.current_revisions(database.engine) == migrate.head_revisions()
    database.dispose()


def test_every_revision_downgrades_and_upgrades_again(database_url: str) -> None:
    revisions = revisions_oldest_first()
    for revision in revisions:
        upgrade(database_url, revision)
    for revision in [*reversed(revisions[:-1]), "base"]:
        downgrade(database_url, revision)
    assert not TABLES & table_names(database_url)
    upgrade(database_url)
    assert table_names(database_url) >= TABLES


# SQLite cannot reflect expression indexes, so there they are compared on PostgreSQL only.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_models_match_the_migrations(database_url: str) -> None:
    # Fails when a model changed without a migration (what `alembic check` reports).
    upgrade(database_url)
    database = Database(database_url)
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    database.dispose()
    assert differences == []


def test_it_refuses_an_empty_database_and_names_the_fix(database_url: str) -> None:
    with pytest.raises(SchemaOutOfDate, match="run `autoposter db upgrade`"):
        open_database(database_url)


def test_it_refuses_an_out_of_date_schema_and_names_the_fix(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(database_url)
    # As if this code shipped a revision the database has not had yet.
    monkeypatch.setattr(migrate, "head_revisions", lambda: {"9999"})
    with pytest.raises(SchemaOutOfDate) as raised:
        open_database(database_url)
    assert "database schema is out of date" in str(raised.value)
    assert "run `autoposter db upgrade`" in str(raised.value)


def test_it_refuses_a_schema_newer_than_the_code(database_url: str) -> None:
    upgrade(database_url)
    database = Database(database_url)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    with pytest.raises(SchemaOutOfDate, match="newer than this Autoposter knows"):
        database.check_schema()
    database.dispose()
