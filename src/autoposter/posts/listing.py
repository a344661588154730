"""A user's posts a page at a time, newest first, for the API and the dashboard's list.

Pages are keyset-paginated on ``(when, id)``, where ``when`` is the time the post goes (or
went) out, or was composed while it has no time yet: each page starts right after the last
key of the previous one, found through the expression indexes of migration 0004, so a page
costs the same on the first day and after a hundred thousand posts (an ``OFFSET`` would
read and throw away every earlier row). The cursor handed out is opaque to its reader:
URL-safe base64 of that last key.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, Select, and_, or_, select

from ..accounts import Actor, Context, visible_to
from ..store.models import POST_STATUSES, POST_WHEN, Post, PostMedia
from .views import POST_VIEW_COLUMNS, MediaView, PostView

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")


class InvalidCursor(ValueError):
    """A cursor this module did not hand out (or one that was altered)."""

    def __init__(self) -> None:
        super().__init__(
            "this cursor is not one a post list gave out: pass next_cursor from the previous "
            "page unchanged, or leave it out to start from the newest post"
        )


class InvalidStatus(ValueError):
    def __init__(self, status: str) -> None:
        super().__init__(f"{status!r} is not a post status: use one of {', '.join(POST_STATUSES)}")


@dataclass(frozen=True)
class PostPage:
    """One page of posts, newest first; ``next_cursor`` is None on the last page."""

    items: list[PostView]
    next_cursor: str | None


def list_posts_page(
    ctx: Context,
    actor: Actor,
    *,
    account_id: int | None = None,
    status: str | Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> PostPage:
    """The actor's posts matching the filters, ``limit`` (1–200) at a time.

    ``since``/``until`` bound ``when`` (``since`` included, ``until`` not), like
    :func:`~autoposter.posts.service.list_posts`. InvalidCursor or InvalidStatus for input
    that cannot be read.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    statuses = _statuses(status)
    query = _filtered(actor, account_id, since, until, cursor)
    # Read only, so Core on one connection: both selects see the same snapshot, and no
    # ORM object or unit of work is made for rows that only become views (issue 6).
    with ctx.db.engine.connect() as connection:
        if statuses is None or len(statuses) == 1:
            if statuses:
                query = query.where(Post.status == statuses[0])
            rows = _newest(connection, query, limit + 1)
        else:
            # One index range per status, merged: an IN list would make the database walk
            # every post of the user to find a rare status (issue 6: no page may cost more
            # as posts accumulate).
            ranges = [
                _newest(connection, query.where(Post.status == s), limit + 1) for s in statuses
            ]
            rows = list(heapq.merge(*ranges, key=_key, reverse=True))[: limit + 1]
        more = len(rows) > limit
        rows = rows[:limit]
        media = _media_by_post(connection, [r.id for r in rows])
    items = [PostView.of_columns(r, media.get(r.id, ())) for r in rows]
    last = items[-1] if items else None
    next_cursor = encode_cursor(_when(last), last.id) if more and last is not None else None
    return PostPage(items, next_cursor)


def posts_where(
    query: _Query,
    actor: Actor,
    *,
    account_id: int | None,
    since: datetime | None,
    until: datetime | None,
) -> _Query:
    """``query`` over posts narrowed to the actor's, of one account when ``account_id`` is
    given, whose ``when`` is from ``since`` (included) to ``until`` (not)."""
    when = POST_WHEN
    query = visible_to(query, actor, Post.user_id)
    if account_id is not None:
        query = query.where(Post.account_id == account_id)
    if since is not None:
        query = query.where(when >= since)
    if until is not None:
        query = query.where(when < until)
    return query


def _filtered(
    actor: Actor,
    account_id: int | None,
    since: datetime | None,
    until: datetime | None,
    cursor: str | None,
) -> Select[Any]:
    # The view's columns in its field order (PostView.of_columns), not ORM objects.
    query = posts_where(_VIEWS, actor, account_id=account_id, since=since, until=until)
    when = POST_WHEN
    if cursor:
        last_when, last_id = decode_cursor(cursor)
        # "(when, id) < (last when, last id)", written so both databases range-scan the
        # index on when: the first term bounds it, the second settles ties.
        query = query.where(
            when <= last_when,
            or_(when < last_when, and_(when == last_when, Post.id < last_id)),
        )
    return query


def _newest(connection: Connection, query: Select[Any], count: int) -> list[Row[Any]]:
    ordered = query.order_by(POST_WHEN.desc(), Post.id.desc()).limit(count)
    return list(connection.execute(ordered).all())


def _key(row: Row[Any]) -> tuple[datetime, int]:
    return (row.publish_at or row.created_at, row.id)


def encode_cursor(when: datetime, post_id: int) -> str:
    key = json.dumps([when.astimezone(UTC).isoformat(), post_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The key a cursor holds, or InvalidCursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when_text, post_id = json.loads(raw.decode("utf-8"))
        when = datetime.fromisoformat(when_text)
    except (binascii.Error, UnicodeError, ValueError, TypeError):
        raise InvalidCursor() from None
    if when.tzinfo is None or type(post_id) is not int:
        raise InvalidCursor()
    return when.astimezone(UTC), post_id


def _when(post: PostView) -> datetime:
    return post.publish_at or post.created_at


def _statuses(status: str | Iterable[str] | None) -> list[str] | None:
    if status is None:
        return None
    wanted = [status] if isinstance(status, str) else list(status)
    for value in wanted:
        if value not in POST_STATUSES:
            raise InvalidStatus(value)
    return wanted or None


def _media_by_post(connection: Connection, post_ids: list[int]) -> dict[int, tuple[MediaView, ...]]:
    """Each post's media as views, in position order."""
    if not post_ids:
        return {}
    query = _MEDIA.where(PostMedia.post_id.in_(post_ids))
    rows = connection.execute(query.order_by(PostMedia.post_id, PostMedia.position)).all()
    found: dict[int, list[MediaView]] = {}
    for row in rows:
        found.setdefault(row[0], []).append(MediaView(*row[1:]))
    return {post_id: tuple(views) for post_id, views in found.items()}


# Built once, as selects are immutable: coercing thirty columns anew cost 0.1 ms a list.
_VIEWS = select(*(Post.__table__.c[name] for name in POST_VIEW_COLUMNS))
# The post's id, then MediaView's fields in order ("deleted" asked of the database: a
# boolean is cheaper to read than a time to parse).
_MEDIA = select(
    PostMedia.post_id,
    PostMedia.position,
    PostMedia.original_name,
    PostMedia.size_bytes,
    PostMedia.content_type,
    PostMedia.deleted_at.is_not(None),
)
