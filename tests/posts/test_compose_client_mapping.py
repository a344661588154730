"""A validated post becomes the TikTok client's request objects, and the §8 labels follow it."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoposter.posts.compose import (
    BRANDED_DECLARATION,
    MUSIC_DECLARATION,
    Delivery,
    PhotoInit,
    PostInputError,
    PostKind,
    PostRequest,
    VideoInit,
    build_init,
    declaration,
    disclosure_label,
)
from autoposter.tiktok import PostMode, PrivacyLevel

CLIP = (Path("clip.mp4"),)
PHOTOS = (Path("a.jpg"), Path("b.jpg"))


def test_a_direct_video_turns_interactions_left_off_into_disable_flags() -> None:
    request = PostRequest(
        PostKind.VIDEO,
        Delivery.DIRECT,
        CLIP,
        title="hello #sandbox",
        privacy_level="MUTUAL_FOLLOW_FRIENDS",
        allow_comment=True,
        is_aigc=True,
        cover_timestamp_ms=1500,
    )
    init = build_init(request)
    assert isinstance(init, VideoInit) and init.post_info is not None
    info = init.post_info
    assert info.privacy_level is PrivacyLevel.MUTUAL_FOLLOW_FRIENDS
    assert (info.disable_comment, info.disable_duet, info.disable_stitch) == (False, True, True)
    assert (info.title, info.is_aigc, info.video_cover_timestamp_ms) == (
        "hello #sandbox",
        True,
        1500,
    )
    assert not (info.brand_content_toggle or info.brand_organic_toggle)


def test_brand_toggles_are_sent_only_with_the_disclosure_on() -> None:
    disclosed = PostRequest(
        PostKind.VIDEO,
        Delivery.DIRECT,
        CLIP,
        privacy_level="PUBLIC_TO_EVERYONE",
        commercial_content=True,
        brand_organic=True,
        brand_content=True,
    )
    init = build_init(disclosed)
    assert isinstance(init, VideoInit)
    info = init.post_info
    assert info is not None and info.brand_organic_toggle and info.brand_content_toggle


def test_an_inbox_video_sends_no_post_info() -> None:
    request = PostRequest(PostKind.VIDEO, Delivery.INBOX, CLIP, title="finish me in the app")
    assert build_init(request) == VideoInit(post_info=None)


def test_a_direct_photo_post_carries_its_settings_and_cover() -> None:
    request = PostRequest(
        PostKind.PHOTO,
        Delivery.DIRECT,
        PHOTOS,
        title="two sketches",
        description="made on the train #sketch",
        privacy_level="SELF_ONLY",
        auto_add_music=True,
        is_aigc=True,
        photo_cover_index=1,
    )
    init = build_init(request)
    assert isinstance(init, PhotoInit)
    assert (init.mode, init.photo_cover_index, init.is_aigc) == (PostMode.DIRECT_POST, 1, True)
    body = init.post_info.to_json(init.mode)
    assert body["privacy_level"] == "SELF_ONLY"
    assert body["disable_comment"] is True and body["auto_add_music"] is True
    assert body["description"] == "made on the train #sketch"


def test_a_photo_draft_is_a_media_upload_without_direct_only_settings() -> None:
    request = PostRequest(PostKind.PHOTO, Delivery.INBOX, PHOTOS, title="for later")
    init = build_init(request)
    assert isinstance(init, PhotoInit) and init.mode is PostMode.MEDIA_UPLOAD
    assert init.post_info.to_json(init.mode) == {"title": "for later"}


def test_a_direct_post_without_privacy_is_not_mapped() -> None:
    with pytest.raises(PostInputError, match="privacy_level"):
        build_init(PostRequest(PostKind.VIDEO, Delivery.DIRECT, CLIP))


@pytest.mark.parametrize(
    ("commercial", "organic", "branded", "label", "consent"),
    [
        (False, False, False, None, MUSIC_DECLARATION),
        (
            True,
            True,
            False,
            "Your video will be labeled as 'Promotional content'",
            MUSIC_DECLARATION,
        ),
        (
            True,
            False,
            True,
            "Your video will be labeled as 'Paid partnership'",
            BRANDED_DECLARATION,
        ),
        (True, True, True, "Your video will be labeled as 'Paid partnership'", BRANDED_DECLARATION),
    ],
)
def test_the_label_and_declaration_follow_the_disclosure(
    commercial: bool, organic: bool, branded: bool, label: str | None, consent: str
) -> None:
    request = PostRequest(
        PostKind.VIDEO,
        Delivery.DIRECT,
        CLIP,
        commercial_content=commercial,
        brand_organic=organic,
        brand_content=branded,
    )
    assert disclosure_label(request) == label
    assert declaration(request) == consent


def test_a_photo_posts_label_speaks_of_a_photo() -> None:
    request = PostRequest(
        PostKind.PHOTO, Delivery.DIRECT, PHOTOS, commercial_content=True, brand_organic=True
    )
    assert disclosure_label(request) == "Your photo will be labeled as 'Promotional content'"
