"""The body schema of the three init endpoints (§4.2, §4.3, §4.4), checked field by field.

Every problem is a 400 ``invalid_params`` whose message names the field and says what to send
(the sandbox emits the real ``invalid_params`` spelling, not the docs' ``invalid_param``, §5).
Unknown fields are ignored, as clients send extras TikTok tolerates (§4.3).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from .chunks import MAX_VIDEO
from .errors import ApiError

PRIVACY_LEVELS = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY")
POST_MODES = ("DIRECT_POST", "MEDIA_UPLOAD")
SOURCES = ("FILE_UPLOAD", "PULL_FROM_URL")
MAX_VIDEO_TITLE = 2200  # §4.2, UTF-16 code units
MAX_PHOTO_TITLE = 90  # §4.4
MAX_PHOTO_DESCRIPTION = 4000  # §4.4
MAX_PHOTOS = 35  # §4.4

_VIDEO_POST_FLAGS = (
    "disable_duet",
    "disable_stitch",
    "disable_comment",
    "brand_content_toggle",
    "brand_organic_toggle",
    "is_aigc",
)
_PHOTO_POST_FLAGS = (
    "disable_comment",
    "auto_add_music",
    "brand_content_toggle",
    "brand_organic_toggle",
    "is_aigc",
)


@dataclass
class InitRequest:
    """A schema-valid init request, whatever endpoint it came through."""

    media: str  # "video" | "photo"
    mode: str  # "DIRECT_POST" | "MEDIA_UPLOAD"
    source: str  # "FILE_UPLOAD" | "PULL_FROM_URL"
    post_info: dict[str, Any] = field(default_factory=dict)
    source_info: dict[str, Any] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)

    @property
    def direct(self) -> bool:
        return self.mode == "DIRECT_POST"

    @property
    def privacy_level(self) -> str | None:
        value = self.post_info.get("privacy_level")
        return value if isinstance(value, str) else None


def invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_params", message)


def parse_json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw.strip() else None
    except ValueError:
        raise invalid("The request body is not valid JSON; send a JSON object.") from None
    if not isinstance(value, dict):
        raise invalid("The request body must be a JSON object.")
    return value


def peek_post_mode(raw: bytes) -> str | None:
    """The photo ``post_mode`` before validation: it decides which scope is needed (§4.4)."""
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    mode = value.get("post_mode") if isinstance(value, dict) else None
    return mode if mode in POST_MODES else None


def video_request(body: dict[str, Any], mode: str) -> InitRequest:
    """``video/init`` (direct) or ``inbox/video/init`` (MEDIA_UPLOAD)."""
    source_info = _object(body, "source_info", required=True)
    source = _enum(source_info, "source_info.source", SOURCES, required=True)
    if mode == "DIRECT_POST":
        post_info = _object(body, "post_info", required=False)
        _check_video_post_info(post_info)
    else:
        # §4.3: inbox init takes only source_info; a post_info is accepted and ignored.
        raw_post_info = body.get("post_info")
        post_info = raw_post_info if isinstance(raw_post_info, dict) else {}
    request = InitRequest("video", mode, source, post_info, source_info)
    if source == "FILE_UPLOAD":
        _check_file_sizes(source_info)
    else:
        request.urls = [_url(source_info, "video_url")]
    return request


def photo_request(body: dict[str, Any]) -> InitRequest:
    """``content/init`` with ``media_type`` PHOTO (§4.4)."""
    media_type = body.get("media_type")
    if media_type != "PHOTO":
        raise invalid(f"media_type must be PHOTO, got {media_type!r}.")
    mode = _enum(body, "post_mode", POST_MODES, required=True)
    post_info = _object(body, "post_info", required=False)
    _check_photo_post_info(post_info)
    _bool(body, "is_aigc", "is_aigc")  # §4.4: top level in the 2026 page.
    source_info = _object(body, "source_info", required=True)
    source = _enum(source_info, "source_info.source", SOURCES, required=True)
    if source != "PULL_FROM_URL":
        raise invalid(
            "source_info.source must be PULL_FROM_URL: photos cannot be uploaded as files."
        )
    urls = _photo_urls(source_info)
    return InitRequest("photo", mode, source, post_info, source_info, urls)


def _check_video_post_info(post_info: dict[str, Any]) -> None:
    _enum(post_info, "post_info.privacy_level", PRIVACY_LEVELS, required=False)
    _text(post_info, "title", "post_info.title", MAX_VIDEO_TITLE)
    for flag in _VIDEO_POST_FLAGS:
        _bool(post_info, flag, f"post_info.{flag}")
    cover = post_info.get("video_cover_timestamp_ms")
    if cover is not None and (not _is_int(cover) or cover < 0):
        raise invalid("post_info.video_cover_timestamp_ms must be a non-negative integer.")


def _check_photo_post_info(post_info: dict[str, Any]) -> None:
    _enum(post_info, "post_info.privacy_level", PRIVACY_LEVELS, required=False)
    _text(post_info, "title", "post_info.title", MAX_PHOTO_TITLE)
    _text(post_info, "description", "post_info.description", MAX_PHOTO_DESCRIPTION)
    for flag in _PHOTO_POST_FLAGS:
        _bool(post_info, flag, f"post_info.{flag}")


def _check_file_sizes(source_info: dict[str, Any]) -> None:
    for name in ("video_size", "chunk_size", "total_chunk_count"):
        value = source_info.get(name)
        if value is None:
            raise invalid(f"source_info.{name} is required for FILE_UPLOAD.")
        if not _is_int(value) or value < 1:
            raise invalid(f"source_info.{name} must be a positive integer, got {value!r}.")
    if source_info["video_size"] > MAX_VIDEO:
        raise invalid(f"source_info.video_size exceeds the {MAX_VIDEO}-byte (4 GB) limit.")


def _photo_urls(source_info: dict[str, Any]) -> list[str]:
    images = source_info.get("photo_images")
    if not isinstance(images, list) or not 1 <= len(images) <= MAX_PHOTOS:
        raise invalid(f"source_info.photo_images must be a list of 1 to {MAX_PHOTOS} image URLs.")
    urls = [_url_value(url, f"source_info.photo_images[{i}]") for i, url in enumerate(images)]
    index = source_info.get("photo_cover_index")
    if not _is_int(index) or not 0 <= index < len(urls):
        raise invalid(
            f"source_info.photo_cover_index must be an integer from 0 to {len(urls) - 1}, "
            f"got {index!r}."
        )
    return urls


def _url(source_info: dict[str, Any], name: str) -> str:
    value = source_info.get(name)
    if value is None:
        raise invalid(f"source_info.{name} is required for PULL_FROM_URL.")
    return _url_value(value, f"source_info.{name}")


def _url_value(value: object, where: str) -> str:
    # §4.6 asks for https; plain http is let through so tests can serve media locally — the
    # verified-prefix check decides what may be pulled.
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise invalid(f"{where} must be an https URL, got {value!r}.")
    return value


def _object(body: dict[str, Any], name: str, *, required: bool) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        if required:
            raise invalid(f"{name} is required.")
        return {}
    if not isinstance(value, dict):
        raise invalid(f"{name} must be a JSON object.")
    return value


def _enum(obj: dict[str, Any], where: str, allowed: tuple[str, ...], *, required: bool) -> str:
    value = obj.get(where.rpartition(".")[2])
    if value is None and not required:
        return ""
    if value not in allowed:
        raise invalid(f"{where} must be one of {', '.join(allowed)}; got {value!r}.")
    return str(value)


def _bool(obj: dict[str, Any], name: str, where: str) -> None:
    value = obj.get(name)
    if value is not None and not isinstance(value, bool):
        raise invalid(f"{where} must be true or false, got {value!r}.")


def _text(obj: dict[str, Any], name: str, where: str, max_units: int) -> None:
    value = obj.get(name)
    if value is None:
        return
    if not isinstance(value, str):
        raise invalid(f"{where} must be a string.")
    units = utf16_length(value)
    if units > max_units:
        raise invalid(f"{where} is {units} UTF-16 code units long; the limit is {max_units}.")


def utf16_length(text: str) -> int:
    """Length as TikTok counts it (§4.2): characters outside the BMP count twice."""
    return len(text.encode("utf-16-le")) // 2


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
