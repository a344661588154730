"""Posts, their media and history, and each account's init history for pacing.

A post belongs to one user and, while it is connected, one TikTok account: disconnecting the
account sets ``account_id`` to NULL (shown as "disconnected account"), and erasing the user
deletes the posts with them (ON DELETE CASCADE). The ``status`` follows the state machine in
``autoposter.posts.machine``; every change of it is a compare-and-set and leaves a
``post_events`` row.

The upload URL carries TikTok's upload credential (§0.1), so it is stored encrypted by the
vault (``upload_url_ciphertext``, associated data ``"posts:<id>:upload_url"``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, UTCDateTime

DRAFT = "draft"
SCHEDULED = "scheduled"
QUEUED = "queued"
UPLOADING = "uploading"
PROCESSING = "processing"
PUBLISHED = "published"
IN_INBOX = "in_inbox"
FAILED = "failed"
CANCELLED = "cancelled"
EXPIRED = "expired"
POST_STATUSES = (
    DRAFT,
    SCHEDULED,
    QUEUED,
    UPLOADING,
    PROCESSING,
    PUBLISHED,
    IN_INBOX,
    FAILED,
    CANCELLED,
    EXPIRED,
)
_STATUS_CHECK = "status IN (" + ", ".join(f"'{s}'" for s in POST_STATUSES) + ")"


class Post(Base):
    """One video or photo post, from draft to its end (see the module docstring)."""

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="status"),
        CheckConstraint("kind IN ('video', 'photo')", name="kind"),
        CheckConstraint("mode IN ('direct', 'inbox')", name="mode"),
        # The dispatcher's "scheduled and due", and the reconciler's "active, lease expired".
        Index("ix_posts_status_publish_at", "status", "publish_at"),
        Index("ix_posts_status_lease_until", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("tiktok_accounts.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    privacy_level: Mapped[str | None] = mapped_column(String(32))
    allow_comment: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_duet: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_stitch: Mapped[bool] = mapped_column(Boolean, default=False)
    commercial_content: Mapped[bool] = mapped_column(Boolean, default=False)
    brand_organic: Mapped[bool] = mapped_column(Boolean, default=False)
    brand_content: Mapped[bool] = mapped_column(Boolean, default=False)
    is_aigc: Mapped[bool] = mapped_column(Boolean, default=False)
    cover_timestamp_ms: Mapped[int | None] = mapped_column(Integer)
    photo_cover_index: Mapped[int] = mapped_column(Integer, default=0)
    auto_add_music: Mapped[bool] = mapped_column(Boolean, default=False)
    # None while a draft means "as soon as it is confirmed"; confirming fills it in.
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    publish_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    upload_url_ciphertext: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(16))  # FILE_UPLOAD | PULL_FROM_URL
    tiktok_post_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    fail_code: Mapped[str | None] = mapped_column(String(64))
    fail_reason: Mapped[str | None] = mapped_column(Text)
    fail_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The post lists' keyset order (autoposter.posts.listing): newest first by when the post
# goes (or went) out, or was composed when it has no time yet, then by id. Expression
# indexes, so a page costs the same however many posts there are.
POST_WHEN = func.coalesce(Post.publish_at, Post.created_at)
Index("ix_posts_user_id_when", Post.user_id, POST_WHEN, Post.id)
Index("ix_posts_user_id_status_when", Post.user_id, Post.status, POST_WHEN, Post.id)
Index("ix_posts_account_id_when", Post.account_id, POST_WHEN, Post.id)


class PostMedia(Base):
    """One stored media file of a post; ``stored_path`` is relative to the media directory.

    ``deleted_at`` is set once the file is gone (TikTok has it, or the post ended without it).
    """

    __tablename__ = "post_media"
    __table_args__ = (UniqueConstraint("post_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    stored_path: Mapped[str] = mapped_column(Text)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(64))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PostStatusEvent(Base):
    """One change of a post's status (``from_status`` is NULL for its creation), or a note
    about it with an unchanged status (an edit, a retry), kept for the post's history."""

    __tablename__ = "post_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    detail: Mapped[str] = mapped_column(Text, default="")


class AccountInit(Base):
    """An init sent (or about to be sent) for an account: the history the pacer reads (§6).

    ``mode`` is ``direct`` or ``inbox``; ``draft_finished`` marks an inbox draft the creator
    finished (or that failed), which no longer counts towards the pending-share cap.
    """

    __tablename__ = "account_inits"
    __table_args__ = (Index("ix_account_inits_account_id_at", "account_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("tiktok_accounts.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    mode: Mapped[str] = mapped_column(String(16))
    publish_id: Mapped[str | None] = mapped_column(String(128), index=True)
    draft_finished: Mapped[bool] = mapped_column(Boolean, default=False)


class AccountPoll(Base):
    """A status/fetch sent for an account: TikTok allows 30 a minute per token (§6), shared
    by every post of the account, so the engine paces polls over this history."""

    __tablename__ = "account_polls"
    __table_args__ = (Index("ix_account_polls_account_id_at", "account_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("tiktok_accounts.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
