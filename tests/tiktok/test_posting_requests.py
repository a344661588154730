"""Post requests are validated before anything is sent (§4.2, §4.4, §8)."""

from __future__ import annotations

import pytest

from autoposter.tiktok import (
    FileUpload,
    PhotoPostInfo,
    PostMode,
    PrivacyLevel,
    PullFromUrl,
    RequestValidationError,
    TikTokClient,
    TikTokConfig,
    VideoPostInfo,
    plan_chunks,
    utf16_length,
)

EMOJI = "\U0001f600"  # outside the BMP: two UTF-16 code units


def test_length_is_counted_in_utf16_code_units() -> None:
    assert utf16_length("abc") == 3
    assert utf16_length(EMOJI) == 2
    assert utf16_length("é") == 1


def test_a_video_title_may_use_all_2200_units() -> None:
    assert VideoPostInfo(PrivacyLevel.SELF_ONLY, title=EMOJI * 1100).title


def test_a_video_title_over_2200_units_is_refused_before_sending() -> None:
    with pytest.raises(RequestValidationError, match="2201 UTF-16 units"):
        VideoPostInfo(PrivacyLevel.SELF_ONLY, title=EMOJI * 1100 + "x")


def test_photo_title_and_description_have_their_own_limits() -> None:
    PhotoPostInfo(title="t" * 90, description="d" * 4000)
    with pytest.raises(RequestValidationError, match="photo title"):
        PhotoPostInfo(title=EMOJI * 45 + "x")
    with pytest.raises(RequestValidationError, match="photo description"):
        PhotoPostInfo(description="d" * 4001)


def test_privacy_levels_may_be_given_as_strings_but_must_be_known() -> None:
    info = VideoPostInfo("MUTUAL_FOLLOW_FRIENDS")  # type: ignore[arg-type]
    assert info.privacy_level is PrivacyLevel.MUTUAL_FOLLOW_FRIENDS
    with pytest.raises(RequestValidationError, match="unknown privacy level"):
        VideoPostInfo("EVERYONE")  # type: ignore[arg-type]


def test_branded_content_cannot_be_private() -> None:
    with pytest.raises(RequestValidationError, match="Branded content"):
        VideoPostInfo(PrivacyLevel.SELF_ONLY, brand_content_toggle=True)
    with pytest.raises(RequestValidationError, match="Branded content"):
        PhotoPostInfo(PrivacyLevel.SELF_ONLY, brand_content_toggle=True)
    assert VideoPostInfo(PrivacyLevel.SELF_ONLY, brand_organic_toggle=True).brand_organic_toggle


@pytest.mark.parametrize("cover", [-1, 2**31, True])
def test_a_cover_timestamp_must_be_a_non_negative_int32(cover: int) -> None:
    with pytest.raises(RequestValidationError, match="video_cover_timestamp_ms"):
        VideoPostInfo(PrivacyLevel.SELF_ONLY, video_cover_timestamp_ms=cover)


def test_the_video_post_info_json_has_every_chosen_field() -> None:
    info = VideoPostInfo(
        PrivacyLevel.PUBLIC_TO_EVERYONE,
        title="hello #tag",
        disable_duet=True,
        video_cover_timestamp_ms=1500,
        brand_organic_toggle=True,
        is_aigc=True,
    )
    assert info.to_json() == {
        "privacy_level": "PUBLIC_TO_EVERYONE",
        "title": "hello #tag",
        "disable_comment": False,
        "disable_duet": True,
        "disable_stitch": False,
        "video_cover_timestamp_ms": 1500,
        "brand_content_toggle": False,
        "brand_organic_toggle": True,
        "is_aigc": True,
    }


def test_a_draft_photo_post_sends_only_title_and_description() -> None:
    info = PhotoPostInfo(title="t", description="d", disable_comment=True, auto_add_music=True)
    assert info.to_json(PostMode.MEDIA_UPLOAD) == {"title": "t", "description": "d"}


def test_a_direct_photo_post_needs_a_privacy_level() -> None:
    with pytest.raises(RequestValidationError, match="privacy_level"):
        PhotoPostInfo(title="t").to_json(PostMode.DIRECT_POST)


def test_sources_describe_themselves_for_the_init() -> None:
    assert FileUpload(plan_chunks(1234)).source_info() == {
        "source": "FILE_UPLOAD",
        "video_size": 1234,
        "chunk_size": 1234,
        "total_chunk_count": 1,
    }
    assert PullFromUrl("https://cdn/x.mp4").source_info() == {
        "source": "PULL_FROM_URL",
        "video_url": "https://cdn/x.mp4",
    }


@pytest.fixture
def offline_client() -> TikTokClient:
    # Validation happens before any request: an unreachable host proves nothing was sent.
    return TikTokClient(TikTokConfig("k", "secret-x", api_base="http://127.0.0.1:9"))


@pytest.mark.parametrize(("count", "cover"), [(0, 0), (36, 0), (3, 3), (3, -1)])
def test_photo_counts_and_cover_index_are_checked(
    offline_client: TikTokClient, count: int, cover: int
) -> None:
    urls = [f"https://cdn/p{i}.jpg" for i in range(count)]
    with pytest.raises(RequestValidationError):
        offline_client.init_photos(
            "act.x", urls, PhotoPostInfo(PrivacyLevel.SELF_ONLY), photo_cover_index=cover
        )
