"""``autoposter worker`` checks in as soon as it starts (its heartbeat, ``posts/workers.py``),
checks out when stopped cleanly, and, killed outright, simply goes stale. On SQLite + the
SQLite queue, and on PostgreSQL + Redis when they are configured."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from autoposter.posts.workers import STALE_AFTER, WorkerView, alive_workers
from tests.engine import Harness
from tests.test_jobs_worker import start_worker, stop


def checked_in(harness: Harness, worker: subprocess.Popen[str], seconds: float = 30) -> WorkerView:
    """The worker process's row, once it has checked in."""
    deadline = time.monotonic() + seconds
    while True:
        mine = [w for w in alive_workers(harness.ctx) if w.pid == worker.pid]
        if mine:
            (row,) = mine
            return row
        assert worker.poll() is None, "the worker exited before it checked in"
        assert time.monotonic() < deadline, "the worker never checked in"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_worker_process_checks_in_and_checks_out_when_stopped(
    harness: Harness, signum: int
) -> None:
    worker = start_worker(harness, "--workers", "3")
    try:
        row = checked_in(harness, worker)
    finally:
        output = stop(worker, signum)

    assert worker.returncode == 0, output
    assert row.threads == 3 and row.id.startswith(f"{row.hostname}:{worker.pid}:")
    assert f"worker {row.id} checked out" in output
    assert [w for w in alive_workers(harness.ctx) if w.pid == worker.pid] == []


def test_a_killed_worker_process_goes_stale(harness: Harness) -> None:
    worker = start_worker(harness)
    try:
        row = checked_in(harness, worker)
    finally:
        stop(worker, signal.SIGKILL)

    assert [w.id for w in alive_workers(harness.ctx)] == [row.id]  # still counts a while
    later = row.last_seen_at + STALE_AFTER + STALE_AFTER / 60
    assert alive_workers(harness.ctx, later) == []
