"""Log files of the long-running commands: no secret in them, and old rotated files go."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autoposter.config import Settings
from autoposter.logs import expire_logs, setup_logging


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    yield Settings(data_dir=tmp_path, log_retention_days=7)
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_autoposter_handler", False)]:
        root.removeHandler(handler)
        handler.close()


def test_log_files_never_hold_a_token(settings: Settings) -> None:
    path = setup_logging(settings, "worker")
    token = "act.1234567890abcdef1234567890abcdefSecretPart!1234"
    logging.getLogger("autoposter.anything").warning("refreshing with %s failed", token)
    logging.getLogger("some.library").warning("PUT /upload/?upload_token=abc-123 failed")
    text = path.read_text(encoding="utf-8")
    assert "refreshing with act.*** failed" in text
    assert "upload_token=***" in text
    assert "SecretPart" not in text and "abc-123" not in text


def test_rotated_logs_older_than_the_retention_are_deleted(settings: Settings) -> None:
    setup_logging(settings, "worker")
    logs = settings.logs_dir
    now = datetime.now(UTC)
    old = logs / "worker.log.2026-01-01"
    recent = logs / "worker.log.2026-01-09"
    for path, age in ((old, timedelta(days=8)), (recent, timedelta(days=6))):
        path.write_text("rotated\n")
        stamp = (now - age).timestamp()
        os.utime(path, (stamp, stamp))
    live = logs / "worker.log"
    stamp = (now - timedelta(days=30)).timestamp()
    os.utime(live, (stamp, stamp))  # even an old live log is never deleted
    assert expire_logs(settings, now) == [old]
    assert recent.exists() and live.exists()
