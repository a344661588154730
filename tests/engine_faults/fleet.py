"""A fleet for the whole-engine runs: many creators and accounts, many distinct posts, and
real worker processes (``python -m tests.engine_faults.worker``, the CLI's ``worker``).

The test process plays the web app and the person: it connects the accounts through the
sandbox's consent page, composes and confirms the posts, and receives TikTok's webhooks.
The worker processes do everything else, on the same database, queue and data directory.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from autoposter.accounts import Context
from autoposter.posts import Timings, create_and_confirm
from autoposter.posts.machine import FINAL
from autoposter.sandbox import RunningSandbox
from autoposter.store.models import Post, User
from tests.accounts.support import connect_account
from tests.engine import Backend
from tests.engine_faults.clock import ScaledClock
from tests.engine_faults.worker import CLOCK_ENV
from tests.posts.support import video_post

REPO = Path(__file__).resolve().parents[2]
WORKER_STOP_SECONDS = 20.0


# --- Creators, accounts and content ---------------------------------------------------------


def write_creators(path: Path, count: int, *, daily_post_cap: int = 100) -> list[str]:
    """A sandbox creators file of ``count`` public creators; returns their keys."""
    keys = [f"creator-{i:04d}" for i in range(count)]
    seeds = [
        {
            "key": key,
            "username": f"creator.{i:04d}",
            "display_name": f"Creator {i:04d}",
            "daily_post_cap": daily_post_cap,
            "existing_videos": 0,
        }
        for i, key in enumerate(keys)
    ]
    path.write_text(json.dumps(seeds), encoding="utf-8")
    return keys


def connect_all(
    ctx: Context, sandbox: RunningSandbox, user: User, keys: Iterable[str], threads: int = 4
) -> list[int]:
    """Connect every creator through the consent page, a few at a time; their account ids."""

    def connect(key: str) -> int:
        return connect_account(ctx, sandbox, user, creator=key).account.id

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(connect, keys))


def distinct_videos(base: Path, directory: Path, count: int) -> list[Path]:
    """``count`` copies of ``base``, each with a different trailing MP4 ``free`` box.

    The box is valid ISO BMFF that players and probes skip, so every copy is the same
    playable video with different bytes: the sandbox's content hash tells them apart, which
    is what makes a post published twice detectable.
    """
    directory.mkdir(parents=True, exist_ok=True)
    data = base.read_bytes()
    videos = []
    for i in range(count):
        payload = f"autoposter distinct content {i:08d}".encode()
        path = directory / f"video-{i:05d}.mp4"
        path.write_bytes(data + struct.pack(">I", 8 + len(payload)) + b"free" + payload)
        videos.append(path)
    return videos


def compose_all(
    ctx: Context,
    user: User,
    account_ids: list[int],
    videos: list[Path],
    due: Callable[[int], datetime | None] = lambda i: None,
) -> list[int]:
    """One confirmed direct post per video, round-robin over the accounts; ``due(i)`` is
    post i's publish time (None: now). Returns the post ids in order."""
    post_ids = []
    for i, video in enumerate(videos):
        request = video_post(video, title=f"fleet post {i}", publish_at=due(i))
        account_id = account_ids[i % len(account_ids)]
        post_ids.append(create_and_confirm(ctx, user, account_id, request).post.id)
    return post_ids


# --- Worker processes -------------------------------------------------------------------------


@dataclass
class WorkerSettings:
    """What every worker process of a run is told through its environment."""

    backend: Backend
    data_dir: Path
    sandbox_url: str
    redirect_uri: str
    public_url: str
    timings: Timings
    reconcile_every: float
    delivery_grace: float
    clock: ScaledClock | None = None
    threads: int = 4
    settings: dict[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOSTER_")}
        env = {
            **inherited,
            "DATABASE_URL": self.backend.database_url,
            "QUEUE_URL": self.backend.queue_url,
            # Its own queue: other workers on a shared Redis must not take this run's tasks.
            "AUTOPOSTER_QUEUE_NAME": self.backend.queue_name,
            "AUTOPOSTER_DATA_DIR": str(self.data_dir),
            "AUTOPOSTER_SANDBOX_URL": self.sandbox_url,
            "AUTOPOSTER_REDIRECT_URI": self.redirect_uri,
            "AUTOPOSTER_PUBLIC_URL": self.public_url,
            **engine_settings(self.timings, self.reconcile_every, self.delivery_grace),
            **{f"AUTOPOSTER_{name.upper()}": value for name, value in self.settings.items()},
        }
        if self.clock is not None:
            env[CLOCK_ENV] = str(self.clock)
        return env


def engine_settings(
    timings: Timings, reconcile_every: float, delivery_grace: float
) -> dict[str, str]:
    """The engine's timings as the ``AUTOPOSTER_ENGINE_*`` settings a worker reads."""
    values = {
        **asdict(timings),
        "reconcile_every": reconcile_every,
        "delivery_grace": delivery_grace,
    }
    names = {"renew_every": "lease_renew_every"}
    return {
        f"AUTOPOSTER_ENGINE_{names.get(name, name).upper()}": str(value)
        for name, value in values.items()
    }


class WorkerProcess:
    """One ``autoposter worker`` process; its output goes to ``<log dir>/worker-<n>.log``."""

    def __init__(self, settings: WorkerSettings, number: int, log_dir: Path) -> None:
        self.settings = settings
        self.number = number
        self.log_path = log_dir / f"worker-{number}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        command = [sys.executable, "-m", "tests.engine_faults.worker"]
        command += ["--workers", str(self.settings.threads)]
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=self.settings.environment(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as when the machine or the OOM killer takes it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._close_log()

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        """SIGTERM, the graceful stop; SIGKILL if it takes too long."""
        if self.process is None or self.process.poll() is not None:
            self._close_log()
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._close_log()

    @property
    def exited_by_itself(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


# --- Waiting and the end state ------------------------------------------------------------


def statuses(ctx: Context, post_ids: list[int]) -> dict[int, str]:
    with ctx.db.session() as session:
        rows = session.execute(select(Post.id, Post.status).where(Post.id.in_(post_ids)))
        return {post_id: status for post_id, status in rows}


def wait_until_final(
    ctx: Context,
    post_ids: list[int],
    seconds: float,
    workers: list[WorkerProcess],
    while_waiting: Callable[[], None] = lambda: None,
) -> dict[int, str]:
    """Poll until every post reached an end, or ``seconds`` passed; the last statuses."""
    deadline = time.monotonic() + seconds
    while True:
        found = statuses(ctx, post_ids)
        if all(status in FINAL for status in found.values()) or time.monotonic() > deadline:
            return found
        dead = [w.number for w in workers if w.exited_by_itself]
        assert not dead, f"worker process(es) {dead} exited on their own: see their logs"
        while_waiting()
        time.sleep(0.2)


def posts_of(ctx: Context, post_ids: list[int]) -> list[Post]:
    with ctx.db.session() as session:
        return list(session.scalars(select(Post).where(Post.id.in_(post_ids)).order_by(Post.id)))


def end_state_problems(posts: list[Post], publishes: list[dict[str, Any]]) -> list[str]:
    """Everything wrong with a run's end (empty: all well):

    - every post ended published, or failed with TikTok's (or our) reason and a message;
    - no content was published twice (the sandbox's own count, ``times_published``);
    - each published post's publish is complete at TikTok, and no other publish is.
    """
    problems = []
    by_id = {p["publish_id"]: p for p in publishes}
    for post in posts:
        if post.status == "failed":
            if not (post.fail_code and post.fail_reason and post.fail_message):
                problems.append(f"post {post.id} failed without a full reason")
        elif post.status != "published":
            problems.append(f"post {post.id} ended {post.status} (publish {post.publish_id})")
        elif by_id.get(post.publish_id or "", {}).get("status") != "PUBLISH_COMPLETE":
            problems.append(f"post {post.id} is published but TikTok has no such publish")
    for publish in publishes:
        if publish["times_published"] > 1:
            problems.append(
                f"content {publish['content_hash']} was published "
                f"{publish['times_published']} times (publish {publish['publish_id']})"
            )
    ours = {post.publish_id for post in posts if post.status == "published"}
    for publish in publishes:
        if publish["status"] == "PUBLISH_COMPLETE" and publish["publish_id"] not in ours:
            problems.append(f"publish {publish['publish_id']} completed for no published post")
    return problems


def summary(posts: list[Post], publishes: list[dict[str, Any]]) -> str:
    """One line for the test's output: how the run ended."""
    failed: dict[str, int] = {}
    for post in posts:
        if post.status == "failed":
            failed[post.fail_code or "?"] = failed.get(post.fail_code or "?", 0) + 1
    published = sum(post.status == "published" for post in posts)
    return (
        f"{published}/{len(posts)} published, failed {failed or 'none'}; "
        f"{len(publishes)} publishes at TikTok"
    )
