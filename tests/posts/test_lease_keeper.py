"""A worker keeps the lease of each post it works on renewed (one renewing thread per process,
whatever the number of posts), and notices when another worker has taken a post over."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from autoposter.posts.lease import LeaseKeeper, claim
from autoposter.store.models import Post
from tests.engine import Harness
from tests.posts.support import video_post


def queued_posts(harness: Harness, clip: Path, count: int) -> list[int]:
    post_ids = [harness.compose(video_post(clip)).id for _ in range(count)]
    harness.engine.dispatch()
    harness.engine.huey.flush()  # nobody else runs them
    return post_ids


def eventually(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_leases_of_posts_being_worked_on_are_renewed(harness: Harness, clip: Path) -> None:
    post_ids = queued_posts(harness, clip, 3)
    keepers = []
    for post_id in post_ids:
        assert claim(harness.ctx, post_id, f"worker-{post_id}", seconds=30)
        keepers.append(LeaseKeeper(harness.ctx, post_id, f"worker-{post_id}", 600, 0.1))
    first = {post_id: harness.row(post_id).lease_until for post_id in post_ids}
    for keeper in keepers:
        keeper.start()
    try:
        # Renewed to ten minutes ahead: far past the half minute each was claimed for.
        assert eventually(
            lambda: all(
                (harness.row(p).lease_until or first[p]) - first[p] > timedelta(minutes=5)
                for p in post_ids
            )
        )
    finally:
        for keeper in keepers:
            keeper.stop()
    assert not any(keeper.lost for keeper in keepers)


def test_a_keeper_notices_that_another_worker_took_its_post_over(
    harness: Harness, clip: Path
) -> None:
    (post_id,) = queued_posts(harness, clip, 1)
    assert claim(harness.ctx, post_id, "slow-worker", seconds=30)
    keeper = LeaseKeeper(harness.ctx, post_id, "slow-worker", 30, 0.1)
    keeper.start()
    try:
        with harness.ctx.db.session() as session:  # its lease ran out; another took it
            session.execute(update(Post).where(Post.id == post_id).values(lease_owner="other"))
        assert eventually(lambda: keeper.lost)
    finally:
        keeper.stop()
    assert harness.row(post_id).lease_owner == "other"
