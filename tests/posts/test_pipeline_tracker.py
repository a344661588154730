"""A worker process's runs wait for TikTok's status in its tracker, not in its threads: the
thread that sent a post takes the next task at once, the tracker finishes the post, and a
stopping worker hands the posts still waiting back for the next worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from autoposter.posts import pipeline, run
from tests.engine import FAST, Harness, MakeHarness, sandbox_publishes
from tests.posts.support import video_post

# The first status poll comes this long after the init: long enough to see the post wait.
FIRST_POLL = 2.0


def status_within(harness: Harness, post_id: int, wanted: str, seconds: float = 15.0) -> str:
    deadline = time.monotonic() + seconds
    while (status := harness.post(post_id).status) != wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    return status


def test_a_run_hands_its_post_to_the_tracker_and_the_tracker_publishes_it(
    make_harness: MakeHarness, clip: Path
) -> None:
    harness = make_harness(tracker=True, timings=replace(FAST, poll_first=FIRST_POLL))
    post = harness.compose(video_post(clip))
    assert harness.work() == 1  # the task returned once the bytes were sent
    assert harness.post(post.id).status == "uploading"
    assert harness.engine.tracker is not None and harness.engine.tracker.waiting() == 1
    assert status_within(harness, post.id, "published") == "published"
    assert harness.engine.tracker.waiting() == 0
    assert harness.row(post.id).lease_owner is None  # the last write gave the lease back
    assert len(sandbox_publishes(harness.sandbox)) == 1


def test_a_stopping_tracker_hands_its_waiting_posts_back_to_the_next_worker(
    make_harness: MakeHarness, clip: Path
) -> None:
    harness = make_harness(tracker=True, timings=replace(FAST, poll_first=600.0))
    post = harness.compose(video_post(clip))
    harness.work()
    tracker = harness.engine.tracker
    assert tracker is not None and tracker.waiting() == 1
    tracker.stop()
    row = harness.row(post.id)
    assert (row.status, row.lease_owner) == ("uploading", None)
    assert row.next_attempt_at is not None and row.next_attempt_at <= harness.clock()
    harness.engine.tracker = None  # the next worker
    assert harness.finish(post.id).status == "published"
    assert len(sandbox_publishes(harness.sandbox)) == 1  # resumed, never initialised again


def test_a_run_reads_the_accounts_token_once(
    harness: Harness, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    # With the claim when it is fresh, else on its own (refreshed first if due).
    for module, name in ((pipeline, "ready_access_token"), (run, "access_token_for")):
        monkeypatch.setattr(module, name, counted(getattr(module, name), reads))
    post = harness.compose(video_post(clip))
    assert harness.work() == 1  # one run: creator_info, init, upload and status polls
    assert harness.post(post.id).status == "published"
    assert len(reads) == 1


def counted(read: Callable[..., str | None], reads: list[str]) -> Callable[..., str | None]:
    def counting(*args: Any, **kwargs: Any) -> str | None:
        token = read(*args, **kwargs)
        if token is not None:
            reads.append(token)
        return token

    return counting
