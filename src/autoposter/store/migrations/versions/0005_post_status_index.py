"""An index for listing a user's posts of one status, newest first.

Without it, a filter on a status few posts have walks every post of the user to fill a
page; with it, each status is its own index range (see ``posts/listing.py``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEX = "ix_posts_user_id_status_when"


def upgrade() -> None:
    op.create_index(
        INDEX,
        "posts",
        [
            sa.column("user_id"),
            sa.column("status"),
            sa.text("coalesce(publish_at, created_at)"),
            sa.column("id"),
        ],
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="posts")
