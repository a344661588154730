"""TikTok's limits are paced, never provoked (§6): the engine spaces inits over the init
history in the database and waits out the caps instead of collecting refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from autoposter.posts import post_history
from autoposter.posts.quota import STATUS_POLL_PACE
from autoposter.store.models import AccountInit, AccountPoll
from tests.engine import FAST, Harness, MakeHarness, client_with_hooks, on_path, sandbox_publishes
from tests.posts.support import video_post
from tests.posts.test_pipeline_refusals import change_creator
from tests.tiktok.support import poll


def waiting_notes(harness: Harness, post_id: int) -> list[str]:
    return [
        e.detail
        for e in post_history(harness.ctx, harness.user, post_id)
        if "waiting for TikTok's posting limits" in e.detail
    ]


def test_more_than_five_inits_a_minute_are_spaced_out(harness: Harness, clip: Path) -> None:
    post_ids = [harness.compose(video_post(clip)).id for _ in range(7)]
    harness.work()
    assert len(sandbox_publishes(harness.sandbox)) == 5
    held = [p for p in post_ids if harness.post(p).status == "queued"]
    assert len(held) == 2
    assert all(waiting_notes(harness, p) for p in held)
    harness.advance(62)  # INIT_PACE: 5 per 62 s
    for post_id in post_ids:
        post = harness.finish(post_id)
        assert (post.status, post.attempts) == ("published", 0)  # never refused
    assert len(sandbox_publishes(harness.sandbox)) == 7


def test_the_daily_post_cap_is_waited_out_instead_of_refused(
    make_harness: MakeHarness, clip: Path
) -> None:
    harness = make_harness(settings={"daily_post_cap": 3})
    change_creator(harness.sandbox, daily_post_cap=3)
    post_ids = [harness.compose(video_post(clip)).id for _ in range(4)]
    harness.work()
    assert [harness.post(p).status for p in post_ids].count("published") == 3
    fourth = harness.post(post_ids[3])
    assert fourth.status == "queued" and fourth.next_attempt_at is not None
    harness.advance(12 * 3600)
    harness.work()
    assert harness.post(post_ids[3]).status == "queued"  # still within TikTok's 24 hours
    harness.advance(12 * 3600 + 120)
    done = harness.finish(post_ids[3])
    assert (done.status, done.attempts) == ("published", 0)
    assert done.updated_at - fourth.created_at >= timedelta(hours=24)


def test_a_sixth_pending_draft_goes_once_the_creator_finishes_one(
    make_harness: MakeHarness, clip: Path
) -> None:
    harness = make_harness(webhooks=True)
    post_ids = [harness.compose(video_post(clip, mode="inbox")).id for _ in range(6)]
    harness.work()
    statuses = [harness.post(p).status for p in post_ids]
    assert statuses.count("in_inbox") == 5 and statuses[5] == "queued"
    first = harness.post(post_ids[0])
    # The creator finishes the first draft in the TikTok app; its webhook frees a slot.
    response = httpx.post(
        f"{harness.sandbox.url}/sandbox/api/publishes/{first.publish_id}/complete"
    )
    assert response.status_code == 200, response.text
    poll(lambda: finished_drafts(harness), lambda n: n == 1)
    harness.advance(10 * 60)  # the pacing decision is looked at again
    harness.work()
    assert harness.post(post_ids[5]).status == "in_inbox"
    assert len(sandbox_publishes(harness.sandbox)) == 6  # no refused init in between


def finished_drafts(harness: Harness) -> int:
    with harness.ctx.db.session() as session:
        rows = session.scalars(select(AccountInit).where(AccountInit.draft_finished.is_(True)))
        return len(list(rows))


def test_status_polls_of_many_posts_stay_under_tiktoks_limit(
    make_harness: MakeHarness, clip: Path
) -> None:
    refused: list[int] = []

    def count_429(response: httpx.Response) -> None:
        if response.status_code == 429:
            refused.append(1)

    harness = make_harness(
        processing_delay=600.0,  # TikTok takes its time: the posts keep being polled
        timings=replace(FAST, poll_hold=0.3),
        client=client_with_hooks(response=[on_path("/status/fetch/", count_429)]),
    )
    for _ in range(5):
        harness.compose(video_post(clip))
    for _ in range(3):
        harness.work()
    with harness.ctx.db.session() as session:
        polls = len(list(session.scalars(select(AccountPoll))))
    assert polls == STATUS_POLL_PACE.limit  # as many as the pace allows in a minute
    assert refused == []
