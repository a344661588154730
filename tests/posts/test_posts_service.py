"""Reading and managing posts: filters, ownership, media edits, and the photo-link warning."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from autoposter.accounts import create_user
from autoposter.posts import (
    PostNotFound,
    cancel_post,
    create_post,
    edit_post,
    get_post,
    list_posts,
    post_history,
)
from autoposter.sandbox.config import DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET
from tests.engine import Harness, MakeHarness
from tests.posts.support import photo_post, video_post


def test_posts_are_listed_by_account_status_and_time(harness: Harness, clip: Path) -> None:
    soon = harness.compose(video_post(clip, publish_at=harness.clock() + timedelta(hours=1)))
    later = harness.compose(video_post(clip, publish_at=harness.clock() + timedelta(days=2)))
    draft = create_post(harness.ctx, harness.user, harness.account_id, video_post(clip)).post
    ctx, user = harness.ctx, harness.user
    assert [p.id for p in list_posts(ctx, user)] == [later.id, soon.id, draft.id]
    assert [p.id for p in list_posts(ctx, user, status="draft")] == [draft.id]
    assert [p.id for p in list_posts(ctx, user, status=["scheduled"])] == [later.id, soon.id]
    tomorrow = harness.clock() + timedelta(days=1)
    assert [p.id for p in list_posts(ctx, user, since=tomorrow)] == [later.id]
    assert [p.id for p in list_posts(ctx, user, until=tomorrow)] == [soon.id, draft.id]
    assert list_posts(ctx, user, account_id=harness.account_id + 1) == []


def test_another_users_posts_are_invisible_and_untouchable(harness: Harness, clip: Path) -> None:
    post = harness.compose(video_post(clip, publish_at=harness.clock() + timedelta(hours=1)))
    other = create_user(harness.ctx, "bo", "another good password")
    assert list_posts(harness.ctx, other) == []
    for action in (get_post, cancel_post, post_history):
        with pytest.raises(PostNotFound):
            action(harness.ctx, other, post.id)
    with pytest.raises(PostNotFound):
        edit_post(harness.ctx, other, post.id, title="mine now")
    assert harness.post(post.id).status == "scheduled"


def test_editing_the_media_replaces_the_stored_file(
    harness: Harness, clip: Path, tmp_path: Path
) -> None:
    draft = create_post(harness.ctx, harness.user, harness.account_id, video_post(clip)).post
    (before,) = harness.media_files()
    other = tmp_path / "other.mp4"
    other.write_bytes(clip.read_bytes())
    edited = edit_post(harness.ctx, harness.user, draft.id, media=(other,)).post
    (after,) = harness.media_files()
    assert after != before and not before.exists()
    assert [m.name for m in edited.media] == ["other.mp4"]


def test_a_photo_post_warns_when_tiktok_could_not_reach_its_links(
    make_harness: MakeHarness, photos: tuple[Path, ...]
) -> None:
    # A real TikTok app (here: the sandbox's credentials) with a public URL TikTok can't use.
    app = {"tiktok_client_key": DEFAULT_CLIENT_KEY, "tiktok_client_secret": DEFAULT_CLIENT_SECRET}
    harness = make_harness(settings=app)
    composed = create_post(harness.ctx, harness.user, harness.account_id, photo_post(photos[:1]))
    (warning,) = composed.warnings
    assert warning.code == "photo_url_unverified"
    assert "AUTOPOSTER_PUBLIC_URL" in warning.message and "https" in warning.message
