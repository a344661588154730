"""Builders the post tests share: creator_info answers and typical posts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autoposter.posts.compose import Delivery, FieldError, PostKind, PostRequest
from autoposter.tiktok import CreatorInfo

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

PUBLIC_OPTIONS = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
PRIVATE_OPTIONS = ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


def creator(**overrides: Any) -> CreatorInfo:
    """A creator_info answer (§4.1) of a public account allowing everything, with overrides."""
    raw: dict[str, Any] = {
        "creator_avatar_url": "https://example.test/avatar.jpg",
        "creator_username": "sunny.studio",
        "creator_nickname": "Sunny Studio",
        "privacy_level_options": PUBLIC_OPTIONS,
        "comment_disabled": False,
        "duet_disabled": False,
        "stitch_disabled": False,
        "max_video_post_duration_sec": 600,
    }
    raw.update(overrides)
    return CreatorInfo.from_json(raw)


def video_post(clip: Path, **fields: Any) -> PostRequest:
    """A direct public video post, valid unless ``fields`` break it."""
    fields.setdefault("mode", Delivery.DIRECT)
    if fields["mode"] in (Delivery.DIRECT, "direct"):
        fields.setdefault("privacy_level", "PUBLIC_TO_EVERYONE")
    fields.setdefault("title", "a sunny afternoon #sketch")
    return PostRequest(kind=PostKind.VIDEO, media=(clip,), **fields)


def photo_post(photos: Sequence[Path], **fields: Any) -> PostRequest:
    """A direct public photo post, valid unless ``fields`` break it."""
    fields.setdefault("mode", Delivery.DIRECT)
    if fields["mode"] in (Delivery.DIRECT, "direct"):
        fields.setdefault("privacy_level", "PUBLIC_TO_EVERYONE")
    fields.setdefault("title", "three sketches")
    return PostRequest(kind=PostKind.PHOTO, media=tuple(photos), **fields)


def fields_of(errors: Sequence[FieldError]) -> list[str]:
    return [e.field for e in errors]


def message_for(errors: Sequence[FieldError], field: str) -> str:
    found = [e.message for e in errors if e.field == field]
    assert len(found) == 1, f"expected one error for {field}, got {errors}"
    return found[0]
