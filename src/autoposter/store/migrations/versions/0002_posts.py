"""Posts: posts, their media and status history, each account's inits and status polls,
users' time zones.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATUSES = (
    "draft",
    "scheduled",
    "queued",
    "uploading",
    "processing",
    "published",
    "in_inbox",
    "failed",
    "cancelled",
    "expired",
)


def moment(name: str, nullable: bool = True) -> sa.Column[object]:
    """A point in time, stored in UTC (the models' UTCDateTime)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def flag(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC")
        )
    _create_posts()
    _create_post_media()
    _create_post_events()
    _create_account_inits()
    _create_account_polls()


def _create_posts() -> None:
    status_check = "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")"
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("privacy_level", sa.String(32), nullable=True),
        flag("allow_comment"),
        flag("allow_duet"),
        flag("allow_stitch"),
        flag("commercial_content"),
        flag("brand_organic"),
        flag("brand_content"),
        flag("is_aigc"),
        sa.Column("cover_timestamp_ms", sa.Integer(), nullable=True),
        sa.Column("photo_cover_index", sa.Integer(), nullable=False),
        flag("auto_add_music"),
        moment("publish_at"),
        sa.Column("status", sa.String(16), nullable=False),
        moment("confirm_by"),
        sa.Column("publish_id", sa.String(128), nullable=True),
        sa.Column("upload_url_ciphertext", sa.Text(), nullable=True),
        sa.Column("source", sa.String(16), nullable=True),
        sa.Column("tiktok_post_ids", sa.JSON(), nullable=False),
        sa.Column("fail_code", sa.String(64), nullable=True),
        sa.Column("fail_reason", sa.Text(), nullable=True),
        sa.Column("fail_message", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        moment("next_attempt_at"),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        moment("lease_until"),
        moment("created_at", nullable=False),
        moment("updated_at", nullable=False),
        sa.CheckConstraint(status_check, name=op.f("ck_posts_status")),
        sa.CheckConstraint("kind IN ('video', 'photo')", name=op.f("ck_posts_kind")),
        sa.CheckConstraint("mode IN ('direct', 'inbox')", name=op.f("ck_posts_mode")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_posts_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["tiktok_accounts.id"],
            name=op.f("fk_posts_account_id_tiktok_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("publish_id", name=op.f("uq_posts_publish_id")),
    )
    op.create_index(op.f("ix_posts_user_id"), "posts", ["user_id"])
    op.create_index(op.f("ix_posts_account_id"), "posts", ["account_id"])
    op.create_index("ix_posts_status_publish_at", "posts", ["status", "publish_at"])
    op.create_index("ix_posts_status_lease_until", "posts", ["status", "lease_until"])


def _create_post_media() -> None:
    op.create_table(
        "post_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stored_path", sa.Text(), nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        moment("deleted_at"),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_media_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_media")),
        sa.UniqueConstraint("post_id", "position", name=op.f("uq_post_media_post_id_position")),
    )
    op.create_index(op.f("ix_post_media_post_id"), "post_media", ["post_id"])


def _create_post_events() -> None:
    op.create_table(
        "post_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        moment("at", nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_events_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_events")),
    )
    op.create_index(op.f("ix_post_events_post_id"), "post_events", ["post_id"])


def _create_account_inits() -> None:
    op.create_table(
        "account_inits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        moment("at", nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("publish_id", sa.String(128), nullable=True),
        flag("draft_finished"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["tiktok_accounts.id"],
            name=op.f("fk_account_inits_account_id_tiktok_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_account_inits_post_id_posts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_inits")),
    )
    op.create_index("ix_account_inits_account_id_at", "account_inits", ["account_id", "at"])
    op.create_index(op.f("ix_account_inits_publish_id"), "account_inits", ["publish_id"])


def _create_account_polls() -> None:
    op.create_table(
        "account_polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        moment("at", nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["tiktok_accounts.id"],
            name=op.f("fk_account_polls_account_id_tiktok_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_polls")),
    )
    op.create_index("ix_account_polls_account_id_at", "account_polls", ["account_id", "at"])


def downgrade() -> None:
    op.drop_table("account_polls")
    op.drop_table("account_inits")
    op.drop_table("post_events")
    op.drop_table("post_media")
    op.drop_table("posts")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
