"""Log files of the long-running commands: one file per UTC day that processes sharing a
directory all append to, no secret in them, and old days' files go."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autoposter.config import Settings
from autoposter.logs import (
    DailyFileHandler,
    expire_logs,
    expire_logs_in_background,
    log_file_path,
    setup_logging,
)

BEFORE_MIDNIGHT = datetime(2026, 3, 5, 23, 59, 58, tzinfo=UTC)


class MovableClock:
    """The time a handler sees; tests move it across midnight instead of sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    yield Settings(data_dir=tmp_path, log_retention_days=7)
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_autoposter_handler", False)]:
        root.removeHandler(handler)
        handler.close()


@pytest.fixture
def process_loggers(tmp_path: Path) -> Iterator[tuple[MovableClock, list[logging.Logger]]]:
    """Two loggers with a handler each on one directory, as two worker processes have; the
    handlers write bare messages."""
    clock = MovableClock(BEFORE_MIDNIGHT)
    loggers = []
    for number in (1, 2):
        logger = logging.getLogger(f"tests.logs.process{number}")
        logger.propagate = False
        logger.setLevel(logging.INFO)
        logger.addHandler(DailyFileHandler(tmp_path / "logs", "worker", clock))
        loggers.append(logger)
    yield clock, loggers
    for logger in loggers:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_log_files_never_hold_a_token(settings: Settings) -> None:
    path = setup_logging(settings, "worker")
    token = "act.1234567890abcdef1234567890abcdefSecretPart!1234"
    logging.getLogger("autoposter.anything").warning("refreshing with %s failed", token)
    logging.getLogger("some.library").warning("PUT /upload/?upload_token=abc-123 failed")
    text = path.read_text(encoding="utf-8")
    assert "refreshing with act.*** failed" in text
    assert "upload_token=***" in text
    assert "SecretPart" not in text and "abc-123" not in text


def test_a_process_writes_the_file_of_the_current_utc_day(settings: Settings) -> None:
    clock = MovableClock(datetime(2026, 3, 6, 0, 30, tzinfo=UTC))
    path = setup_logging(settings, "worker", clock=clock)
    logging.getLogger("autoposter.anything").warning("started")
    assert path == settings.logs_dir / "worker.2026-03-06.log"
    assert lines_of(path)[0].endswith("WARNING autoposter.anything [MainThread] started")


def test_two_processes_sharing_a_directory_both_keep_every_line(
    tmp_path: Path, process_loggers: tuple[MovableClock, list[logging.Logger]]
) -> None:
    _, loggers = process_loggers
    for line in range(200):
        for number, logger in enumerate(loggers, start=1):
            logger.info("process %d line %d", number, line)
    path = log_file_path(tmp_path / "logs", "worker", BEFORE_MIDNIGHT.date())
    assert sorted(lines_of(path)) == sorted(
        f"process {n} line {i}" for n in (1, 2) for i in range(200)
    )


def test_midnight_moves_every_process_to_the_next_days_file_without_losing_a_line(
    tmp_path: Path, process_loggers: tuple[MovableClock, list[logging.Logger]]
) -> None:
    clock, (first, second) = process_loggers
    first.info("first, before midnight")
    second.info("second, before midnight")
    clock.advance(timedelta(seconds=3))
    first.info("first, after midnight")
    second.info("second, after midnight")
    first.info("first, later")
    day_one = log_file_path(tmp_path / "logs", "worker", BEFORE_MIDNIGHT.date())
    day_two = log_file_path(tmp_path / "logs", "worker", clock.now.date())
    assert sorted(p.name for p in (tmp_path / "logs").iterdir()) == [day_one.name, day_two.name]
    assert lines_of(day_one) == [
        "first, before midnight",
        "second, before midnight",
    ]
    assert lines_of(day_two) == [
        "first, after midnight",
        "second, after midnight",
        "first, later",
    ]


def test_a_file_that_cannot_be_opened_never_breaks_the_code_that_logs(
    tmp_path: Path,
    process_loggers: tuple[MovableClock, list[logging.Logger]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock, (logger, _) = process_loggers
    shutil.rmtree(tmp_path / "logs")
    (tmp_path / "logs").write_text("a file where the directory was\n", encoding="utf-8")
    clock.advance(timedelta(days=1))
    logger.info("after midnight")  # returns: the failure is logging's to report
    assert "Logging error" in capsys.readouterr().err


WRITER = textwrap.dedent(
    """
    import logging, sys
    from autoposter.config import Settings
    from autoposter.logs import setup_logging

    directory, writer = sys.argv[1], sys.argv[2]
    setup_logging(Settings(data_dir=directory), "worker")
    logging.getLogger().handlers[-1].setLevel(logging.CRITICAL)  # keep stderr quiet
    padding = "x" * 300
    for line in range(2000):
        logging.getLogger("writer").info("writer %s line %d %s", writer, line, padding)
    """
)


def test_real_processes_appending_at_once_interleave_whole_lines(tmp_path: Path) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name]) for name in "AB"
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    paths = sorted((tmp_path / "logs").iterdir())  # one day's file (two across midnight)
    messages = [line.split("] ", 1)[1] for path in paths for line in lines_of(path)]
    padding = "x" * 300
    expected = [f"writer {w} line {i} {padding}" for w in "AB" for i in range(2000)]
    assert sorted(messages) == sorted(expected)


def test_a_process_idle_past_the_retention_writes_its_next_line_to_a_new_file(
    settings: Settings,
) -> None:
    clock = MovableClock(BEFORE_MIDNIGHT)
    first_day = setup_logging(settings, "worker", clock=clock)
    logging.getLogger("autoposter.anything").warning("before the pause")
    clock.advance(timedelta(days=30))
    assert expire_logs(settings, clock.now) == [first_day]
    logging.getLogger("autoposter.anything").warning("after the pause")
    today = log_file_path(settings.logs_dir, "worker", clock.now.date())
    assert lines_of(today)[0].endswith("after the pause")


def _touch(path: Path, written: datetime) -> None:
    path.write_text("a log line\n", encoding="utf-8")
    os.utime(path, (written.timestamp(), written.timestamp()))


def test_log_files_of_days_older_than_the_retention_are_deleted(settings: Settings) -> None:
    logs = settings.logs_dir
    logs.mkdir(parents=True)
    now = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # retention 7 days: up to 13 March noon
    long_ago = now - timedelta(days=30)
    old = [logs / "worker.2026-03-12.log", logs / "worker.log.2026-03-12"]
    kept = [
        logs / "worker.2026-03-13.log",  # written until 14 March
        logs / "worker.log.2026-03-13",  # rotated out by an earlier version
        logs / "serve.2026-03-20.log",  # today's, whatever its modification time
        logs / "notes.txt",  # not a log file
    ]
    for path in (*old, *kept):
        _touch(path, long_ago)
    undated_old, undated_recent = logs / "worker.log", logs / "serve.log"  # earlier versions'
    _touch(undated_old, long_ago)
    _touch(undated_recent, now - timedelta(days=1))
    assert expire_logs(settings, now) == sorted([*old, undated_old])
    assert all(path.exists() for path in (*kept, undated_recent))


def test_a_web_only_process_expires_its_logs_in_the_background_until_stopped(
    settings: Settings,
) -> None:
    clock = MovableClock(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
    logs = settings.logs_dir
    logs.mkdir(parents=True)
    first, second = logs / "serve.2026-03-01.log", logs / "serve.2026-03-02.log"
    first.write_text("a log line\n", encoding="utf-8")  # its name says which day it holds
    stop = threading.Event()

    thread = expire_logs_in_background(settings, stop, every=0.01, clock=clock)
    deadline = time.monotonic() + 10
    while first.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not first.exists()  # at once
    second.write_text("a log line\n", encoding="utf-8")  # the thread may delete it at once
    while second.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not second.exists()  # and again later

    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
