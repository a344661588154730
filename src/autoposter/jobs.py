"""The worker: huey tasks that take ids, and the periodic work around them.

``QUEUE_URL`` picks the queue with no other change (DESIGN): ``sqlite:///PATH`` →
``SqliteHuey`` (the default, in the data directory), ``redis://…`` → ``RedisHuey``,
``postgresql://…`` → ``PostgresHuey``. The queue only delivers "work on post N now"; the
database says what that work is, so a lost task costs nothing but time (the reconciler
re-enqueues it).

Each worker process runs, beside huey's consumer threads, a dispatcher thread that every
second (``AUTOPOSTER_ENGINE_DISPATCH_EVERY``) claims due posts — batch after batch, without
waiting, while a backlog remains — and every few seconds reconciles stalled ones: safe with
any number of workers, since both claim by compare-and-set. Periodic tasks (through huey's
scheduler, each under a lock so many workers do not run it at once): token refresh ahead of
expiry and retention clean-up. A heartbeat thread keeps the process's row in the
``workers`` table fresh, so the dashboard, ``/readyz`` and the CLI can tell whether any
worker runs (:mod:`autoposter.posts.workers`), and another deletes this machine's old logs.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from huey.exceptions import TaskLockedException

from .accounts import Context, refresh_due_accounts
from .logs import expire_logs_in_background
from .posts import Timings, clean_up, dispatch_due, reconcile, run_post
from .posts.pipeline import allow_running, request_stop
from .posts.tracker import Tracker
from .posts.workers import BEAT_EVERY, WorkerView, beat, deregister, register

log = logging.getLogger("autoposter.jobs")

QUEUE_NAME = "autoposter"
HEALTH_CHECK_EVERY = 10.0


def huey_for(queue_url: str, *, name: str = QUEUE_NAME, immediate: bool = False) -> Huey:
    """The huey instance ``queue_url`` names (see the module docstring)."""
    scheme = urlsplit(queue_url).scheme.lower()
    options: dict[str, Any] = {"results": False, "immediate": immediate}
    if scheme == "sqlite":
        path = queue_url.removeprefix("sqlite:///")
        if not path or path == queue_url:
            raise ValueError(f"QUEUE_URL {queue_url!r}: write a SQLite queue as sqlite:///PATH")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=path, **options)
    if scheme in ("redis", "rediss", "unix"):
        return RedisHuey(name, url=queue_url, **options)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        # huey talks to PostgreSQL through libpq, which knows no SQLAlchemy driver suffix.
        dsn = "postgresql://" + queue_url.split("://", 1)[1]
        return PostgresHuey(name, dsn=dsn, **options)
    raise ValueError(
        f"QUEUE_URL {queue_url!r} is not a queue Autoposter knows: use sqlite:///PATH, "
        "redis://HOST:PORT/DB or postgresql://USER:PASSWORD@HOST/NAME"
    )


@dataclass
class Engine:
    """One process's queue and tasks, bound to its Context."""

    ctx: Context
    huey: Huey
    timings: Timings
    # A worker process's runs wait for TikTok's status here, not in its threads (run_worker).
    tracker: Tracker | None = None
    publish_post: Callable[[int], Any] = field(init=False)

    def enqueue(self, post_id: int) -> None:
        """Ask a worker to run the post (in immediate mode: run it now, here)."""
        self.publish_post(post_id)

    def dispatch(self) -> list[int]:
        """Claim and enqueue every due post, a batch at a time while batches come back full."""
        limit = self.timings.dispatch_batch
        grace = timedelta(seconds=self.timings.delivery_grace)
        claimed: list[int] = []
        while True:
            batch = dispatch_due(self.ctx, self.enqueue, limit=limit, grace=grace)
            claimed += batch
            if len(batch) < limit:
                return claimed

    def reconcile(self) -> list[int]:
        grace = timedelta(seconds=self.timings.delivery_grace)
        return reconcile(self.ctx, self.enqueue, limit=self.timings.dispatch_batch, grace=grace)


def build_engine(
    ctx: Context, *, huey: Huey | None = None, timings: Timings | None = None
) -> Engine:
    """Register the tasks on ``huey`` (by default the one ``QUEUE_URL`` names); ``timings``
    default to the ``AUTOPOSTER_ENGINE_*`` settings."""
    settings = ctx.settings
    assert settings.queue_url is not None
    queue = huey or huey_for(settings.queue_url, name=settings.queue_name)
    engine = Engine(ctx, queue, timings or Timings.from_settings(settings))

    def publish_post(post_id: int) -> None:
        run_post(ctx, post_id, engine.timings, tracker=engine.tracker)

    def refresh_tokens() -> None:
        _locked(queue, "refresh_tokens", lambda: refresh_due_accounts(ctx))

    def retention() -> None:
        _locked(queue, "retention", lambda: clean_up(ctx))

    engine.publish_post = queue.task(name="publish_post")(publish_post)
    queue.periodic_task(crontab(minute="*"), name="refresh_tokens")(refresh_tokens)
    queue.periodic_task(crontab(minute="*/5"), name="retention")(retention)
    return engine


def _locked(queue: Huey, name: str, work: Callable[[], object]) -> None:
    """Run periodic work unless another worker is already running it."""
    try:
        with queue.lock_task(name):
            outcome = work()
    except TaskLockedException:
        log.debug("%s is already running in another worker", name)
        return
    log.info("%s: %s", name, outcome)


class Dispatcher:
    """The dispatcher/reconciler loop of one worker process (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dispatcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        timings = self._engine.timings
        next_reconcile = 0.0
        while True:  # the first round at once: posts may be waiting for this worker
            try:
                self._engine.dispatch()  # loops itself while a backlog remains
                if time.monotonic() >= next_reconcile:
                    self._engine.reconcile()
                    next_reconcile = time.monotonic() + timings.reconcile_every
            except Exception:  # the database or queue hiccuped: try again next round
                log.exception("dispatching failed; retrying in a second")
            if self._stop.wait(timings.dispatch_every):
                return


def make_consumer(engine: Engine, workers: int) -> Consumer:
    return engine.huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=True,
        # Idle workers poll the queue at most this far apart (seconds).
        initial_delay=0.1,
        max_delay=1.0,
        # On stop, running posts hand themselves back; an upload still going after this
        # long is abandoned mid-way and resumed by the next worker (the reconciler).
        shutdown_timeout=15.0,
    )


class Heartbeat:
    """This worker process's row in ``workers``, checked in on entry, beaten every
    ``every`` seconds, checked out on a clean exit (:mod:`autoposter.posts.workers`).

    The beats have a thread of their own: a dispatcher round may last while a backlog
    does, and a beat must not wait for it. A beat that fails (the database hiccuped) is
    logged and tried again next time; a worker killed outright simply goes stale.
    """

    def __init__(self, ctx: Context, threads: int, every: float = BEAT_EVERY) -> None:
        self._ctx, self._threads, self._every = ctx, threads, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self.worker: WorkerView | None = None

    def __enter__(self) -> Heartbeat:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.worker = register(self._ctx, self._threads)
        log.info("worker %s checked in", self.worker.id)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self.worker is None:
            return  # it never checked in
        self._thread.join(timeout=10)
        try:
            deregister(self._ctx, self.worker.id)
        except Exception:  # it goes stale instead: the stop itself must go on
            log.exception("worker %s could not check out", self.worker.id)
        else:
            log.info("worker %s checked out", self.worker.id)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            assert self.worker is not None
            try:
                self.worker = beat(self._ctx, self.worker)
            except Exception:
                log.exception("the heartbeat failed; trying again in %.0f s", self._every)


def stop_on_signals(stop: threading.Event) -> None:
    """SIGINT and SIGTERM set ``stop`` (huey alone treats SIGTERM as abrupt)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _signum, _frame: stop.set())


def run_until_signalled(consumer: Consumer, stop: threading.Event | None = None) -> None:
    """Run ``consumer`` until SIGINT or SIGTERM (or ``stop``), then stop it gracefully.

    Both signals mean "stop cleanly" here: running posts are told to hand themselves back,
    and the consumer waits for its workers.
    """
    stop = stop or threading.Event()
    consumer.start()
    stop_on_signals(stop)  # the consumer set its own handlers as it started: ours win
    health_check = time.monotonic() + HEALTH_CHECK_EVERY
    try:
        while not stop.wait(0.2):
            if time.monotonic() >= health_check:
                consumer.check_worker_health()  # restarts a worker thread that died
                health_check = time.monotonic() + HEALTH_CHECK_EVERY
    finally:
        log.info("stopping the worker")
        request_stop()
        consumer.stop(graceful=True)


# The worker's threads mostly wait on TikTok and the database, each wait releasing the GIL;
# getting it back takes up to the switch interval (5 ms by default) while another thread
# computes. A thread that holds SQLite's write lock waits that long after every statement,
# and every other writer with it: a shorter interval keeps write transactions short.
WORKER_SWITCH_INTERVAL = 0.0005


def run_worker(ctx: Context, workers: int = 2) -> None:
    """``autoposter worker`` (and ``autoposter run``'s worker): consumers plus the
    dispatcher, checked in by its heartbeat, until SIGINT/SIGTERM."""
    sys.setswitchinterval(WORKER_SWITCH_INTERVAL)
    stop = threading.Event()
    stop_on_signals(stop)  # from before it checks in: a signal while starting is clean too
    engine = build_engine(ctx)
    engine.tracker = Tracker(threads=workers)
    allow_running()
    # Logs are per machine, so each process expires its own: a periodic task would run on
    # whichever worker took it from the shared queue.
    expire_logs_in_background(ctx.settings, stop, clock=ctx.now)
    with Heartbeat(ctx, workers):
        engine.tracker.start()
        dispatcher = Dispatcher(engine)
        dispatcher.start()
        try:
            run_until_signalled(make_consumer(engine, workers), stop)
        finally:
            dispatcher.stop()
            engine.tracker.stop()  # runs waiting for TikTok's status hand their posts back
