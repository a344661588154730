"""The worker heartbeat (``posts/workers.py``): a worker checks in, beats, checks out; one that
stops beating goes stale after a minute and is forgotten by the clean-up after a day. On
SQLite, and on PostgreSQL when it is configured."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from autoposter.accounts import Context
from autoposter.config import Settings
from autoposter.jobs import Heartbeat
from autoposter.posts import clean_up
from autoposter.posts.workers import (
    FORGET_AFTER,
    STALE_AFTER,
    alive_workers,
    beat,
    count_alive_workers,
    deregister,
    register,
)
from autoposter.store import Database, upgrade
from tests.accounts.support import TestClock
from tests.databases import database_for


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Context]:
    """Services on a migrated database, on a clock the test moves."""
    for url in database_for(request.param, tmp_path):
        upgrade(url)
        context = Context(
            Settings(data_dir=tmp_path / "data", database_url=url), Database(url), clock=TestClock()
        )
        yield context
        context.close()


def advance(ctx: Context, delta: timedelta) -> None:
    clock = ctx.clock
    assert isinstance(clock, TestClock)
    clock.advance(delta.total_seconds())


def test_a_worker_that_checked_in_is_alive(ctx: Context) -> None:
    assert count_alive_workers(ctx) == 0

    worker = register(ctx, threads=3)

    (alive,) = alive_workers(ctx)
    assert alive == worker
    assert (alive.pid, alive.threads) == (os.getpid(), 3)
    assert alive.hostname and alive.id.startswith(f"{alive.hostname}:{os.getpid()}:")
    assert alive.started_at == alive.last_seen_at <= ctx.now()
    assert count_alive_workers(ctx) == 1


def test_two_workers_of_one_process_have_their_own_rows(ctx: Context) -> None:
    first, second = register(ctx, threads=1), register(ctx, threads=1)

    assert first.id != second.id
    assert count_alive_workers(ctx) == 2


def test_a_worker_that_stops_beating_goes_stale_after_a_minute(ctx: Context) -> None:
    register(ctx, threads=2)

    advance(ctx, STALE_AFTER - timedelta(seconds=1))
    assert count_alive_workers(ctx) == 1
    advance(ctx, timedelta(seconds=2))
    assert count_alive_workers(ctx) == 0
    assert alive_workers(ctx) == []


def test_each_beat_keeps_a_worker_alive_for_another_minute(ctx: Context) -> None:
    worker = register(ctx, threads=2)
    advance(ctx, STALE_AFTER - timedelta(seconds=1))

    worker = beat(ctx, worker)
    advance(ctx, STALE_AFTER - timedelta(seconds=1))

    (alive,) = alive_workers(ctx)
    assert alive.last_seen_at == worker.last_seen_at > alive.started_at


def test_alive_is_judged_at_the_moment_asked(ctx: Context) -> None:
    register(ctx, threads=2)

    assert count_alive_workers(ctx, ctx.now() + STALE_AFTER + timedelta(seconds=1)) == 0
    assert alive_workers(ctx, ctx.now() + STALE_AFTER - timedelta(seconds=1)) != []


def test_a_worker_that_checked_out_no_longer_counts(ctx: Context) -> None:
    leaving, staying = register(ctx, threads=1), register(ctx, threads=1)

    deregister(ctx, leaving.id)

    assert [w.id for w in alive_workers(ctx)] == [staying.id]


def test_the_clean_up_forgets_workers_silent_for_a_day_and_keeps_the_others(
    ctx: Context,
) -> None:
    gone = register(ctx, threads=1)
    advance(ctx, FORGET_AFTER - timedelta(minutes=1))
    recent = register(ctx, threads=1)  # silent too, but not for long enough
    advance(ctx, timedelta(minutes=2))

    assert clean_up(ctx).workers_forgotten == 1

    assert clean_up(ctx).workers_forgotten == 0
    assert beat(ctx, recent).id == recent.id  # its row was kept: the beat moved it
    assert [w.id for w in alive_workers(ctx)] == [recent.id]
    assert gone.id not in {w.id for w in alive_workers(ctx, gone.last_seen_at)}


def test_a_beat_checks_a_forgotten_worker_in_again(ctx: Context) -> None:
    worker = register(ctx, threads=2)
    advance(ctx, FORGET_AFTER + timedelta(minutes=1))  # cut off from the database that long
    clean_up(ctx)
    assert alive_workers(ctx, worker.last_seen_at) == []

    beat(ctx, worker)

    (alive,) = alive_workers(ctx)
    assert (alive.id, alive.started_at, alive.threads) == (worker.id, worker.started_at, 2)


def test_the_worker_processes_heartbeat_checks_in_beats_and_checks_out(ctx: Context) -> None:
    with Heartbeat(ctx, threads=2, every=0.02) as heartbeat:
        assert heartbeat.worker is not None
        checked_in = heartbeat.worker
        assert [w.id for w in alive_workers(ctx)] == [checked_in.id]
        deadline = time.monotonic() + 10
        while heartbeat.worker.last_seen_at == checked_in.last_seen_at:
            assert time.monotonic() < deadline, "the heartbeat never beat"
            time.sleep(0.01)
        (alive,) = alive_workers(ctx)
        assert alive.last_seen_at > checked_in.last_seen_at

    assert count_alive_workers(ctx) == 0
