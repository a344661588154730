"""Workers killed with SIGKILL at random moments lose nothing and publish nothing twice.

100 posts over 50 accounts, due one every quarter second, run by two ``autoposter worker``
processes; every one to two and a half seconds (seeded) one of them is killed with SIGKILL —
wherever it was: mid-init, mid-upload, mid-poll, holding a lease or the database's write
lock — and started again. Short leases let the reconciler hand a killed worker's posts to
the living within seconds (DESIGN: "huey loses an in-flight task when its worker is killed
with SIGKILL").
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path

import pytest

from autoposter.posts import Timings
from autoposter.posts.machine import FINAL
from tests.engine_faults.conftest import MakeRun
from tests.engine_faults.fleet import (
    compose_all,
    distinct_videos,
    end_state_problems,
    posts_of,
    statuses,
    summary,
    wait_until_final,
)
from tests.tiktok.support import publishes

POSTS = 100
# Two posts each. An init a kill interrupted may have reached TikTok, so it keeps its place
# under the account's 5 inits a minute (§6); with 5 posts each, its retry waits a minute.
ACCOUNTS = 50
DUE_EVERY = 0.25  # seconds: the posts fall due over 25 s, while the kills happen
KILLS = 12
SEED = 20261201

# Seconds. A killed worker's lease runs out after 4 s; the reconciler looks every second.
CRASH_TIMINGS = Timings(
    lease_seconds=4.0,
    renew_every=1.0,
    retry_base=0.5,
    retry_max=3.0,
    poll_first=0.1,
    poll_max=0.5,
    poll_hold=3.0,
    poll_later=0.5,
)


@pytest.mark.timeout(150)
def test_killed_workers_lose_nothing_and_publish_nothing_twice(
    make_run: MakeRun, base_video: Path, tmp_path: Path
) -> None:
    run = make_run(
        creators=ACCOUNTS,
        timings=CRASH_TIMINGS,
        reconcile_every=1.0,
        delivery_grace=8.0,
        threads=8,
        processing_delay=0.2,
    )
    videos = distinct_videos(base_video, tmp_path / "videos", POSTS)
    start = run.ctx.now() + timedelta(seconds=3)
    post_ids = compose_all(
        run.ctx,
        run.user,
        run.account_ids,
        videos,
        due=lambda i: start + timedelta(seconds=i * DUE_EVERY),
    )
    run.start_workers()
    rng = random.Random(SEED)
    kills = 0
    while kills < KILLS:
        time.sleep(rng.uniform(1.0, 2.5))
        rng.choice(run.workers).restart()
        kills += 1
    unfinished_at_last_kill = sum(
        status not in FINAL for status in statuses(run.ctx, post_ids).values()
    )
    wait_until_final(run.ctx, post_ids, 60, run.workers)
    run.stop_workers()

    posts = posts_of(run.ctx, post_ids)
    found = publishes(run.sandbox)
    print(summary(posts, found), f"after {kills} kills")
    assert unfinished_at_last_kill > 0, "the kills came after the run; spread the posts wider"
    problems = end_state_problems(posts, found)
    assert not problems, "\n".join(problems) + "\n" + run.worker_logs()
