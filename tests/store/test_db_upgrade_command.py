"""`autoposter db upgrade` migrates the database that DATABASE_URL names."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from autoposter.cli import app
from autoposter.store import SchemaOutOfDate, open_database
from autoposter.store.migrate import head_revisions


def test_db_upgrade_migrates_the_database_url_it_is_given(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SchemaOutOfDate):
        open_database(database_url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    (head,) = head_revisions()
    assert f"is at revision {head}" in result.output
    assert "autoposter:autoposter@" not in result.output  # no password on screen
    open_database(database_url).dispose()
