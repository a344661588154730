"""``autoposter worker`` as its own process: it dispatches due posts, sends them to the sandbox
to the end, and stops cleanly on SIGTERM or Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.engine import Harness, sandbox_publishes
from tests.posts.support import video_post

AUTOPOSTER = Path(sys.executable).parent / "autoposter"


def worker_env(harness: Harness) -> dict[str, str]:
    """The worker reads what the test's Context uses: same data directory (and so the same
    vault key), database, queue, sandbox and public URL."""
    settings = harness.ctx.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOSTER_")}
    env.update(
        AUTOPOSTER_DATA_DIR=str(settings.data_dir),
        DATABASE_URL=settings.database,
        QUEUE_URL=str(settings.queue_url),
        AUTOPOSTER_QUEUE_NAME=settings.queue_name,
        AUTOPOSTER_SANDBOX_URL=settings.sandbox_url,
        AUTOPOSTER_PUBLIC_URL=settings.public_url,
        AUTOPOSTER_REDIRECT_URI=settings.callback_uri,
    )
    return env


def start_worker(harness: Harness, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(AUTOPOSTER), "worker", *args],
        env=worker_env(harness),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_status(harness: Harness, post_id: int, status: str, seconds: float = 30) -> str:
    """The post's status once it is ``status``, or the last one seen within ``seconds``."""
    deadline = time.monotonic() + seconds
    while (current := harness.post(post_id).status) != status and time.monotonic() < deadline:
        time.sleep(0.05)
    return current


def stop(worker: subprocess.Popen[str], signum: int) -> str:
    worker.send_signal(signum)
    output, _ = worker.communicate(timeout=30)
    return output


def test_a_worker_process_publishes_due_posts_and_stops_cleanly_on_sigterm(
    harness: Harness, clip: Path
) -> None:
    worker = start_worker(harness, "--workers", "2")
    try:
        post = harness.compose(video_post(clip))
        status = wait_for_status(harness, post.id, "published")
    finally:
        output = stop(worker, signal.SIGTERM)
    assert status == "published", output
    assert len(sandbox_publishes(harness.sandbox)) == 1
    assert worker.returncode == 0, output
    assert "stopping the worker" in output
    assert "act." not in output.replace("act.***", "")  # no access token in its logs


def test_two_worker_processes_send_each_post_once(harness: Harness, clip: Path) -> None:
    workers = [start_worker(harness), start_worker(harness)]
    try:
        post_ids = [harness.compose(video_post(clip)).id for _ in range(3)]
        statuses = [wait_for_status(harness, post_id, "published") for post_id in post_ids]
    finally:
        outputs = [stop(worker, signal.SIGTERM) for worker in workers]
    assert statuses == ["published"] * 3, outputs
    assert all(worker.returncode == 0 for worker in workers), outputs
    assert len(sandbox_publishes(harness.sandbox)) == 3


def test_a_worker_process_deletes_its_machines_old_logs(harness: Harness) -> None:
    logs = harness.ctx.settings.logs_dir
    logs.mkdir(parents=True, exist_ok=True)
    old_log = logs / "worker.2020-01-01.log"
    old_log.write_text("long ago\n")
    worker = start_worker(harness)
    try:
        deadline = time.monotonic() + 30
        while old_log.exists() and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker exited early"
            time.sleep(0.05)
    finally:
        output = stop(worker, signal.SIGTERM)
    assert not old_log.exists(), output
