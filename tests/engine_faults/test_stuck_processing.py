"""A post whose processing TikTok never finishes is given up on, with a reason, instead of
being polled forever (the fault run's "stuck processing", one post at a time).

TikTok promises no processing time (§4.0: "no guaranteed limit"), so the engine needs a
deadline of its own: ``processing_timeout`` seconds (setting ``AUTOPOSTER_PROCESSING_TIMEOUT``)
after TikTok had the media, the post fails and says that it may still appear.
"""

from __future__ import annotations

from pathlib import Path

from tests.engine import MakeHarness, sandbox_publishes
from tests.posts.support import video_post
from tests.tiktok.support import set_faults

PROCESSING_TIMEOUT = 600


def test_a_post_tiktok_never_finishes_processing_fails_with_a_reason(
    make_harness: MakeHarness, base_video: Path
) -> None:
    harness = make_harness(settings={"processing_timeout": PROCESSING_TIMEOUT})
    set_faults(harness.sandbox, stuck_processing=True)
    post = harness.compose(video_post(base_video))
    harness.work()
    assert harness.post(post.id).status == "processing"
    harness.advance(PROCESSING_TIMEOUT + 1)
    done = harness.finish(post.id)
    assert done.status == "failed"
    assert done.fail_code and done.fail_reason and done.fail_message
    (publish,) = sandbox_publishes(harness.sandbox)
    assert publish["status"] == "PROCESSING_UPLOAD"  # TikTok never finished it
