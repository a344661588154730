"""Running the real ``autoposter`` console script against a sandbox, as a person would.

An :class:`Instance` is one installation: a data directory (SQLite database, key, media)
whose redirect URI and media links are on a free local port, a sandbox that knows them,
and the environment that points the command at both. The tests prepare users and accounts
through the services in-process (fast), and exercise the CLI through subprocesses.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from autoposter.accounts import Context
from autoposter.sandbox import RunningSandbox
from autoposter.store.models import User

AUTOPOSTER = Path(sys.executable).parent / "autoposter"
PASSWORD = "correct horse battery"


def clean_environment(**values: str) -> dict[str, str]:
    """This process's environment without any Autoposter setting, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOSTER_")}
    for name in ("DATABASE_URL", "QUEUE_URL", "COLUMNS", "LINES"):
        env.pop(name, None)
    env.update(values)
    return env


def run_cli(
    *args: str, env: dict[str, str], input: str | None = None, timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    """``autoposter ARGS…`` to its end; stdout and stderr captured as text."""
    return subprocess.run(
        [str(AUTOPOSTER), *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """``autoposter ARGS…`` in the background (the caller stops or waits for it)."""
    return subprocess.Popen(
        [str(AUTOPOSTER), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass
class Instance:
    sandbox: RunningSandbox
    ctx: Context
    user: User
    public_url: str
    data_dir: Path
    env: dict[str, str]

    def run(
        self, *args: str, input: str | None = None, timeout: float = 60.0, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """``autoposter ARGS…`` in this installation, ``env`` added to its environment."""
        return run_cli(*args, env={**self.env, **env}, input=input, timeout=timeout)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return start_cli(*args, env=self.env)

    @property
    def callback_url(self) -> str:
        return self.public_url + "/accounts/callback"


def json_of(result: subprocess.CompletedProcess[str], code: int = 0) -> Any:
    """The command's standard output as JSON, once it exited with ``code``."""
    assert result.returncode == code, result.stderr
    return json.loads(result.stdout)


def refused(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The error a failing command printed: exit ``code``, nothing on stdout, no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr


def read_until(process: subprocess.Popen[str], text: str, seconds: float = 30.0) -> str:
    """Read the command's stderr up to the first line holding ``text``; that line.

    A thread does the reading, so a command that stalls fails the test with what it said
    so far instead of blocking it."""
    assert process.stderr is not None
    stream = process.stderr
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []

    def read() -> None:
        while line := stream.readline():
            lines.put(line)
            if text in line:
                return
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if not line:
            raise AssertionError(f"the command ended without {text!r}: {''.join(seen)!r}")
        seen.append(line)
        if text in line:
            return line.strip()
    raise AssertionError(f"no {text!r} within {seconds:.0f} s: {''.join(seen)!r}")


def authorize_url_from(process: subprocess.Popen[str]) -> str:
    """The authorize URL the command printed for the person to open."""
    return read_until(process, "/v2/auth/authorize/?")


def consent(
    sandbox: RunningSandbox, authorize_url: str, *, creator: str = "public", cancel: bool = False
) -> str:
    """Answer the sandbox's consent form as the creator would; TikTok's redirect target."""
    params = dict(parse_qsl(urlsplit(authorize_url).query))
    form: dict[str, Any] = {
        **params,
        "creator": creator,
        "decision": "cancel" if cancel else "authorize",
        "grant": params["scope"].split(","),
    }
    response = httpx.post(f"{sandbox.url}/v2/auth/authorize/", data=form, follow_redirects=False)
    assert response.status_code == 302, response.text
    return str(response.headers["location"])


def finish(process: subprocess.Popen[str], seconds: float = 30.0) -> tuple[int, str, str]:
    """Wait for a background command; its exit code, stdout and the rest of its stderr."""
    out, err = process.communicate(timeout=seconds)
    return process.returncode, out, err


def write_csv(path: Path, header: str, *rows: str) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path
