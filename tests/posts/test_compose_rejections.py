"""Composing refuses every post that breaks a rule, field by field, before anything is stored
or queued; creator_info is fetched from the sandbox for each direct post (§8 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autoposter.accounts import create_user
from autoposter.posts import PostRejected, create_post, list_posts
from autoposter.posts.compose import PostRequest
from tests.engine import Harness
from tests.media import make_video
from tests.posts.support import photo_post, video_post


def rejected_fields(
    harness: Harness, request: PostRequest, account_id: int | None = None
) -> list[str]:
    with pytest.raises(PostRejected) as raised:
        create_post(harness.ctx, harness.user, account_id or harness.account_id, request)
    assert str(raised.value).startswith("The post cannot be sent as it is:")
    assert all(error.message for error in raised.value.errors)
    return raised.value.fields


def cases(
    clip: Path, photos: tuple[Path, ...], png: Path, odd: Path
) -> dict[str, tuple[PostRequest, str]]:
    """What breaks which rule, and the field the author is told about."""
    private_branded = video_post(
        clip, privacy_level="SELF_ONLY", commercial_content=True, brand_content=True
    )
    return {
        "caption over 2200": (video_post(clip, title="x" * 2201), "title"),
        "no privacy chosen": (video_post(clip, privacy_level=None), "privacy_level"),
        "unknown privacy": (video_post(clip, privacy_level="EVERYONE_AND_MORE"), "privacy_level"),
        "disclosure, no box": (video_post(clip, commercial_content=True), "commercial_content"),
        "box, no disclosure": (video_post(clip, brand_content=True), "brand_content"),
        "branded but private": (private_branded, "privacy_level"),
        "draft with privacy": (
            video_post(clip, mode="inbox", privacy_level="SELF_ONLY"),
            "privacy_level",
        ),
        "video description": (video_post(clip, description="only photos"), "description"),
        "cover after the end": (video_post(clip, cover_timestamp_ms=9000), "cover_timestamp_ms"),
        "not a video": (video_post(png), "media"),
        "frame rate too low": (video_post(odd), "media"),
        "time in the past": (
            video_post(clip, publish_at=datetime(2020, 1, 1, tzinfo=UTC)),
            "publish_at",
        ),
        "photo title over 90": (photo_post(photos[:1], title="y" * 91), "title"),
        "photo duet": (photo_post(photos[:1], allow_duet=True), "allow_duet"),
        "png photo": (photo_post((png,)), "media[0]"),
        "36 photos": (photo_post(photos[:1] * 36), "media"),
        "cover photo 3 of 1": (photo_post(photos[:1], photo_cover_index=3), "photo_cover_index"),
    }


def test_every_broken_rule_reaches_its_author_as_a_field_error(
    harness: Harness, clip: Path, photos: tuple[Path, ...], png: Path, tmp_path: Path
) -> None:
    odd = make_video(tmp_path / "slow.mp4", width=540, height=960, fps=12, seconds=1.0)
    for case, (request, field) in cases(clip, photos, png, odd).items():
        assert field in rejected_fields(harness, request), case
    assert list_posts(harness.ctx, harness.user) == []  # nothing was stored
    assert harness.media_files() == []


def test_a_private_account_refuses_public_and_offers_its_own_options(
    harness: Harness, clip: Path
) -> None:
    private = harness.connect("private")
    assert rejected_fields(harness, video_post(clip), private) == ["privacy_level"]
    duet = video_post(clip, allow_duet=True, privacy_level="SELF_ONLY")
    assert rejected_fields(harness, duet, private) == ["allow_duet"]


def test_interactions_the_creator_turned_off_cannot_be_turned_on(
    harness: Harness, clip: Path
) -> None:
    locked = harness.connect("locked")
    request = video_post(clip, allow_comment=True)
    assert rejected_fields(harness, request, locked) == ["allow_comment"]


@pytest.mark.parametrize(
    ("creator", "said"),
    [
        ("banned", "banned this account from posting"),
        ("capped", "daily limit of posts"),
    ],
)
def test_a_creator_tiktok_stops_from_posting_is_told_why_at_once(
    harness: Harness, clip: Path, creator: str, said: str
) -> None:
    account = harness.connect(creator)
    with pytest.raises(PostRejected) as raised:
        create_post(harness.ctx, harness.user, account, video_post(clip))
    (error,) = raised.value.errors
    assert error.field == "account_id"
    assert said in error.message


def test_another_users_account_cannot_be_posted_to(harness: Harness, clip: Path) -> None:
    other = create_user(harness.ctx, "bo", "another good password")
    with pytest.raises(PostRejected) as raised:
        create_post(harness.ctx, other, harness.account_id, video_post(clip))
    assert raised.value.fields == ["account_id"]


def test_a_valid_post_is_stored_as_a_draft_with_its_media(harness: Harness, clip: Path) -> None:
    composed = create_post(
        harness.ctx,
        harness.user,
        harness.account_id,
        video_post(clip, publish_at=harness.clock() + timedelta(days=1)),
    )
    assert composed.post.status == "draft"
    assert composed.warnings == []
    assert [m.name for m in composed.post.media] == ["clip.mp4"]
    assert len(harness.media_files()) == 1
