"""Temporary failures are retried with backoff, and a post given up on says why; a token TikTok
refuses is refreshed once; an interrupted upload resumes where TikTok stopped."""

from __future__ import annotations

from pathlib import Path

import httpx

from autoposter.posts import post_history
from tests.engine import Harness, MakeHarness, client_with_hooks, sandbox_publishes
from tests.posts.support import video_post
from tests.tiktok.support import set_faults


def test_server_errors_are_retried_until_tiktok_recovers(harness: Harness, clip: Path) -> None:
    post = harness.compose(video_post(clip))
    set_faults(harness.sandbox, error_5xx_rate=1.0)
    harness.work()
    waiting = harness.post(post.id)
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert waiting.next_attempt_at is not None
    set_faults(harness.sandbox, error_5xx_rate=0.0)
    done = harness.finish(post.id)
    assert done.status == "published"
    notes = [e.detail for e in post_history(harness.ctx, harness.user, post.id)]
    assert any("internal_error" in note and "next try at" in note for note in notes)


def test_a_post_failing_temporarily_too_often_is_given_up_with_the_reason(
    make_harness: MakeHarness, clip: Path
) -> None:
    harness = make_harness(settings={"post_max_attempts": 3})
    composed = harness.compose(video_post(clip))
    set_faults(harness.sandbox, error_5xx_rate=1.0)
    post = harness.finish(composed.id)
    assert (post.status, post.fail_code, post.attempts) == ("failed", "gave_up", 2)
    assert "given up after 3 attempts" in (post.fail_message or "")
    assert sandbox_publishes(harness.sandbox) == []


def test_a_rate_limited_call_waits_without_using_up_attempts(harness: Harness, clip: Path) -> None:
    post = harness.compose(video_post(clip))
    set_faults(harness.sandbox, rate_limit_burst=20)  # more 429s than the client retries
    harness.work()
    assert harness.post(post.id).attempts == 0
    assert harness.finish(post.id).status == "published"


def test_a_token_tiktok_refuses_is_refreshed_once_and_the_call_retried(
    harness: Harness, clip: Path
) -> None:
    post = harness.compose(video_post(clip))
    response = httpx.post(f"{harness.sandbox.url}/sandbox/api/tokens/invalidate", json={})
    assert response.status_code == 200, response.text
    done = harness.finish(post.id)
    assert (done.status, done.attempts) == ("published", 0)


class Network:
    """Our side of the network: while ``down``, upload PUTs cannot connect."""

    def __init__(self) -> None:
        self.down = False

    def hook(self, request: httpx.Request) -> None:
        if self.down and request.method == "PUT":
            raise httpx.ConnectError("network unreachable", request=request)


def test_an_interrupted_upload_resumes_without_a_new_init(
    make_harness: MakeHarness, clip: Path
) -> None:
    network = Network()
    harness = make_harness(client=client_with_hooks(request=[network.hook]))
    post = harness.compose(video_post(clip))
    network.down = True
    harness.work()
    stalled = harness.post(post.id)
    assert (stalled.status, stalled.attempts) == ("uploading", 1)
    network.down = False
    done = harness.finish(post.id)
    assert done.status == "published"
    (publish,) = sandbox_publishes(harness.sandbox)  # the same publish, resumed
    assert publish["publish_id"] == stalled.publish_id == done.publish_id


def test_an_expired_upload_url_fails_the_post_instead_of_starting_over(
    make_harness: MakeHarness, clip: Path
) -> None:
    network = Network()
    harness = make_harness(client=client_with_hooks(request=[network.hook]))
    post = harness.compose(video_post(clip))
    network.down = True
    harness.work()
    assert harness.post(post.id).status == "uploading"
    network.down = False
    harness.advance(3601)  # §4.2: the upload URL is valid for one hour
    done = harness.finish(post.id)
    assert (done.status, done.fail_code) == ("failed", "upload_url_expired")
    assert "within the hour TikTok allows" in (done.fail_message or "")
    assert len(sandbox_publishes(harness.sandbox)) == 1
