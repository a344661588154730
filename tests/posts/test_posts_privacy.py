"""A user's posts in their data export and erasure, and posts of a disconnected account."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from autoposter.accounts import disconnect, erase_user, export_user_data
from autoposter.posts import create_post
from autoposter.store.models import Post, PostMedia
from tests.engine import Harness
from tests.posts.support import video_post


def test_the_export_holds_posts_and_their_history_but_no_upload_url(
    harness: Harness, clip: Path
) -> None:
    post = harness.finish(harness.compose(video_post(clip, title="mine")).id)
    document = export_user_data(harness.ctx, harness.user)
    (exported,) = document["posts"]
    assert (exported["id"], exported["title"], exported["status"]) == (post.id, "mine", "published")
    assert [e["to"] for e in exported["history"]][-1] == "published"
    assert exported["media"][0]["name"] == "clip.mp4"
    text = json.dumps(document)
    assert "upload_token" not in text and "upload_url" not in text


def test_erasing_a_user_deletes_their_posts_and_media_files(harness: Harness, clip: Path) -> None:
    create_post(harness.ctx, harness.user, harness.account_id, video_post(clip))
    assert len(harness.media_files()) == 1
    erase_user(harness.ctx, harness.user)
    assert harness.media_files() == []
    with harness.ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Post)) == 0
        assert session.scalar(select(func.count()).select_from(PostMedia)) == 0


def test_posts_of_a_disconnected_account_stay_and_are_not_sent(
    harness: Harness, clip: Path
) -> None:
    published = harness.finish(harness.compose(video_post(clip)).id)
    waiting = harness.compose(video_post(clip))
    disconnect(harness.ctx, harness.user, harness.account_id)
    assert harness.post(published.id).account_disconnected
    failed = harness.finish(waiting.id)
    assert (failed.status, failed.fail_code) == ("failed", "account_disconnected")
    assert "connect the account again" in (failed.fail_message or "")
