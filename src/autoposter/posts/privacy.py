"""Posts in a user's data export, and their media files in an erasure.

Registered with :mod:`autoposter.accounts.privacy` when :mod:`autoposter.posts` is imported.
The export holds each post, its media (names and sizes, not the bytes) and its history; no
upload URL (it carries TikTok's upload credential). Erasing deletes the media files; the rows
go with the user (ON DELETE CASCADE).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts import Context, register_erase_step, register_export_section
from ..store.models import Post, PostMedia, PostStatusEvent
from .media_store import remove_stored


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_posts(session: Session, user_id: int) -> list[dict[str, Any]]:
    records = []
    for post in session.scalars(select(Post).where(Post.user_id == user_id).order_by(Post.id)):
        media = session.scalars(
            select(PostMedia).where(PostMedia.post_id == post.id).order_by(PostMedia.position)
        )
        events = session.scalars(
            select(PostStatusEvent)
            .where(PostStatusEvent.post_id == post.id)
            .order_by(PostStatusEvent.id)
        )
        records.append(
            {
                **_post_fields(post),
                "media": [
                    {
                        "position": m.position,
                        "name": m.original_name,
                        "size_bytes": m.size_bytes,
                        "content_type": m.content_type,
                        "deleted_at": _iso(m.deleted_at),
                    }
                    for m in media
                ],
                "history": [
                    {"from": e.from_status, "to": e.to_status, "at": _iso(e.at), "detail": e.detail}
                    for e in events
                ],
            }
        )
    return records


def _post_fields(post: Post) -> dict[str, Any]:
    plain = [
        "id",
        "account_id",
        "kind",
        "mode",
        "title",
        "description",
        "privacy_level",
        "allow_comment",
        "allow_duet",
        "allow_stitch",
        "commercial_content",
        "brand_organic",
        "brand_content",
        "is_aigc",
        "cover_timestamp_ms",
        "photo_cover_index",
        "auto_add_music",
        "status",
        "publish_id",
        "source",
        "fail_code",
        "fail_reason",
        "fail_message",
        "attempts",
    ]
    fields: dict[str, Any] = {name: getattr(post, name) for name in plain}
    fields["tiktok_post_ids"] = list(post.tiktok_post_ids or [])
    for name in ("publish_at", "confirm_by", "created_at", "updated_at"):
        fields[name] = _iso(getattr(post, name))
    return fields


def erase_media(ctx: Context, user_id: int) -> None:
    with ctx.db.session() as session:
        stored = list(
            session.scalars(
                select(PostMedia.stored_path)
                .join(Post, Post.id == PostMedia.post_id)
                .where(Post.user_id == user_id, PostMedia.deleted_at.is_(None))
            )
        )
    remove_stored(ctx.settings, stored)


def register() -> None:
    register_export_section("posts", export_posts)
    register_erase_step(erase_media)
