"""The dispatcher claims due posts a batch at a time with one compare-and-set each, drains a
backlog without waiting between batches, and hands posts a worker gave back out again."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from autoposter.jobs import Dispatcher
from autoposter.posts import dispatch_due
from autoposter.posts.lease import claim, release
from autoposter.store.models import PostStatusEvent
from tests.engine import FAST, Harness, MakeHarness
from tests.posts.support import video_post


def compose_due(harness: Harness, clip: Path, count: int) -> list[int]:
    return [harness.compose(video_post(clip)).id for _ in range(count)]


def claim_events(harness: Harness, post_ids: list[int]) -> dict[int, int]:
    """How many times each post moved scheduled → queued."""
    with harness.ctx.db.session() as session:
        rows = session.execute(
            select(PostStatusEvent.post_id, func.count())
            .where(
                PostStatusEvent.post_id.in_(post_ids),
                PostStatusEvent.from_status == "scheduled",
                PostStatusEvent.to_status == "queued",
            )
            .group_by(PostStatusEvent.post_id)
        )
        return {post_id: count for post_id, count in rows}


def test_two_concurrent_dispatchers_claim_each_due_post_exactly_once(
    harness: Harness, clip: Path
) -> None:
    post_ids = compose_due(harness, clip, 15)  # TikTok allows 20 creator_info a minute
    claimed: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def dispatcher(mine: list[int]) -> None:
        start.wait()
        while dispatch_due(harness.ctx, mine.append, limit=4):
            pass

    threads = [threading.Thread(target=dispatcher, args=(mine,)) for mine in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(claimed[0] + claimed[1]) == sorted(post_ids)
    assert not set(claimed[0]) & set(claimed[1])
    assert claim_events(harness, post_ids) == {post_id: 1 for post_id in post_ids}
    assert {harness.post(post_id).status for post_id in post_ids} == {"queued"}


def test_one_dispatch_drains_a_backlog_larger_than_a_batch(
    make_harness: MakeHarness, clip: Path
) -> None:
    harness = make_harness(timings=replace(FAST, dispatch_batch=4))
    post_ids = compose_due(harness, clip, 10)
    assert sorted(harness.engine.dispatch()) == sorted(post_ids)
    assert harness.engine.huey.pending_count() == 10


def test_the_dispatcher_thread_does_not_wait_a_period_while_a_backlog_remains(
    make_harness: MakeHarness, clip: Path
) -> None:
    # A period far longer than the test: only the first round can have claimed the posts.
    harness = make_harness(timings=replace(FAST, dispatch_batch=3, dispatch_every=3600.0))
    post_ids = compose_due(harness, clip, 8)
    dispatcher = Dispatcher(harness.engine)
    dispatcher.start()
    try:
        assert wait_for(lambda: harness.engine.huey.pending_count() == 8)
    finally:
        dispatcher.stop()
    assert {harness.post(post_id).status for post_id in post_ids} == {"queued"}


def test_a_post_handed_back_is_dispatched_again_when_its_next_attempt_comes(
    harness: Harness, clip: Path
) -> None:
    post = harness.compose(video_post(clip))
    assert harness.engine.dispatch() == [post.id]
    harness.engine.huey.flush()
    # A worker ran it and handed it back until a minute from now (a retry, a status poll).
    assert claim(harness.ctx, post.id, "worker", seconds=60)
    release(harness.ctx, post.id, "worker", retry_at=harness.clock() + timedelta(minutes=1))
    enqueue = harness.engine.enqueue
    assert dispatch_due(harness.ctx, enqueue) == []
    harness.advance(61)
    assert dispatch_due(harness.ctx, enqueue) == [post.id]
    assert dispatch_due(harness.ctx, enqueue) == []  # it now has a delivery lease
    assert harness.finish(post.id).status == "published"


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Whether ``condition`` came true within ``seconds`` (looked at every 20 ms)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False
