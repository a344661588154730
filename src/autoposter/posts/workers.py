"""The worker heartbeat: which worker processes run, so nobody schedules posts that silently
never go out.

Every worker process (``autoposter worker``, and the worker inside ``autoposter run``)
registers a row in ``workers`` when it starts, moves its ``last_seen_at`` forward every
:data:`BEAT_EVERY` seconds, and deletes the row when it stops cleanly (SIGTERM, Ctrl-C). A
worker killed outright stops beating: :data:`STALE_AFTER` later it no longer counts as
alive, and the retention clean-up forgets its row after :data:`FORGET_AFTER`.

The dashboard's banner, ``/readyz``, ``/metrics`` and the CLI ask
:func:`count_alive_workers`: one count over an index of a table with a row per worker.
Beats carry the worker's clock and are read with the reader's; the window of four beats
leaves room for a slow database, a busy machine and clocks a few seconds apart (NTP).
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from ..accounts import Context
from ..store import changed_rows
from ..store.models import Worker

BEAT_EVERY = 15.0  # seconds between a worker's beats
STALE_AFTER = timedelta(seconds=60)  # four beats missed: the worker is gone
FORGET_AFTER = timedelta(days=1)  # a gone worker's row is kept this long, for operators
START_ONE = "start one with `autoposter worker` (or `autoposter run`)"
NO_WORKER = f"no worker has checked in for {STALE_AFTER.seconds} s — {START_ONE}"


@dataclass(frozen=True)
class WorkerView:
    """One worker process as its row describes it."""

    id: str
    hostname: str
    pid: int
    threads: int
    started_at: datetime
    last_seen_at: datetime

    @classmethod
    def of(cls, row: Worker) -> WorkerView:
        return cls(row.id, row.hostname, row.pid, row.threads, row.started_at, row.last_seen_at)


def register(ctx: Context, threads: int) -> WorkerView:
    """Check this process in as a worker with ``threads`` consumer threads."""
    now = ctx.now()
    hostname, pid = socket.gethostname()[:200], os.getpid()
    # A pid is reused after a restart, even at once in a container: the suffix keeps the
    # new process's row apart from the stale one of the old.
    worker_id = f"{hostname}:{pid}:{secrets.token_hex(4)}"
    worker = WorkerView(worker_id, hostname, pid, threads, now, now)
    with ctx.db.session() as session:
        session.add(Worker(**asdict(worker)))
    return worker


def beat(ctx: Context, worker: WorkerView) -> WorkerView:
    """Say the worker is still alive. Its row is checked in again if it was forgotten
    meanwhile (the worker could not reach the database for longer than FORGET_AFTER)."""
    fresh = replace(worker, last_seen_at=ctx.now())
    with ctx.db.session() as session:
        moved = changed_rows(
            session,
            update(Worker).where(Worker.id == worker.id).values(last_seen_at=fresh.last_seen_at),
        )
        if not moved:
            session.add(Worker(**asdict(fresh)))
    return fresh


def deregister(ctx: Context, worker_id: str) -> None:
    """The worker stopped cleanly: it no longer counts, at once."""
    with ctx.db.session() as session:
        session.execute(delete(Worker).where(Worker.id == worker_id))


def alive_workers(ctx: Context, now: datetime | None = None) -> list[WorkerView]:
    """The workers that beat within STALE_AFTER of ``now`` (default: the Context's clock),
    oldest first."""
    since = (now or ctx.now()) - STALE_AFTER
    with ctx.db.session() as session:
        rows = session.scalars(
            select(Worker).where(Worker.last_seen_at >= since).order_by(Worker.started_at)
        )
        return [WorkerView.of(row) for row in rows]


def count_alive_workers(ctx: Context, now: datetime | None = None) -> int:
    """How many workers beat within STALE_AFTER of ``now``: what the banners ask."""
    since = (now or ctx.now()) - STALE_AFTER
    with ctx.db.session() as session:
        count = session.scalar(
            select(func.count()).select_from(Worker).where(Worker.last_seen_at >= since)
        )
    return int(count or 0)


def forget_gone_workers(ctx: Context, now: datetime | None = None) -> int:
    """Delete the rows of workers silent for longer than FORGET_AFTER (killed outright, or
    their machine gone); how many. Run by the retention clean-up."""
    before = (now or ctx.now()) - FORGET_AFTER
    with ctx.db.session() as session:
        return changed_rows(session, delete(Worker).where(Worker.last_seen_at < before))
