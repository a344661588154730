"""The periodic clean-up: whatever an ended post left behind goes, and old history is forgotten."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from autoposter.posts import clean_up, create_post
from autoposter.store.models import Post
from tests.engine import Harness
from tests.posts.support import video_post


def test_media_left_by_a_failed_post_is_deleted_by_the_clean_up(
    harness: Harness, clip: Path
) -> None:
    draft = create_post(harness.ctx, harness.user, harness.account_id, video_post(clip)).post
    # As if a worker died between failing the post and deleting its files.
    with harness.ctx.db.session() as session:
        session.execute(update(Post).where(Post.id == draft.id).values(status="failed"))
    assert len(harness.media_files()) == 1
    report = clean_up(harness.ctx)
    assert report.media_deleted == 1
    assert harness.media_files() == []
    assert [m.deleted for m in harness.post(draft.id).media] == [True]


def test_init_history_older_than_a_day_is_forgotten(harness: Harness, clip: Path) -> None:
    harness.finish(harness.compose(video_post(clip)).id)
    assert clean_up(harness.ctx).inits_forgotten == 0  # still counts for TikTok's limits
    harness.advance(24 * 3600 + 120)
    assert clean_up(harness.ctx).inits_forgotten == 1
