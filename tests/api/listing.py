"""Posts written straight into the database, for the list tests (composing each through
TikTok's creator_info would only make them slow)."""

from __future__ import annotations

from datetime import datetime

from autoposter.accounts import Context
from autoposter.store.models import Post


def insert_posts(
    ctx: Context,
    user_id: int,
    account_id: int | None,
    times: list[datetime | None],
    *,
    status: str = "scheduled",
    created_at: datetime,
) -> list[int]:
    """One post per entry of ``times`` (its publish_at); returns their ids in order."""
    rows = [
        Post(
            user_id=user_id,
            account_id=account_id,
            kind="video",
            mode="direct",
            title=f"post {i}",
            description="",
            privacy_level="SELF_ONLY",
            status=status,
            tiktok_post_ids=[],
            attempts=0,
            publish_at=when,
            created_at=created_at,
            updated_at=created_at,
        )
        for i, when in enumerate(times)
    ]
    with ctx.db.session() as session:
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]
