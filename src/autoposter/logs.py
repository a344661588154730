"""Logging for the long-running commands (``run``, ``worker``, ``serve``).

Each writes ``<logs dir>/<name>.log``, rotated at midnight UTC into ``<name>.log.YYYY-MM-DD``,
and to standard error. Every handler carries the TikTok client's :class:`RedactingFilter`, so
no token, secret or authorization code reaches a log line, whichever logger wrote it
(DESIGN "Data and secrets"). Rotated files older than ``log_retention_days`` are deleted by
the periodic :func:`expire_logs`.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timedelta
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path

from .config import Settings
from .tiktok import RedactingFilter, install_log_redaction

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
_MARK = "_autoposter_handler"


def setup_logging(settings: Settings, name: str, level: int = logging.INFO) -> Path:
    """Send log records to ``<logs dir>/<name>.log`` and stderr; returns the file's path.

    Calling it again (tests, ``run`` starting parts) replaces the handlers it added before.
    """
    directory = settings.logs_dir
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.log"
    # backupCount=0: the handler keeps every rotated file; expire_logs decides by age.
    file_handler = TimedRotatingFileHandler(
        path, when="midnight", utc=True, backupCount=0, encoding="utf-8"
    )
    console = logging.StreamHandler(sys.stderr)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
        old.close()
    for handler in (file_handler, console):
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RedactingFilter())
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO; upload URLs hold their token (redacted anyway).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    install_log_redaction()
    return path


def expire_logs(settings: Settings, now: datetime) -> list[Path]:
    """Delete rotated log files last written more than ``log_retention_days`` ago."""
    directory = settings.logs_dir
    if not directory.is_dir():
        return []
    cutoff = (now - timedelta(days=settings.log_retention_days)).timestamp()
    deleted = []
    for path in directory.glob("*.log.*"):  # rotated files only, never a live log
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            deleted.append(path)
    return deleted
