"""Logging for the long-running commands (``run``, ``worker``, ``serve``) and the CLI.

Each process appends to ``<logs dir>/<name>.YYYY-MM-DD.log``, the file of the current UTC day,
and writes to standard error. At midnight UTC it moves on to the next day's file; no file is
ever renamed, so any number of processes can share a logs directory (two ``worker``s on one
machine): each opens the day's file in append mode and every record is written with one
``write``, which the kernel appends whole at the file's end. (The ``TimedRotatingFileHandler``
of earlier versions renamed ``<name>.log`` at midnight, under the other processes' feet.)

Every handler carries the TikTok client's :class:`RedactingFilter`, so no token, secret or
authorization code reaches a log line, whichever logger wrote it (DESIGN "Data and secrets").
The periodic :func:`expire_logs` deletes the files of days more than ``log_retention_days``
past, including those earlier versions left (``<name>.log.YYYY-MM-DD`` and ``<name>.log``).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from io import TextIOWrapper
from pathlib import Path

from .config import Settings
from .tiktok import RedactingFilter, install_log_redaction

log = logging.getLogger("autoposter.logs")

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
_MARK = "_autoposter_handler"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def log_file_path(directory: Path, name: str, day: date) -> Path:
    """The file a process named ``name`` writes during ``day`` (UTC)."""
    return directory / f"{name}.{day.isoformat()}.log"


class UtcFormatter(logging.Formatter):
    """Stamps records in UTC, the time zone the files are dated in."""

    converter = staticmethod(time.gmtime)
    default_msec_format = "%s.%03dZ"


class DailyFileHandler(logging.FileHandler):
    """Appends each record to the file of the day it is written on (UTC), never renaming one.

    ``clock`` tells the time (tests move it across midnight). The day is checked before every
    record, so a process that logged nothing for days never writes into an old day's file.
    """

    def __init__(self, directory: Path, name: str, clock: Clock = utc_now) -> None:
        self.directory = directory
        self.name_in_files = name
        self.clock = clock
        super().__init__(self._path_for_now(), mode="a", encoding="utf-8")

    @property
    def path(self) -> Path:
        """The file records go to now."""
        return Path(self.baseFilename)

    def emit(self, record: logging.LogRecord) -> None:
        # A file that cannot be opened is reported like any failed write, never raised into
        # the code that logged.
        try:
            self._follow_the_day()
            if self.stream is None:
                self.stream = self._open()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def _open(self) -> TextIOWrapper:
        # The directory too: FileHandler opens a day's file on that day's first record.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return super()._open()

    def _path_for_now(self) -> Path:
        today = self.clock().astimezone(UTC).date()
        return log_file_path(self.directory, self.name_in_files, today)

    def _follow_the_day(self) -> None:
        # Runs under the handler's lock (Handler.handle), as FileHandler.emit does.
        path = os.path.abspath(self._path_for_now())
        if path == self.baseFilename:
            return
        if self.stream is not None:
            stream, self.stream = self.stream, None
            stream.close()
        self.baseFilename = path  # emit opens it, in append mode


def setup_logging(
    settings: Settings, name: str, level: int = logging.INFO, clock: Clock = utc_now
) -> Path:
    """Send log records to today's ``<logs dir>/<name>.YYYY-MM-DD.log`` and to stderr.

    Returns the file written now (the next day's takes over at midnight UTC). Calling it
    again (tests, ``run`` starting parts) replaces the handlers it added before.
    """
    file_handler = DailyFileHandler(settings.logs_dir, name, clock)
    console = logging.StreamHandler(sys.stderr)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
        old.close()
    for handler in (file_handler, console):
        handler.setFormatter(UtcFormatter(FORMAT))
        handler.addFilter(RedactingFilter())
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO; upload URLs hold their token (redacted anyway).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    install_log_redaction()
    return file_handler.path


# The day a file holds, from its name: <name>.YYYY-MM-DD.log, or <name>.log.YYYY-MM-DD as
# the TimedRotatingFileHandler of earlier versions named the days it rotated out.
_DATED_NAMES = (
    re.compile(r".+\.(\d{4}-\d{2}-\d{2})\.log"),
    re.compile(r".+\.log\.(\d{4}-\d{2}-\d{2})"),
)
# The undated file earlier versions wrote to; nothing writes it any more.
_UNDATED_NAME = re.compile(r"[^.]+\.log")


def _last_written(path: Path) -> datetime | None:
    """When a log file was last written: the end of its day, or for the old undated file its
    modification time; None for a file that is not a log file."""
    for pattern in _DATED_NAMES:
        match = pattern.fullmatch(path.name)
        if match:
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                return None
            return datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
    if _UNDATED_NAME.fullmatch(path.name):
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return None


def expire_logs(settings: Settings, now: datetime) -> list[Path]:
    """Delete the log files last written more than ``log_retention_days`` ago.

    Today's file is never among them (the retention is at least a day), so no process loses
    the file it writes to; a process that still holds an older day's file open moves on to
    today's before its next record.
    """
    directory = settings.logs_dir
    if not directory.is_dir():
        return []
    cutoff = now - timedelta(days=settings.log_retention_days)
    deleted = []
    for path in sorted(directory.iterdir()):
        if not path.is_file():
            continue
        written = _last_written(path)
        if written is not None and written < cutoff:
            path.unlink(missing_ok=True)
            deleted.append(path)
    return deleted


def expire_logs_in_background(
    settings: Settings, stop: threading.Event, every: float = 3600.0, clock: Clock = utc_now
) -> threading.Thread:
    """Run :func:`expire_logs` now and then every ``every`` seconds until ``stop`` is set.

    Workers expire logs in a periodic task; a machine that runs only ``serve`` (its own logs
    directory, as the deployment guide advises) needs this to keep its promise too.
    """

    def expire_until_stopped() -> None:
        while True:
            try:
                for path in expire_logs(settings, clock()):
                    log.info("deleted the old log %s", path)
            except OSError:
                log.exception("expiring old logs failed")
            if stop.wait(every):
                return

    thread = threading.Thread(target=expire_until_stopped, name="log-expiry", daemon=True)
    thread.start()
    return thread
