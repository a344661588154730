"""When posts go out: scheduled for later, confirmed or not, cancelled, edited. Our clock and
TikTok's are moved forward together; nothing sleeps."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from autoposter.posts import (
    ConfirmationExpired,
    PostNotChangeable,
    cancel_post,
    clean_up,
    confirm_post,
    create_and_confirm,
    create_post,
    edit_post,
    post_history,
)
from tests.engine import Harness, sandbox_publishes
from tests.posts.support import video_post


def test_a_scheduled_post_waits_for_its_time_then_goes(harness: Harness, clip: Path) -> None:
    at = harness.clock() + timedelta(hours=1)
    post = harness.compose(video_post(clip, publish_at=at))
    harness.work()
    assert harness.post(post.id).status == "scheduled"
    assert sandbox_publishes(harness.sandbox) == []
    harness.advance(3600)
    assert harness.finish(post.id).status == "published"


def test_a_draft_is_not_sent_before_its_author_confirms(harness: Harness, clip: Path) -> None:
    draft = create_post(harness.ctx, harness.user, harness.account_id, video_post(clip)).post
    assert draft.status == "draft"
    harness.work()
    assert harness.post(draft.id).status == "draft"
    assert sandbox_publishes(harness.sandbox) == []
    confirmed = confirm_post(harness.ctx, harness.user, draft.id).post
    assert confirmed.status == "scheduled"
    assert harness.finish(draft.id).status == "published"


def test_an_unconfirmed_draft_expires_after_thirty_minutes(harness: Harness, clip: Path) -> None:
    draft = create_post(harness.ctx, harness.user, harness.account_id, video_post(clip)).post
    assert draft.confirm_by is not None
    assert draft.confirm_by - draft.created_at == timedelta(minutes=30)
    harness.advance(31 * 60)
    with pytest.raises(ConfirmationExpired, match="compose it again"):
        confirm_post(harness.ctx, harness.user, draft.id)
    assert harness.post(draft.id).status == "expired"
    assert harness.media_files() == []


def test_the_clean_up_expires_drafts_nobody_confirmed(harness: Harness, clip: Path) -> None:
    draft = create_post(harness.ctx, harness.user, harness.account_id, video_post(clip)).post
    harness.advance(29 * 60)
    assert clean_up(harness.ctx).expired_drafts == 0
    harness.advance(2 * 60)
    report = clean_up(harness.ctx)
    assert (report.expired_drafts, report.media_deleted) == (1, 0)  # deleted as it expired
    assert harness.post(draft.id).status == "expired"
    assert harness.media_files() == []


def test_a_cancelled_post_is_never_sent(harness: Harness, clip: Path) -> None:
    post = harness.compose(video_post(clip, publish_at=harness.clock() + timedelta(minutes=5)))
    cancelled = cancel_post(harness.ctx, harness.user, post.id)
    assert cancelled.status == "cancelled"
    assert harness.media_files() == []
    harness.advance(600)
    harness.work()
    assert harness.post(post.id).status == "cancelled"
    assert sandbox_publishes(harness.sandbox) == []
    history = post_history(harness.ctx, harness.user, post.id)
    assert (history[-1].from_status, history[-1].to_status) == ("scheduled", "cancelled")


def test_a_post_tiktok_already_has_cannot_be_cancelled(harness: Harness, clip: Path) -> None:
    post = harness.finish(harness.compose(video_post(clip)).id)
    with pytest.raises(PostNotChangeable, match="can no longer be cancelled"):
        cancel_post(harness.ctx, harness.user, post.id)
    assert harness.post(post.id).status == "published"


def test_a_scheduled_post_can_be_edited_and_is_sent_as_edited(harness: Harness, clip: Path) -> None:
    post = harness.compose(video_post(clip, publish_at=harness.clock() + timedelta(minutes=5)))
    edited = edit_post(
        harness.ctx, harness.user, post.id, title="a better caption", privacy_level="SELF_ONLY"
    ).post
    assert (edited.status, edited.title, edited.privacy_level) == (
        "scheduled",
        "a better caption",
        "SELF_ONLY",
    )
    harness.advance(300)
    assert harness.finish(post.id).status == "published"
    (publish,) = sandbox_publishes(harness.sandbox)
    assert publish["privacy_level"] == "SELF_ONLY"
    notes = [e.detail for e in post_history(harness.ctx, harness.user, post.id)]
    assert "Edited." in notes


def test_a_post_that_started_sending_cannot_be_edited(harness: Harness, clip: Path) -> None:
    post = harness.finish(harness.compose(video_post(clip)).id)
    with pytest.raises(PostNotChangeable, match="only a draft or a scheduled post"):
        edit_post(harness.ctx, harness.user, post.id, title="too late")


def test_scheduling_warns_when_tiktoks_rate_would_delay_the_post(
    harness: Harness, clip: Path
) -> None:
    at = harness.clock() + timedelta(hours=2)
    for _ in range(5):
        assert harness.compose(video_post(clip, publish_at=at)) is not None
    composed = create_and_confirm(
        harness.ctx, harness.user, harness.account_id, video_post(clip, publish_at=at)
    )
    assert [w.code for w in composed.warnings] == ["init_rate"]
    assert "spaces them out" in composed.warnings[0].message


def test_a_scheduled_post_edited_to_go_now_is_sent_at_once(harness: Harness, clip: Path) -> None:
    post = harness.compose(video_post(clip, publish_at=harness.clock() + timedelta(hours=5)))
    edited = edit_post(harness.ctx, harness.user, post.id, publish_at=None).post
    assert edited.status == "scheduled"
    assert edited.publish_at is not None and edited.publish_at <= harness.clock()
    assert harness.finish(post.id).status == "published"
