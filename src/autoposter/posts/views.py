"""Read-only views of posts for the adapters, and a stored post as a :class:`PostRequest` again.

Views never hold the upload URL (it carries TikTok's upload credential) nor lease details.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from ..config import Settings
from ..store.models import Post, PostMedia, PostStatusEvent
from .compose import Delivery, PostKind, PostRequest
from .media_store import path_of


@dataclass(frozen=True)
class MediaView:
    position: int
    name: str
    size_bytes: int
    content_type: str
    # True once the file is gone: TikTok has it, or the post ended without it.
    deleted: bool

    @classmethod
    def of(cls, media: PostMedia) -> MediaView:
        return cls(
            media.position,
            media.original_name,
            media.size_bytes,
            media.content_type,
            media.deleted_at is not None,
        )


@dataclass(frozen=True)
class PostView:
    """A post as the dashboard, API and CLI show it. ``account_id`` None: the account was
    disconnected."""

    id: int
    user_id: int
    account_id: int | None
    kind: str
    mode: str
    title: str
    description: str
    privacy_level: str | None
    allow_comment: bool
    allow_duet: bool
    allow_stitch: bool
    commercial_content: bool
    brand_organic: bool
    brand_content: bool
    is_aigc: bool
    cover_timestamp_ms: int | None
    photo_cover_index: int
    auto_add_music: bool
    publish_at: datetime | None
    status: str
    confirm_by: datetime | None
    publish_id: str | None
    tiktok_post_ids: tuple[str, ...]
    fail_code: str | None
    fail_reason: str | None
    fail_message: str | None
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    media: tuple[MediaView, ...]

    @property
    def account_disconnected(self) -> bool:
        return self.account_id is None

    @classmethod
    def of(cls, post: Post, media: Sequence[PostMedia]) -> PostView:
        views = tuple(MediaView.of(m) for m in sorted(media, key=lambda m: m.position))
        return cls.of_columns([getattr(post, name) for name in POST_VIEW_COLUMNS], views)

    @classmethod
    def of_columns(cls, values: Sequence[Any], media: tuple[MediaView, ...]) -> PostView:
        """From the values of :data:`POST_VIEW_COLUMNS`, in that order (a row selecting
        them): how a list builds fifty views without loading a Post object for each."""
        fields_in_order = list(values)
        ids = fields_in_order[_TIKTOK_IDS_AT]
        fields_in_order[_TIKTOK_IDS_AT] = tuple(ids) if ids else ()
        fields_in_order.append(media)
        return cls(*fields_in_order)

    def tiktok_url(self, username: str | None, post_id: str | None = None) -> str | None:
        """Where the post (``post_id``, else the first id TikTok gave, §4.7
        publicaly_available_post_id) is on TikTok, once the account's username is known."""
        if post_id is None:
            post_id = next(iter(self.tiktok_post_ids), None)
        if post_id is None or not username:
            return None
        kind = "photo" if self.kind == "photo" else "video"
        return f"https://www.tiktok.com/@{username}/{kind}/{post_id}"


_VIEW_FIELDS = tuple(f.name for f in fields(PostView))
assert _VIEW_FIELDS[-1] == "media", "PostView.of_columns passes media last"
# The columns of ``posts`` a PostView shows, in its field order (all its fields but media).
POST_VIEW_COLUMNS: tuple[str, ...] = _VIEW_FIELDS[:-1]
_TIKTOK_IDS_AT = POST_VIEW_COLUMNS.index("tiktok_post_ids")


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a post's history: a status change, or a note with an unchanged status."""

    from_status: str | None
    to_status: str
    at: datetime
    detail: str

    @classmethod
    def of(cls, event: PostStatusEvent) -> HistoryEntry:
        return cls(event.from_status, event.to_status, event.at, event.detail)


# The PostRequest fields stored in ``posts`` columns of the same name: all but the kind and
# mode (enums there, text in the table) and the media (rows of their own).
_STORED_AS_IS = tuple(
    f.name for f in fields(PostRequest) if f.name not in ("kind", "mode", "media")
)


def request_of(
    settings: Settings, post: Post, media: Sequence[PostMedia] | None = None
) -> PostRequest:
    """The stored post as the request it was composed from, its media at their stored paths."""
    paths: tuple[Path, ...] = tuple(
        path_of(settings, m.stored_path) for m in sorted(media or (), key=lambda m: m.position)
    )
    stored = {name: getattr(post, name) for name in _STORED_AS_IS}
    return PostRequest(kind=PostKind(post.kind), mode=Delivery(post.mode), media=paths, **stored)


def request_columns(request: PostRequest) -> dict[str, object]:
    """The columns of ``posts`` that a request fills in (media apart)."""
    columns: dict[str, object] = {name: getattr(request, name) for name in _STORED_AS_IS}
    columns["privacy_level"] = str(request.privacy_level) if request.privacy_level else None
    return {"kind": request.kind.value, "mode": request.mode.value, **columns}
