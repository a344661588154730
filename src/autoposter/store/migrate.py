"""Alembic, run from code: ``autoposter db upgrade`` and the start-up schema check.

The migration environment lives in the package (``store/migrations``), so no alembic.ini is
needed. Later issues add revisions on top of ``0001``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from .db import create_engine_for

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
UPGRADE_COMMAND = "autoposter db upgrade"


class SchemaOutOfDate(RuntimeError):
    """The database's schema is not the one this code expects."""


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revisions() -> set[str]:
    return set(script_directory().get_heads())


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (creating it if it is empty)."""
    _run(url, lambda config: command.upgrade(config, revision))


def downgrade(url: str, revision: str) -> None:
    _run(url, lambda config: command.downgrade(config, revision))


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def check_schema(engine: Engine) -> None:
    """Refuse a database whose schema is not at this code's head, saying what fixes it."""
    current = current_revisions(engine)
    heads = head_revisions()
    if current == heads:
        return
    if not current:
        raise SchemaOutOfDate(
            f"the database has no Autoposter schema yet: run `{UPGRADE_COMMAND}` to create it"
        )
    known = {script.revision for script in script_directory().walk_revisions()}
    if not current <= known:
        raise SchemaOutOfDate(
            f"the database schema ({', '.join(sorted(current))}) is newer than this "
            "Autoposter knows: install the Autoposter version that migrated it"
        )
    raise SchemaOutOfDate(
        f"database schema is out of date (at {', '.join(sorted(current))}, this Autoposter "
        f"needs {', '.join(sorted(heads))}): run `{UPGRADE_COMMAND}`"
    )


def _run(url: str, action: Callable[[Config], None]) -> None:
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            action(alembic_config(connection))
    finally:
        engine.dispose()
