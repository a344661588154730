"""Privacy comes from the creator's current options, chosen by the person, never defaulted."""

from __future__ import annotations

from pathlib import Path

from autoposter.posts.validation import validate
from tests.posts.support import (
    NOW,
    PRIVATE_OPTIONS,
    creator,
    fields_of,
    message_for,
    photo_post,
    video_post,
)


def test_a_public_post_on_a_public_account_is_valid(clip: Path) -> None:
    assert validate(video_post(clip), creator(), NOW) == []


def test_it_requires_a_privacy_level_for_a_direct_post_and_lists_the_choices(clip: Path) -> None:
    errors = validate(video_post(clip, privacy_level=None), creator(), NOW)
    assert message_for(errors, "privacy_level") == (
        "choose who can see this post: Everyone (PUBLIC_TO_EVERYONE), Friends "
        "(MUTUAL_FOLLOW_FRIENDS), Only me (SELF_ONLY)"
    )


def test_it_refuses_a_level_the_creators_private_account_does_not_offer(clip: Path) -> None:
    info = creator(privacy_level_options=PRIVATE_OPTIONS, creator_nickname="Quiet Notes")
    errors = validate(video_post(clip), info, NOW)
    assert message_for(errors, "privacy_level") == (
        "Quiet Notes cannot post with Everyone (PUBLIC_TO_EVERYONE) now (TikTok offers "
        "Followers (FOLLOWER_OF_CREATOR), Friends (MUTUAL_FOLLOW_FRIENDS), Only me "
        "(SELF_ONLY)): choose one of those"
    )
    assert validate(video_post(clip, privacy_level="FOLLOWER_OF_CREATOR"), info, NOW) == []


def test_it_refuses_public_when_an_unaudited_app_is_offered_only_self_only(
    photos: tuple[Path, ...],
) -> None:
    info = creator(privacy_level_options=["SELF_ONLY"])
    assert fields_of(validate(photo_post(photos), info, NOW)) == ["privacy_level"]
    assert validate(photo_post(photos, privacy_level="SELF_ONLY"), info, NOW) == []


def test_it_names_a_privacy_level_that_does_not_exist(clip: Path) -> None:
    errors = validate(video_post(clip, privacy_level="friends"), creator(), NOW)
    assert message_for(errors, "privacy_level").startswith("'FRIENDS' is not a privacy level: use")


def test_it_refuses_a_privacy_level_on_an_inbox_draft(clip: Path) -> None:
    errors = validate(video_post(clip, mode="inbox", privacy_level="SELF_ONLY"), None, NOW)
    assert message_for(errors, "privacy_level").startswith(
        "an inbox draft is finished by the creator in the TikTok app"
    )


def test_an_inbox_draft_needs_no_creator_info(clip: Path, photos: tuple[Path, ...]) -> None:
    assert validate(video_post(clip, mode="inbox"), None, NOW) == []
    assert validate(photo_post(photos, mode="inbox"), None, NOW) == []


def test_a_direct_post_without_creator_info_asks_to_load_it(clip: Path) -> None:
    errors = validate(video_post(clip), None, NOW)
    assert fields_of(errors) == ["account"]
    assert "could not be loaded: reload them and try again" in errors[0].message
