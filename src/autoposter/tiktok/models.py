"""Typed answers of TikTok's APIs. Each keeps the raw JSON too, for fields added later."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .errors import FailReason, UnexpectedResponse, describe_fail_reason
from .redaction import mask


@dataclass(frozen=True)
class TokenSet:
    """A creator's tokens (§1.4/§1.5). Expiry times are computed from ``expires_in`` when the
    answer arrived — TikTok's lifetimes vary (24 h or 2 h, §1.6), so nothing is hard-coded.

    After a refresh always store the whole new set: the refresh token rotates (§1.5).
    The repr masks both tokens so a TokenSet can be logged or printed safely.
    """

    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    open_id: str
    scopes: tuple[str, ...]
    token_type: str
    received_at: datetime

    @property
    def access_expires_at(self) -> datetime:
        return self.received_at + timedelta(seconds=self.expires_in)

    @property
    def refresh_expires_at(self) -> datetime:
        return self.received_at + timedelta(seconds=self.refresh_expires_in)

    def __repr__(self) -> str:
        return (
            f"TokenSet(access_token={mask(self.access_token)!r}, "
            f"refresh_token={mask(self.refresh_token)!r}, open_id={self.open_id!r}, "
            f"scopes={self.scopes!r}, token_type={self.token_type!r}, "
            f"access_expires_at={self.access_expires_at.isoformat()!r}, "
            f"refresh_expires_at={self.refresh_expires_at.isoformat()!r})"
        )

    __str__ = __repr__


AccessToken = str | TokenSet


def bearer_token(token: AccessToken) -> str:
    """The access token string, from a TokenSet or the string itself."""
    return token.access_token if isinstance(token, TokenSet) else token


@dataclass(frozen=True)
class ClientToken:
    """A client access token (§1.8): Research/Commercial Content APIs only, not posting."""

    access_token: str
    expires_in: int
    token_type: str
    received_at: datetime

    @property
    def expires_at(self) -> datetime:
        return self.received_at + timedelta(seconds=self.expires_in)

    def __repr__(self) -> str:
        return (
            f"ClientToken(access_token={mask(self.access_token)!r}, "
            f"expires_at={self.expires_at.isoformat()!r})"
        )

    __str__ = __repr__


def _opt_str(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return None if value is None else str(value)


def _opt_int(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class UserInfo:
    """``data.user`` of /v2/user/info/ (§3.1): only the requested fields are set."""

    open_id: str | None = None
    union_id: str | None = None
    avatar_url: str | None = None
    avatar_url_100: str | None = None
    avatar_large_url: str | None = None
    display_name: str | None = None
    bio_description: str | None = None
    profile_deep_link: str | None = None
    profile_web_link: str | None = None
    is_verified: bool | None = None
    username: str | None = None
    follower_count: int | None = None
    following_count: int | None = None
    likes_count: int | None = None
    video_count: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> UserInfo:
        strings = (
            "open_id",
            "union_id",
            "avatar_url",
            "avatar_url_100",
            "avatar_large_url",
            "display_name",
            "bio_description",
            "profile_deep_link",
            "profile_web_link",
            "username",
        )
        counts = ("follower_count", "following_count", "likes_count", "video_count")
        verified = raw.get("is_verified")
        values: dict[str, Any] = {name: _opt_str(raw, name) for name in strings}
        values.update({name: _opt_int(raw, name) for name in counts})
        values["is_verified"] = None if verified is None else bool(verified)
        return cls(**values, raw=dict(raw))


@dataclass(frozen=True)
class Video:
    """A Video Object (§3.4). ``id`` is a string of digits; ``create_time`` Unix seconds."""

    id: str | None = None
    create_time: int | None = None
    cover_image_url: str | None = None
    share_url: str | None = None
    video_description: str | None = None
    duration: int | None = None
    height: int | None = None
    width: int | None = None
    title: str | None = None
    embed_html: str | None = None
    embed_link: str | None = None
    like_count: int | None = None
    comment_count: int | None = None
    share_count: int | None = None
    view_count: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Video:
        strings = (
            "id",
            "cover_image_url",
            "share_url",
            "video_description",
            "title",
            "embed_html",
            "embed_link",
        )
        ints = (
            "create_time",
            "duration",
            "height",
            "width",
            "like_count",
            "comment_count",
            "share_count",
            "view_count",
        )
        values: dict[str, Any] = {name: _opt_str(raw, name) for name in strings}
        values.update({name: _opt_int(raw, name) for name in ints})
        return cls(**values, raw=dict(raw))


@dataclass(frozen=True)
class VideoPage:
    """One page of /v2/video/list/ (§3.2): pass ``cursor`` back while ``has_more``."""

    videos: list[Video]
    cursor: int | None
    has_more: bool


@dataclass(frozen=True)
class CreatorInfo:
    """creator_info/query (§4.1): what the posting page must show and offer."""

    creator_avatar_url: str
    creator_username: str
    creator_nickname: str
    privacy_level_options: tuple[str, ...]
    comment_disabled: bool
    duet_disabled: bool
    stitch_disabled: bool
    max_video_post_duration_sec: int | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> CreatorInfo:
        options = raw.get("privacy_level_options") or []
        return cls(
            creator_avatar_url=str(raw.get("creator_avatar_url") or ""),
            creator_username=str(raw.get("creator_username") or ""),
            creator_nickname=str(raw.get("creator_nickname") or ""),
            privacy_level_options=tuple(str(o) for o in options),
            comment_disabled=bool(raw.get("comment_disabled", False)),
            duet_disabled=bool(raw.get("duet_disabled", False)),
            stitch_disabled=bool(raw.get("stitch_disabled", False)),
            max_video_post_duration_sec=_opt_int(raw, "max_video_post_duration_sec"),
            raw=dict(raw),
        )


@dataclass(frozen=True)
class PublishTicket:
    """An accepted init (§4.2–4.4): keep ``publish_id`` before uploading anything.

    ``upload_url`` (FILE_UPLOAD only) is opaque and valid for 1 hour (§0.1, §4.2).
    """

    publish_id: str
    upload_url: str | None = field(default=None, repr=False)


FINAL_STATUSES = frozenset({"PUBLISH_COMPLETE", "FAILED"})


@dataclass(frozen=True)
class PublishStatus:
    """status/fetch (§4.7). ``post_ids`` are exact 19-digit ints (never floats)."""

    status: str
    fail_reason: str | None
    post_ids: tuple[int, ...]
    uploaded_bytes: int | None
    downloaded_bytes: int | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_final(self) -> bool:
        """FAILED or PUBLISH_COMPLETE. (An inbox draft can still yield more posts, §4.0.)"""
        return self.status in FINAL_STATUSES

    @property
    def failure(self) -> FailReason | None:
        if self.status != "FAILED":
            return None
        return describe_fail_reason(self.fail_reason or "unknown")

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PublishStatus:
        ids = raw.get("publicaly_available_post_id")  # (sic) §4.7
        if ids is None:
            ids = raw.get("publicly_available_post_id")
        return cls(
            status=str(raw.get("status") or ""),
            fail_reason=_opt_str(raw, "fail_reason") or None,
            post_ids=parse_post_ids(ids),
            uploaded_bytes=_opt_int(raw, "uploaded_bytes"),
            downloaded_bytes=_opt_int(raw, "downloaded_bytes"),
            raw=dict(raw),
        )


def parse_post_ids(value: object) -> tuple[int, ...]:
    """§4.7: a list of int64 (or, seen once, a scalar); ints given as strings are accepted.

    JSON is parsed with Python's int, so 19-digit ids keep every digit; a float here would
    already have lost precision, so it is refused rather than silently rounded.
    """
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list) else [value]
    ids: list[int] = []
    for item in items:
        if isinstance(item, bool | float):
            raise UnexpectedResponse(
                f"publicaly_available_post_id holds {type(item).__name__} {item!r}, "
                "which cannot be an exact post id"
            )
        if isinstance(item, int):
            ids.append(item)
        elif isinstance(item, str) and item.strip().isdigit():
            ids.append(int(item.strip()))
        else:
            raise UnexpectedResponse(f"publicaly_available_post_id holds {item!r}")
    return tuple(ids)
