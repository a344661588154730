"""A post is published at most once, whatever answers get lost, whoever else runs it, and
whichever worker dies holding it (DESIGN "A post's life")."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx

from autoposter.posts import run_post
from autoposter.posts.lease import claim
from tests.engine import FAST, Harness, MakeHarness, client_with_hooks, on_path, sandbox_publishes
from tests.media import make_video
from tests.posts.support import video_post
from tests.tiktok.support import set_faults


def published_once_each(harness: Harness, post_ids: list[int]) -> None:
    """Each post's own publish completed once; any other init never received a byte."""
    publishes = {p["publish_id"]: p for p in sandbox_publishes(harness.sandbox)}
    ours = {harness.post(post_id).publish_id for post_id in post_ids}
    for publish_id in ours:
        assert publishes[publish_id]["status"] == "PUBLISH_COMPLETE"
        assert publishes[publish_id]["times_published"] == 1
    for publish_id, publish in publishes.items():
        if publish_id not in ours:
            assert (publish["status"], publish["uploaded_bytes"]) == ("PROCESSING_UPLOAD", 0)


def test_lost_answers_never_make_a_second_publish(harness: Harness, tmp_path: Path) -> None:
    clips = [make_video(tmp_path / f"clip{i}.mp4", seconds=1 + i / 10) for i in range(3)]
    post_ids = [harness.compose(video_post(clip)).id for clip in clips]
    # Every TikTok call (inits included) may lose its answer after taking effect.
    set_faults(harness.sandbox, reset_rate=0.3)
    for post_id in post_ids:
        assert harness.finish(post_id, seconds=30).status == "published"
    set_faults(harness.sandbox, reset_rate=0.0)
    published_once_each(harness, post_ids)


def test_a_video_init_whose_answer_was_lost_is_sent_again_safely(
    make_harness: MakeHarness, clip: Path
) -> None:
    lost: list[bool] = []

    def lose_first_answer(response: httpx.Response) -> None:
        if not lost:
            lost.append(True)
            raise httpx.RemoteProtocolError("connection reset", request=response.request)

    harness = make_harness(
        client=client_with_hooks(response=[on_path("/video/init/", lose_first_answer)])
    )
    post = harness.finish(harness.compose(video_post(clip)).id)
    assert post.status == "published"
    # TikTok got two inits; the first never had a byte, so it can never publish anything.
    assert len(sandbox_publishes(harness.sandbox)) == 2
    published_once_each(harness, [post.id])


def test_two_workers_running_one_post_send_it_once(harness: Harness, clip: Path) -> None:
    post = harness.compose(video_post(clip))
    harness.engine.dispatch()  # queued, not yet run
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def worker() -> None:
        start.wait()
        outcomes.append(run_post(harness.ctx, post.id, FAST))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes, key=str) == [None, "published"]  # the other found it leased
    assert len(sandbox_publishes(harness.sandbox)) == 1


def test_a_post_whose_worker_died_is_taken_over_when_its_lease_runs_out(
    harness: Harness, clip: Path
) -> None:
    post = harness.compose(video_post(clip))
    harness.engine.dispatch()
    harness.engine.huey.flush()  # the task is lost, as when a worker is killed
    assert claim(harness.ctx, post.id, "a-worker-that-died", seconds=60)
    harness.work()
    assert harness.post(post.id).status == "queued"  # its lease still holds
    harness.advance(61)
    assert harness.finish(post.id).status == "published"
    assert len(sandbox_publishes(harness.sandbox)) == 1


def test_the_dispatcher_claims_a_due_post_only_once(harness: Harness, clip: Path) -> None:
    post = harness.compose(video_post(clip))
    enqueued: list[int] = []
    from autoposter.posts import dispatch_due

    barrier = threading.Barrier(2)

    def dispatcher() -> None:
        barrier.wait()
        dispatch_due(harness.ctx, enqueued.append)

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert enqueued == [post.id]
