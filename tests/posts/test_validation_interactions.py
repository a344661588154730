"""Interactions are off unless turned on, and cannot be on where the creator disabled them."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoposter.posts.validation import validate
from tests.posts.support import NOW, creator, fields_of, message_for, photo_post, video_post

LOCKED = {"comment_disabled": True, "duet_disabled": True, "stitch_disabled": True}


def test_interactions_left_off_pass_even_when_the_creator_disabled_them_all(clip: Path) -> None:
    assert validate(video_post(clip), creator(**LOCKED), NOW) == []


def test_interactions_turned_on_pass_where_the_creator_allows_them(clip: Path) -> None:
    post = video_post(clip, allow_comment=True, allow_duet=True, allow_stitch=True)
    assert validate(post, creator(), NOW) == []


@pytest.mark.parametrize(
    ("field", "flag", "text"),
    [
        (
            "allow_comment",
            "comment_disabled",
            "has turned comments off in TikTok, so Allow Comment",
        ),
        ("allow_duet", "duet_disabled", "has turned duets off in TikTok, so Allow Duet"),
        ("allow_stitch", "stitch_disabled", "has turned stitches off in TikTok, so Allow Stitch"),
    ],
)
def test_it_refuses_an_interaction_the_creator_disabled(
    clip: Path, field: str, flag: str, text: str
) -> None:
    errors = validate(video_post(clip, **{field: True}), creator(**{flag: True}), NOW)
    assert fields_of(errors) == [field]
    assert errors[0].message.startswith(f"Sunny Studio {text} must stay off")


def test_it_names_the_account_by_username_when_it_has_no_nickname(clip: Path) -> None:
    info = creator(creator_nickname="", comment_disabled=True)
    errors = validate(video_post(clip, allow_comment=True), info, NOW)
    assert message_for(errors, "allow_comment").startswith("@sunny.studio has turned comments off")


def test_a_photo_post_may_allow_comments(photos: tuple[Path, ...]) -> None:
    assert validate(photo_post(photos, allow_comment=True), creator(), NOW) == []


@pytest.mark.parametrize("field", ["allow_duet", "allow_stitch"])
def test_a_photo_post_has_no_duets_or_stitches(photos: tuple[Path, ...], field: str) -> None:
    errors = validate(photo_post(photos, **{field: True}), creator(), NOW)
    assert fields_of(errors) == [field]
    assert errors[0].message.startswith("photo posts have no")


@pytest.mark.parametrize("field", ["allow_comment", "allow_duet", "allow_stitch"])
def test_an_inbox_draft_leaves_interactions_to_the_app(clip: Path, field: str) -> None:
    errors = validate(video_post(clip, mode="inbox", **{field: True}), None, NOW)
    assert fields_of(errors) == [field]
