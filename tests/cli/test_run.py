"""``autoposter run`` (what ``make run`` starts): the web app, a worker and the built-in
sandbox in one command, its address and first step on screen, all stopped by Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.engine import free_port

from .support import AUTOPOSTER, clean_environment


def wait_until_up(url: str, process: subprocess.Popen[str], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, "autoposter run exited early"
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer"
        time.sleep(0.05)


def start(command: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """``autoposter COMMAND`` in the background, its output (stdout and stderr) kept."""
    return subprocess.Popen(
        [str(AUTOPOSTER), command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen[str], signum: int) -> str:
    process.send_signal(signum)
    output, _ = process.communicate(timeout=30)
    return output


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_run_starts_everything_says_where_and_stops_cleanly(tmp_path: Path, signum: int) -> None:
    web, sandbox = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
    env = clean_environment(
        AUTOPOSTER_DATA_DIR=str(tmp_path / "data"),
        AUTOPOSTER_PUBLIC_URL=web,
        AUTOPOSTER_SANDBOX_URL=sandbox,
    )
    process = start("run", env)
    try:
        wait_until_up(f"{web}/healthz", process)
        prefixes = httpx.get(f"{sandbox}/sandbox/api/url-prefixes").json()["prefixes"]
        assert prefixes == [f"{web}/media/"]  # photo links are verified in the sandbox
    finally:
        output = stop(process, signum)
    assert process.returncode == 0, output
    assert f"Autoposter is running: open {web}" in output
    assert f"open {web}/signup and create the first login" in output  # what to do first
    assert "Autoposter stopped." in output
    assert (tmp_path / "data" / "autoposter.db").exists()  # upgraded on start
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{web}/healthz", timeout=1.0)


def test_serve_runs_the_web_app_alone_expires_its_old_logs_and_stops_cleanly_on_sigterm(
    tmp_path: Path,
) -> None:
    web = f"http://127.0.0.1:{free_port()}"
    logs = tmp_path / "logs"
    logs.mkdir()
    old_log = logs / "serve.2020-01-01.log"  # a web-only machine has no worker to expire it
    old_log.write_text("long ago\n")
    env = clean_environment(
        AUTOPOSTER_DATA_DIR=str(tmp_path / "data"),
        AUTOPOSTER_LOG_DIR=str(logs),
        AUTOPOSTER_PUBLIC_URL=web,
    )
    upgraded = subprocess.run([str(AUTOPOSTER), "db", "upgrade"], env=env, capture_output=True)
    assert upgraded.returncode == 0, upgraded.stderr
    process = start("serve", env)
    try:
        wait_until_up(f"{web}/healthz", process)
        assert not old_log.exists()
    finally:
        output = stop(process, signal.SIGTERM)
    assert process.returncode == 0, output
    assert "Autoposter stopped." in output
