"""Storage: SQLAlchemy models, sessions and Alembic migrations (SQLite or PostgreSQL)."""

from .db import Database, changed_rows, create_engine_for, normalise_url, open_database
from .migrate import SchemaOutOfDate, check_schema, downgrade, upgrade

__all__ = [
    "Database",
    "SchemaOutOfDate",
    "changed_rows",
    "check_schema",
    "create_engine_for",
    "downgrade",
    "normalise_url",
    "open_database",
    "upgrade",
]
