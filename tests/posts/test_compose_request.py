"""A PostRequest reads what the compose page, the CLI and CSV import hand it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from autoposter.posts.compose import Delivery, PostInputError, PostKind, PostRequest
from autoposter.tiktok import PrivacyLevel


def test_it_starts_with_every_interaction_and_disclosure_off_and_no_privacy() -> None:
    request = PostRequest(PostKind.VIDEO, Delivery.DIRECT, (Path("clip.mp4"),))
    assert request.privacy_level is None
    assert not (request.allow_comment or request.allow_duet or request.allow_stitch)
    assert not (request.commercial_content or request.brand_organic or request.brand_content)
    assert request.publish_at is None


def test_it_reads_kind_mode_and_privacy_typed_as_text() -> None:
    request = PostRequest(
        " Photo ",  # type: ignore[arg-type]
        "INBOX",  # type: ignore[arg-type]
        ["a.jpg", Path("b.webp")],  # type: ignore[arg-type]
        privacy_level=" self_only ",
    )
    assert (request.kind, request.mode) == (PostKind.PHOTO, Delivery.INBOX)
    assert request.media == (Path("a.jpg"), Path("b.webp"))
    assert request.privacy_level is PrivacyLevel.SELF_ONLY


def test_it_keeps_an_unknown_privacy_level_for_validation_to_name() -> None:
    request = PostRequest(PostKind.VIDEO, Delivery.DIRECT, (), privacy_level="friends")
    assert request.privacy_level == "FRIENDS"
    assert PostRequest(PostKind.VIDEO, Delivery.DIRECT, (), privacy_level="").privacy_level is None


@pytest.mark.parametrize(
    ("kind", "mode", "field", "hint"),
    [
        ("story", "direct", "kind", "use video or photo"),
        ("video", "later", "mode", "use direct or inbox"),
    ],
)
def test_it_names_the_field_of_an_unknown_kind_or_mode(
    kind: str, mode: str, field: str, hint: str
) -> None:
    with pytest.raises(PostInputError) as raised:
        PostRequest(kind, mode, ())  # type: ignore[arg-type]
    (error,) = raised.value.errors
    assert error.field == field
    assert hint in error.message


def test_it_keeps_the_publish_time_in_utc() -> None:
    berlin_evening = datetime(2026, 12, 1, 18, 0, tzinfo=timezone(timedelta(hours=1)))
    request = PostRequest(PostKind.VIDEO, Delivery.DIRECT, (), publish_at=berlin_evening)
    assert request.publish_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert request.publish_at is not None and request.publish_at.tzinfo is UTC
