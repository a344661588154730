"""When no worker runs, the commands that queue posts say so on standard error: the post is
queued and goes out once a worker runs (locally from the workers' heartbeat; remotely from
the instance's ``/readyz``, tested in test_remote.py). ``autoposter run``'s worker checks in
and out like any other."""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from autoposter.posts.workers import register
from autoposter.store import Database
from autoposter.store.models import Worker
from tests.engine import free_port

from .support import Instance, clean_environment, json_of, start_cli, write_csv
from .test_run import wait_until_up

QUEUED = "Warning: no worker is running: post 1 is queued and will go out once a worker runs"
START = "start `autoposter worker` (or `autoposter run`)"


def post_now(instance: Instance, clip: Path, *options: str) -> str:
    result = instance.run("post", str(clip), "-a", "1", "--privacy", "everyone", *options)
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_a_post_left_to_workers_warns_when_none_runs(connected: Instance, clip: Path) -> None:
    stderr = post_now(connected, clip)

    assert QUEUED in stderr and START in stderr


def test_no_warning_while_a_worker_checks_in(connected: Instance, clip: Path) -> None:
    register(connected.ctx, threads=2)

    stderr = post_now(connected, clip)

    assert "no worker is running" not in stderr
    assert "a running worker sends it" in stderr  # what the command says anyway


def test_the_warning_goes_to_stderr_with_json_too(connected: Instance, clip: Path) -> None:
    result = connected.run("post", str(clip), "-a", "1", "--privacy", "everyone", "--json")

    assert json_of(result)["post"]["id"] == 1  # standard output stays JSON
    assert QUEUED in result.stderr


def test_waiting_locally_without_a_worker_says_this_command_sends_the_post(
    connected: Instance, clip: Path
) -> None:
    stderr = post_now(connected, clip, "--wait")

    assert "Note: no worker is running, so this command sends post 1 itself" in stderr
    assert "if you stop it first, the post waits for a worker" in stderr


def test_an_import_warns_once_for_every_post_it_queued(
    connected: Instance, clip: Path, tmp_path: Path
) -> None:
    shutil.copy(clip, tmp_path / "a.mp4")
    path = write_csv(
        tmp_path / "posts.csv",
        "file,account,caption,privacy,time",
        "a.mp4,sunny.studio,One,friends,2030-06-01 10:00",
        "a.mp4,sunny.studio,Two,friends,2030-06-02 10:00",
    )

    result = connected.run("import", str(path))

    assert result.returncode == 0, result.stderr
    assert result.stderr.count("no worker is running") == 1
    assert "2 posts are queued and will go out once a worker runs" in result.stderr


def test_run_checks_its_worker_in_and_out(tmp_path: Path) -> None:
    web, sandbox = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
    data = tmp_path / "data"
    env = clean_environment(
        AUTOPOSTER_DATA_DIR=str(data), AUTOPOSTER_PUBLIC_URL=web, AUTOPOSTER_SANDBOX_URL=sandbox
    )
    process = start_cli("run", env=env)
    try:
        wait_until_up(f"{web}/healthz", process)
        alive = wait_for_workers(f"{web}/readyz", 1)
    finally:
        process.send_signal(signal.SIGTERM)
        _, output = process.communicate(timeout=30)

    assert alive == 1, output
    assert process.returncode == 0, output
    database = Database(f"sqlite:///{data / 'autoposter.db'}")
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Worker)) == 0, output
    database.dispose()


def wait_for_workers(readyz: str, count: int, seconds: float = 20.0) -> int | None:
    """The workers ``/readyz`` counts, once they are ``count`` (or at the deadline)."""
    deadline = time.monotonic() + seconds
    while True:
        alive: int | None = httpx.get(readyz, timeout=5.0).json()["workers"]["alive"]
        if alive == count or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)
