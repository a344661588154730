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
        return cls(
            id=post.id,
            user_id=post.user_id,
            account_id=post.account_id,
            kind=post.kind,
            mode=post.mode,
            title=post.title,
            description=post.description,
            privacy_level=post.privacy_level,
            allow_comment=post.allow_comment,
            allow_duet=post.allow_duet,
            allow_stitch=post.allow_stitch,
            commercial_content=post.commercial_content,
            brand_organic=post.brand_organic,
            brand_content=post.brand_content,
            is_aigc=post.is_aigc,
            cover_timestamp_ms=post.cover_timestamp_ms,
            photo_cover_index=post.photo_cover_index,
            auto_add_music=post.auto_add_music,
            publish_at=post.publish_at,
            status=post.status,
            confirm_by=post.confirm_by,
            publish_id=post.publish_id,
            tiktok_post_ids=tuple(post.tiktok_post_ids or ()),
            fail_code=post.fail_code,
            fail_reason=post.fail_reason,
            fail_message=post.fail_message,
            attempts=post.attempts,
            next_attempt_at=post.next_attempt_at,
            created_at=post.created_at,
            updated_at=post.updated_at,
            media=tuple(MediaView.of(m) for m in sorted(media, key=lambda m: m.position)),
        )

    @classmethod
    def of_columns(cls, values: Sequence[Any], media: tuple[MediaView, ...]) -> PostView:
        """From the values of :data:`POST_VIEW_COLUMNS`, in that order (a row selecting
        them): how a list builds fifty views without loading a Post object for each."""
        fields_in_order = list(values)
        ids = fields_in_order[_TIKTOK_IDS_AT]
        fields_in_order[_TIKTOK_IDS_AT] = tuple(ids) if ids else ()
        fields_in_order.append(media)
        return cls(*fields_in_order)


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


def request_of(
    settings: Settings, post: Post, media: Sequence[PostMedia] | None = None
) -> PostRequest:
    """The stored post as the request it was composed from, its media at their stored paths."""
    paths: tuple[Path, ...] = tuple(
        path_of(settings, m.stored_path) for m in sorted(media or (), key=lambda m: m.position)
    )
    return PostRequest(
        kind=PostKind(post.kind),
        mode=Delivery(post.mode),
        media=paths,
        title=post.title,
        description=post.description,
        privacy_level=post.privacy_level,
        allow_comment=post.allow_comment,
        allow_duet=post.allow_duet,
        allow_stitch=post.allow_stitch,
        commercial_content=post.commercial_content,
        brand_organic=post.brand_organic,
        brand_content=post.brand_content,
        is_aigc=post.is_aigc,
        cover_timestamp_ms=post.cover_timestamp_ms,
        auto_add_music=post.auto_add_music,
        photo_cover_index=post.photo_cover_index,
        publish_at=post.publish_at,
    )


def request_columns(request: PostRequest) -> dict[str, object]:
    """The columns of ``posts`` that a request fills in (media apart)."""
    return {
        "kind": request.kind.value,
        "mode": request.mode.value,
        "title": request.title,
        "description": request.description,
        "privacy_level": str(request.privacy_level) if request.privacy_level else None,
        "allow_comment": request.allow_comment,
        "allow_duet": request.allow_duet,
        "allow_stitch": request.allow_stitch,
        "commercial_content": request.commercial_content,
        "brand_organic": request.brand_organic,
        "brand_content": request.brand_content,
        "is_aigc": request.is_aigc,
        "cover_timestamp_ms": request.cover_timestamp_ms,
        "photo_cover_index": request.photo_cover_index,
        "auto_add_music": request.auto_add_music,
        "publish_at": request.publish_at,
    }
