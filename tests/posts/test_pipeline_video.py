"""Videos from composing to TikTok's final word: direct posts and inbox drafts, over real HTTP
against the sandbox, through the real queue, on each database + queue backend."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from autoposter.posts import post_history
from tests.engine import Harness, MakeHarness, sandbox_publishes
from tests.posts.support import video_post
from tests.tiktok.support import poll


def test_a_direct_video_is_published_with_its_settings(harness: Harness, clip: Path) -> None:
    composed = harness.compose(video_post(clip, allow_comment=True, cover_timestamp_ms=500))
    assert composed.status == "scheduled"
    post = harness.finish(composed.id)
    assert post.status == "published", post.fail_message
    (publish,) = sandbox_publishes(harness.sandbox)
    assert publish["publish_id"] == post.publish_id
    assert publish["status"] == "PUBLISH_COMPLETE"
    assert publish["privacy_level"] == "PUBLIC_TO_EVERYONE"
    assert publish["times_published"] == 1


def test_a_public_videos_post_id_arrives_by_webhook_after_moderation(
    make_harness: MakeHarness, clip: Path
) -> None:
    # §4.7: the public post id comes once moderation passed, often after PUBLISH_COMPLETE;
    # TikTok's post.publish.publicly_available webhook brings it to the published post.
    harness = make_harness(webhooks=True)
    post = harness.finish(harness.compose(video_post(clip)).id)
    assert post.status == "published"
    (publish,) = sandbox_publishes(harness.sandbox)
    with_id = poll(lambda: harness.post(post.id), lambda p: bool(p.tiktok_post_ids))
    assert with_id.tiktok_post_ids == tuple(publish["post_ids"])
    assert len(with_id.tiktok_post_ids[0]) == 19


def test_an_inbox_video_ends_in_the_creators_inbox(harness: Harness, clip: Path) -> None:
    post = harness.finish(harness.compose(video_post(clip, mode="inbox")).id)
    assert post.status == "in_inbox", post.fail_message
    (publish,) = sandbox_publishes(harness.sandbox)
    assert (publish["mode"], publish["status"]) == ("MEDIA_UPLOAD", "SEND_TO_USER_INBOX")
    last = post_history(harness.ctx, harness.user, post.id)[-1]
    assert "inbox notification" in last.detail


def test_the_media_file_is_deleted_once_tiktok_has_it(harness: Harness, clip: Path) -> None:
    composed = harness.compose(video_post(clip))
    assert len(harness.media_files()) == 1  # a copy waits in the media directory
    post = harness.finish(composed.id)
    assert post.status == "published"
    assert harness.media_files() == []
    assert [m.deleted for m in post.media] == [True]
    assert clip.exists()  # the person's own file is never touched


def test_every_status_change_is_kept_in_the_posts_history(harness: Harness, clip: Path) -> None:
    post = harness.finish(harness.compose(video_post(clip)).id)
    history = post_history(harness.ctx, harness.user, post.id)
    assert [(e.from_status, e.to_status) for e in history] == [
        (None, "draft"),
        ("draft", "scheduled"),
        ("scheduled", "queued"),
        ("queued", "uploading"),
        ("uploading", "processing"),
        ("processing", "published"),
    ]
    assert all(a.at <= b.at for a, b in pairwise(history))
    assert post.publish_id is not None and post.publish_id in history[3].detail


def test_the_upload_url_is_stored_encrypted(harness: Harness, clip: Path) -> None:
    post = harness.finish(harness.compose(video_post(clip)).id)
    row = harness.row(post.id)
    assert row.upload_url_ciphertext is not None
    assert row.upload_url_ciphertext.startswith("v1:")
    assert "upload_token" not in row.upload_url_ciphertext
