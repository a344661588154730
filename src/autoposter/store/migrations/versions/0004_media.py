"""Media uploads of the REST API, and the indexes the post lists page through.

``media_uploads`` holds files uploaded on their own (``POST /api/v1/media``) until a post
uses them. The two expression indexes on ``posts`` follow the lists' keyset order,
``coalesce(publish_at, created_at), id`` per user and per account, so a page costs the same
however many posts there are.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WHEN = sa.text("coalesce(publish_at, created_at)")


def upgrade() -> None:
    op.create_table(
        "media_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("stored_path", sa.Text(), nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('video', 'photo')", name=op.f("ck_media_uploads_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_media_uploads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_uploads")),
    )
    op.create_index(op.f("ix_media_uploads_user_id"), "media_uploads", ["user_id"])
    op.create_index(op.f("ix_media_uploads_created_at"), "media_uploads", ["created_at"])
    op.create_index("ix_posts_user_id_when", "posts", [sa.column("user_id"), WHEN, "id"])
    op.create_index("ix_posts_account_id_when", "posts", [sa.column("account_id"), WHEN, "id"])


def downgrade() -> None:
    op.drop_index("ix_posts_account_id_when", table_name="posts")
    op.drop_index("ix_posts_user_id_when", table_name="posts")
    op.drop_table("media_uploads")
