"""A post's stored media for its author to look at before TikTok has them (§8 5a).

The dashboard's confirmation step shows the video or photos that will be sent, read from the
media directory; once TikTok has a file (or the post ended) it is gone and there is nothing
to show. Another user's post is :class:`~autoposter.posts.errors.PostNotFound`, like a
missing one.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ..accounts import Actor, Context
from ..store.models import PostMedia
from .media_store import MediaGone, path_of
from .service import get_post


def media_for_preview(ctx: Context, actor: Actor, post_id: int, position: int) -> tuple[Path, str]:
    """The file and Content-Type of the post's media at ``position``; MediaGone once deleted."""
    get_post(ctx, actor, post_id)  # ownership: PostNotFound for anyone else's post
    with ctx.db.session() as session:
        media = session.scalars(
            select(PostMedia).where(PostMedia.post_id == post_id, PostMedia.position == position)
        ).first()
        if media is None or media.deleted_at is not None:
            raise MediaGone("this file is no longer kept: TikTok has it, or the post ended")
        path, content_type = path_of(ctx.settings, media.stored_path), media.content_type
    if not path.is_file():
        raise MediaGone("this file is missing from the media directory")
    return path, content_type
