"""Fixtures for the whole-engine runs: ``make_run`` builds a fleet (see fleet.py) on the
``backend`` of tests/engine.py — SQLite + SqliteHuey always, PostgreSQL + Redis when CI
provides them — and tears it down, worker processes first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from autoposter.accounts import Context, create_user, users
from autoposter.posts import Timings
from autoposter.sandbox import RunningSandbox
from autoposter.store.models import User
from autoposter.web import RunningServer, create_app, start_in_thread
from tests.accounts.support import context_for
from tests.conftest import StartSandbox
from tests.engine import Backend, free_port
from tests.engine_faults.clock import ScaledClock
from tests.engine_faults.fleet import (
    WorkerProcess,
    WorkerSettings,
    connect_all,
    write_creators,
)
from tests.media import make_video


@dataclass
class Run:
    """One fleet: the sandbox, the test's Context (the web app's and the person's side),
    the connected accounts and the worker processes (not started yet)."""

    sandbox: RunningSandbox
    ctx: Context
    clock: ScaledClock
    user: User
    account_ids: list[int]
    workers: list[WorkerProcess]
    web: RunningServer | None

    def start_workers(self) -> None:
        for worker in self.workers:
            worker.start()

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()

    def worker_logs(self, lines: int = 30) -> str:
        """The last lines of each worker's output, for a failing assertion's message."""
        tails = []
        for worker in self.workers:
            text = worker.log_path.read_text(errors="replace") if worker.log_path.exists() else ""
            tails.append(
                f"--- worker {worker.number} ---\n" + "\n".join(text.splitlines()[-lines:])
            )
        return "\n".join(tails)


MakeRun = Callable[..., Run]


@pytest.fixture(scope="session")
def base_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The smallest video TikTok takes: 360×640, 24 fps, one second (about 3 kB)."""
    directory = tmp_path_factory.mktemp("fleet-media")
    return make_video(directory / "base.mp4", width=360, height=640, fps=24, seconds=1.0)


@pytest.fixture
def make_run(
    start_sandbox: StartSandbox,
    backend: Backend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[MakeRun]:
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    runs: list[Run] = []

    def make(
        *,
        creators: int,
        timings: Timings,
        reconcile_every: float,
        delivery_grace: float,
        worker_processes: int = 2,
        threads: int = 4,
        webhooks: bool = False,
        settings: dict[str, str] | None = None,
        **sandbox_options: Any,
    ) -> Run:
        public_url = f"http://127.0.0.1:{free_port()}"
        keys = write_creators(tmp_path / "creators.json", creators)
        if webhooks:
            sandbox_options["webhook_url"] = public_url + "/webhooks/tiktok"
            sandbox_options.setdefault("webhook_first_retry", 0.2)
        sandbox = start_sandbox(creators_file=tmp_path / "creators.json", **sandbox_options)
        clock = ScaledClock.following(sandbox)
        data_dir = tmp_path / "data"
        ctx = context_for(
            sandbox,  # the person's side retries fast and never sleeps for real
            backend.database_url,
            data_dir,
            clock,  # type: ignore[arg-type]
            public_url=public_url,
            queue_url=backend.queue_url,
            **(settings or {}),
        )
        port = int(public_url.rsplit(":", 1)[1])
        web = start_in_thread(create_app(ctx), port=port) if webhooks else None
        user = create_user(ctx, "fleet", "correct horse battery")
        account_ids = connect_all(ctx, sandbox, user, keys)
        worker_settings = WorkerSettings(
            backend=backend,
            data_dir=data_dir,
            sandbox_url=sandbox.url,
            redirect_uri=sandbox.world.config.redirect_uris[0],
            public_url=public_url,
            timings=timings,
            reconcile_every=reconcile_every,
            delivery_grace=delivery_grace,
            clock=clock if clock.scale != 1 else None,
            threads=threads,
            settings=dict(settings or {}),
        )
        workers = [
            WorkerProcess(worker_settings, n, tmp_path / "worker-logs")
            for n in range(worker_processes)
        ]
        run = Run(sandbox, ctx, clock, user, account_ids, workers, web)
        runs.append(run)
        return run

    yield make
    for run in runs:
        run.stop_workers()
        if run.web is not None:
            run.web.stop()
        run.ctx.close()
