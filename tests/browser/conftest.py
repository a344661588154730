"""The browser tests' stack: Debian's Chromium driven by Playwright against a running
Autoposter (web app + worker) and its TikTok sandbox, as `autoposter run` starts them.

Each test module gets its own stack (so the journey's user is the installation's first),
with a fresh SQLite data directory, the real clock, and a worker made of huey consumer
threads plus the dispatcher: a confirmed post really goes through the queue. One browser
serves the whole session; tests open their own contexts. Screenshots go to the artifacts
directory (``AUTOPOSTER_TEST_ARTIFACTS``, else ``tests/browser/artifacts/``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from argon2 import PasswordHasher

from autoposter.accounts import Context, users
from autoposter.config import Settings
from autoposter.jobs import Dispatcher, Engine, Heartbeat, build_engine, make_consumer
from autoposter.posts import Timings
from autoposter.posts.pipeline import allow_running, request_stop
from autoposter.sandbox import RunningSandbox, SandboxConfig, start_in_thread
from autoposter.store import upgrade
from autoposter.web import RunningServer, create_app
from autoposter.web import start_in_thread as start_web
from tests.engine import free_port, sandbox_publishes
from tests.media import make_video

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS_ENV = "AUTOPOSTER_TEST_ARTIFACTS"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Every Playwright wait is bounded by this (milliseconds) unless a step says otherwise.
WAIT_MS = 10_000

# The pipeline's pacing shrunk for a sandbox that processes at once; same shapes as in prod.
BROWSER_TIMINGS = Timings(
    lease_seconds=30.0,
    renew_every=5.0,
    retry_base=0.2,
    retry_max=1.0,
    poll_first=0.05,
    poll_max=0.5,
    poll_hold=30.0,
    poll_later=0.5,
)

T = TypeVar("T")


# --- The stack ----------------------------------------------------------------------------


class Worker:
    """The worker `autoposter run` starts (``jobs.run_worker``), in this process's threads.

    huey's consumer installs signal handlers for its process when it starts; pytest keeps
    its own, so they are put back at once (the consumer is stopped explicitly instead).
    """

    def __init__(self, ctx: Context) -> None:
        self.engine: Engine = build_engine(ctx, timings=BROWSER_TIMINGS)
        self._consumer = make_consumer(self.engine, workers=2)
        self._dispatcher = Dispatcher(self.engine)
        self._heartbeat = Heartbeat(ctx, threads=2)  # so the dashboard shows no "no worker"

    def start(self) -> None:
        allow_running()
        self._heartbeat.start()
        self._dispatcher.start()
        kept = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            self._consumer.start()
        finally:
            for signum, handler in kept.items():
                signal.signal(signum, handler)

    def stop(self) -> None:
        request_stop()  # running posts hand themselves back, as on SIGTERM
        try:
            self._consumer.stop(graceful=True)
            self._dispatcher.stop()
            self._heartbeat.stop()
        finally:
            allow_running()  # other tests in this process run the pipeline themselves


@dataclass
class Stack:
    """A running Autoposter with its sandbox, as a person's browser sees it."""

    sandbox: RunningSandbox
    ctx: Context
    web: RunningServer
    worker: Worker

    @property
    def url(self) -> str:
        return self.web.url

    def publishes(self) -> list[dict[str, Any]]:
        """What the sandbox has been asked to publish (its inspection API)."""
        return sandbox_publishes(self.sandbox)


def _start_stack(folder: Path) -> Stack:
    public_url = f"http://127.0.0.1:{free_port()}"
    sandbox = start_in_thread(
        SandboxConfig(
            processing_delay=0.0,
            moderation_delay=0.0,
            redirect_uris=[f"{public_url}/accounts/callback"],
            verified_url_prefixes=[f"{public_url}/media/"],
            webhook_url=f"{public_url}/webhooks/tiktok",
            data_dir=folder / "sandbox",
        )
    )
    data = folder / "data"
    # Everything given here, so no AUTOPOSTER_* variable of the machine's leaks in.
    settings = Settings(
        data_dir=data,
        database_url=f"sqlite:///{data / 'autoposter.db'}",
        queue_url=f"sqlite:///{data / 'queue.db'}",
        queue_name="browser",
        public_url=public_url,
        redirect_uri=f"{public_url}/accounts/callback",
        sandbox_url=sandbox.url,
        tiktok_client_key=None,
        tiktok_client_secret=None,
        operator_name="Browser Test Operator",
        operator_email="operator@example.test",
    )
    upgrade(settings.database)
    ctx = Context.from_settings(settings)
    web = start_web(create_app(ctx), port=int(public_url.rsplit(":", 1)[1]))
    worker = Worker(ctx)
    worker.start()
    return Stack(sandbox, ctx, web, worker)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A fresh installation per test module, with a fast password hasher (as tests/engine.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        running = _start_stack(tmp_path_factory.mktemp("browser-stack"))
        try:
            yield running
        finally:
            running.worker.stop()
            running.web.stop()
            running.sandbox.stop()
            running.ctx.close()


# --- The browser --------------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium, skip these tests before any stack starts."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"the browser tests need Debian's Chromium at {CHROMIUM}")
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (Playwright downloads no browser here).

    Package-scoped: while Playwright's synchronous driver is alive it marks its own event loop
    as running in the main thread, which must not leak into the tests that follow."""
    if not CHROMIUM.exists():
        pytest.skip(f"the browser tests need Debian's Chromium at {CHROMIUM} (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            launched.close()


def new_context(browser: Browser, stack: Stack, **options: Any) -> BrowserContext:
    """A fresh browser profile pointed at the stack, laptop-sized, with bounded waits."""
    context = browser.new_context(
        base_url=stack.url,
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
        **options,
    )
    context.set_default_timeout(WAIT_MS)
    return context


# --- Artifacts ----------------------------------------------------------------------------


def artifacts_root() -> Path:
    return Path(os.environ.get(ARTIFACTS_ENV) or ARTIFACTS)


@dataclass
class Screenshots:
    """Numbered full-page screenshots of one test, in its own artifacts folder."""

    folder: Path
    taken: list[Path] = field(default_factory=list)

    def take(self, page: Page, name: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Screenshots:
    module = request.node.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    folder = artifacts_root() / module / request.node.name
    for old in folder.glob("*.png"):  # a previous run's, which this run replaces
        old.unlink()
    return Screenshots(folder)


def keep_failure_screenshot(request: pytest.FixtureRequest, page: Page, shots: Screenshots) -> None:
    """On a failed test, what the browser showed at that moment."""
    if request.node.stash.get(FAILED, False) and not page.is_closed():
        # A screenshot must never hide the test's own failure.
        with contextlib.suppress(Exception):
            shots.take(page, "FAILED")


# --- Media and waiting --------------------------------------------------------------------


@pytest.fixture(scope="session")
def media_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="browser-media-") as folder:
        yield Path(folder)


@pytest.fixture(scope="session")
def video_file(media_folder: Path) -> Path:
    """A 2-second 540×960 H.264 clip within every rule."""
    return make_video(media_folder / "sketch.mp4", seconds=2.0)


def eventually(look: Callable[[], T], done: Callable[[T], bool], *, seconds: float, what: str) -> T:
    """Look until ``done`` (bounded by ``seconds``): for work another thread does."""
    deadline = time.monotonic() + seconds
    while True:
        seen = look()
        if done(seen):
            return seen
        assert time.monotonic() < deadline, f"{what}: still {seen!r} after {seconds} s"
        time.sleep(0.1)
