"""A publishing engine for the tests: database + queue backend, sandbox, web app, a connected
account, and helpers to compose posts and drive the worker's tasks through the real queue.

Backends (the ``backend`` fixture): SQLite + SqliteHuey always; PostgreSQL + Redis when
``AUTOPOSTER_TEST_POSTGRES_URL`` and ``AUTOPOSTER_TEST_REDIS_URL`` are set (CI sets both).
Tasks go through the real queue: :meth:`Harness.work` dispatches, reconciles and then
dequeues and executes every task, as a consumer would, but in the test's thread.
"""

from __future__ import annotations

import itertools
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from autoposter.accounts import Context, create_user, users
from autoposter.jobs import Engine, build_engine, huey_for
from autoposter.posts import PostRequest, PostView, Timings, create_and_confirm, get_post
from autoposter.posts.machine import FINAL
from autoposter.posts.tracker import Tracker
from autoposter.sandbox import RunningSandbox
from autoposter.store import upgrade
from autoposter.store.models import Post, User
from autoposter.tiktok import TikTokClient
from autoposter.web import RunningServer, create_app, start_in_thread
from tests.accounts.support import TestClock, connect_account, context_for
from tests.databases import database_for
from tests.tiktok.support import client_for

REDIS_ENV = "AUTOPOSTER_TEST_REDIS_URL"

StartSandbox = Callable[..., RunningSandbox]

# Tiny waits: the same backoff shapes, nothing slept for long.
FAST = Timings(
    lease_seconds=30.0,
    renew_every=1.0,
    retry_base=0.001,
    retry_max=0.01,
    poll_first=0.01,
    poll_max=0.05,
    poll_hold=2.0,
    poll_later=0.0,
)


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    queue_url: str
    queue_name: str


def backend_for(kind: str, tmp_path: Path) -> Iterator[Backend]:
    if kind == "sqlite":
        for url in database_for("sqlite", tmp_path):
            upgrade(url)
            yield Backend(kind, url, f"sqlite:///{tmp_path / 'queue.db'}", "test")
        return
    redis_url = os.environ.get(REDIS_ENV)
    if not redis_url:
        pytest.skip(f"PostgreSQL + Redis tests need {REDIS_ENV} (CI sets it; see .ci/run)")
    for url in database_for("postgresql", tmp_path):
        upgrade(url)
        name = "test-" + uuid.uuid4().hex[:12]  # others may share this Redis: keep apart
        try:
            yield Backend("postgresql+redis", url, redis_url, name)
        finally:
            huey_for(redis_url, name=name).flush()


# Ports for servers whose address must be known before they start (a public URL). Asking the
# kernel for a free one (bind to 0, close) races between parallel test processes, which can be
# handed the same port; each xdist worker takes its own block below the kernel's ephemeral range
# (32768–60999) instead, so no other process (or outgoing connection) draws from it.
_PORT_BLOCK = 1000
_FIRST_PORT = 20000
_next_ports = itertools.count()


def free_port() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    first = _FIRST_PORT + (int(worker) if worker.isdigit() else 0) % 12 * _PORT_BLOCK
    for _ in range(_PORT_BLOCK):
        port = first + next(_next_ports) % _PORT_BLOCK
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use, or still closing: take the next
            return port
    raise RuntimeError(f"no free port in {first}–{first + _PORT_BLOCK - 1}")


@dataclass
class Harness:
    """Everything one engine test needs, on one backend (see the module docstring)."""

    sandbox: RunningSandbox
    ctx: Context
    engine: Engine
    web: RunningServer
    clock: TestClock
    user: User
    account_id: int
    tmp_path: Path
    accounts: dict[str, int] = field(default_factory=dict)

    def connect(self, creator: str) -> int:
        """Connect another of the sandbox's creators for the same user; returns its id."""
        if creator not in self.accounts:
            result = connect_account(self.ctx, self.sandbox, self.user, creator=creator)
            self.accounts[creator] = result.account.id
        return self.accounts[creator]

    def compose(self, request: PostRequest, account_id: int | None = None) -> PostView:
        """Compose and confirm (the API's one step)."""
        return create_and_confirm(self.ctx, self.user, account_id or self.account_id, request).post

    def post(self, post_id: int) -> PostView:
        return get_post(self.ctx, self.user, post_id)

    def work(self) -> int:
        """One round of a worker: dispatch, reconcile, run every queued task; returns how
        many tasks ran."""
        self.engine.dispatch()
        self.engine.reconcile()
        queue, ran = self.engine.huey, 0
        # Check the size first: an empty Redis queue makes dequeue() block for a second.
        while queue.pending_count() and (task := queue.dequeue()) is not None:
            queue.execute(task)
            ran += 1
        return ran

    def finish(self, post_id: int, seconds: float = 10.0) -> PostView:
        """Work until the post reaches an end (bounded in time, no fixed sleeps). A post
        waiting for a later time (TikTok's limits) gets there by moving the clocks."""
        deadline = time.monotonic() + seconds
        while True:
            self.work()
            post = self.post(post_id)
            if post.status in FINAL:
                return post
            assert time.monotonic() < deadline, f"post {post_id} stuck in {post.status}"
            waiting = post.next_attempt_at and post.next_attempt_at - self.clock()
            if waiting and waiting.total_seconds() > 0:
                self.advance(waiting.total_seconds() + 0.01)
            time.sleep(0.01)

    def advance(self, seconds: float) -> None:
        """Move our clock and TikTok's together, as real time would."""
        self.clock.advance(seconds)
        self.sandbox.world.clock.advance(seconds)

    def row(self, post_id: int) -> Post:
        with self.ctx.db.session() as session:
            post = session.scalar(select(Post).where(Post.id == post_id))
            assert post is not None
            return post

    def media_files(self) -> list[Path]:
        return sorted(p for p in self.ctx.settings.media_dir.rglob("*") if p.is_file())


MakeHarness = Callable[..., Harness]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from backend_for(request.param, tmp_path)


@pytest.fixture
def make_harness(
    start_sandbox: StartSandbox,
    backend: Backend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[MakeHarness]:
    """Build a harness: ``sandbox`` options go to the sandbox, ``settings`` to Autoposter.

    ``webhooks=True`` points the sandbox's webhooks at the harness's web app; ``client``
    replaces the TikTok client (see :func:`client_with_hooks`); ``timings`` the pipeline's.
    ``tracker=True`` gives the engine a worker process's :class:`Tracker` (runs wait for
    TikTok's status there, in the background); without one, :meth:`Harness.work` takes
    every post as far as it goes now, in the test's thread.
    """
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    made: list[Harness] = []

    def make(
        *,
        creator: str = "public",
        webhooks: bool = False,
        settings: dict[str, Any] | None = None,
        client: Any = None,
        timings: Timings = FAST,
        tracker: bool = False,
        **sandbox_options: Any,
    ) -> Harness:
        public_url = f"http://127.0.0.1:{free_port()}"
        sandbox_options.setdefault("verified_url_prefixes", [public_url + "/media/"])
        if webhooks:
            sandbox_options["webhook_url"] = public_url + "/webhooks/tiktok"
            sandbox_options.setdefault("webhook_first_retry", 0.05)
        sandbox = start_sandbox(**sandbox_options)
        clock = TestClock()
        values = {
            "public_url": public_url,
            "queue_url": backend.queue_url,
            "queue_name": backend.queue_name,
            **(settings or {}),
        }
        ctx = context_for(sandbox, backend.database_url, tmp_path / "data", clock, **values)
        if client is not None:
            ctx.tiktok.close()
            ctx.tiktok_client = client(sandbox, clock)
        huey = huey_for(backend.queue_url, name=backend.queue_name)
        engine = build_engine(ctx, huey=huey, timings=timings)
        if tracker:
            engine.tracker = Tracker()
            engine.tracker.start()
        port = int(public_url.rsplit(":", 1)[1])
        web = start_in_thread(create_app(ctx), port=port)
        user = create_user(ctx, f"ana{len(made)}", "correct horse battery")
        account_id = connect_account(ctx, sandbox, user, creator=creator).account.id
        harness = Harness(sandbox, ctx, engine, web, clock, user, account_id, tmp_path)
        harness.accounts[creator] = account_id
        made.append(harness)
        return harness

    yield make
    for harness in made:
        if harness.engine.tracker is not None:
            harness.engine.tracker.stop()
        harness.web.stop()
        harness.ctx.close()


@pytest.fixture
def harness(make_harness: MakeHarness) -> Harness:
    return make_harness()


def client_with_hooks(**hooks: list[Any]) -> Callable[[RunningSandbox, TestClock], TikTokClient]:
    """A ``client`` for :func:`make_harness` whose HTTP calls run httpx event ``hooks``: our
    side of the network, to lose answers or change the sandbox at an exact moment."""

    def make(sandbox: RunningSandbox, clock: TestClock) -> TikTokClient:
        template = client_for(sandbox, clock=clock)
        template.close()
        http = httpx.Client(timeout=10.0, follow_redirects=False, event_hooks=hooks)
        return TikTokClient(template.config, http=http)

    return make


def on_path(part: str, action: Callable[[Any], None]) -> Callable[[Any], None]:
    """An event hook running ``action`` for requests (or responses) whose path has ``part``."""

    def hook(message: httpx.Request | httpx.Response) -> None:
        request = message if isinstance(message, httpx.Request) else message.request
        if part in request.url.path:
            action(message)

    return hook


def sandbox_publishes(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    response = httpx.get(f"{sandbox.url}/sandbox/api/publishes")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["publishes"]
    return found
