"""A post's states and the one way to move between them (DESIGN "A post's life").

::

    draft ─▶ scheduled ─▶ queued ─▶ uploading ─▶ processing ─▶ published | in_inbox
       └──────────┴─────────┴──────────┴────────────┴─────────▶ failed | cancelled | expired

Every move is a compare-and-set ``UPDATE posts SET status = :new … WHERE id = :id AND
status = :old`` (the Healthchecks ``sendalerts`` idiom): only the caller whose update changed
one row goes on, and that same transaction appends the ``post_events`` row (from, to, at,
detail) that makes up the post's history.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ClauseElement, Table, Update, bindparam, insert, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..store.models import (
    CANCELLED,
    DRAFT,
    EXPIRED,
    FAILED,
    IN_INBOX,
    PROCESSING,
    PUBLISHED,
    QUEUED,
    SCHEDULED,
    UPLOADING,
    Post,
    PostStatusEvent,
)

# Sending has begun and a worker (or the queue) is responsible for the post.
ACTIVE = (QUEUED, UPLOADING, PROCESSING)
# Nothing has been sent to TikTok yet: the author may still edit or cancel.
NOT_STARTED = (DRAFT, SCHEDULED)
FINAL = (PUBLISHED, IN_INBOX, FAILED, CANCELLED, EXPIRED)
_ENDINGS = frozenset({FAILED, CANCELLED, EXPIRED})

ALLOWED: Mapping[str, frozenset[str]] = {
    DRAFT: frozenset({SCHEDULED}) | _ENDINGS,
    SCHEDULED: frozenset({QUEUED}) | _ENDINGS,
    QUEUED: frozenset({UPLOADING}) | _ENDINGS,
    UPLOADING: frozenset({PROCESSING}) | _ENDINGS,
    PROCESSING: frozenset({PUBLISHED, IN_INBOX}) | _ENDINGS,
}


class IllegalTransition(ValueError):
    """A move the state machine does not have: a bug in the caller, never user input."""


@dataclass(frozen=True)
class Failure:
    """Why a post failed: ``code`` (TikTok's error code or fail_reason, or ours such as
    ``validation``), ``reason`` (what TikTok said, or the broken rules) and ``message``, a
    sentence the author can act on."""

    code: str
    reason: str
    message: str

    def columns(self) -> dict[str, Any]:
        return {
            "fail_code": self.code[:64],
            "fail_reason": self.reason,
            "fail_message": self.message,
        }


def transition(
    session: Session,
    post_id: int,
    old: str,
    new: str,
    at: datetime,
    *,
    detail: str = "",
    owner: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> bool:
    """Move the post from ``old`` to ``new`` if it is still ``old`` (and, with ``owner``,
    still leased by it); record the event. Returns whether this call made the move."""
    if new not in ALLOWED.get(old, frozenset()):
        raise IllegalTransition(f"a post cannot go from {old} to {new}")
    changes = {**dict(values or {}), "status": new, "updated_at": at}
    if session.new or session.dirty or session.deleted:
        session.flush()  # the statements below bypass the ORM's autoflush
    connection = session.connection()
    if any(isinstance(value, ClauseElement) for value in changes.values()):
        moved = connection.execute(_compare_and_set(post_id, old, owner).values(changes))
    else:
        params = {"w_id": post_id, "w_old": old, "w_owner": owner}
        params.update({f"v_{name}": value for name, value in changes.items()})
        moved = connection.execute(
            _prepared_move(tuple(sorted(changes)), owner is not None), params
        )
    if moved.rowcount != 1:
        return False
    row = {"post_id": post_id, "from_status": old, "to_status": new, "at": at, "detail": detail}
    connection.execute(_RECORD, row)
    _sync_loaded(session, post_id, changes)
    return True


# Transitions run on every step of every post: their statements are built once per set of
# columns, with bind parameters (building a statement costs more than SQLite running it).
_POSTS = cast(Table, Post.__table__)
_RECORD = insert(cast(Table, PostStatusEvent.__table__))


def _compare_and_set(post_id: Any, old: Any, owner: Any) -> Update:
    where = [_POSTS.c.id == post_id, _POSTS.c.status == old]
    if owner is not None:
        where.append(_POSTS.c.lease_owner == owner)
    return update(_POSTS).where(*where)


@functools.lru_cache(maxsize=64)
def _prepared_move(columns: tuple[str, ...], leased: bool) -> Update:
    owner: Any = bindparam("w_owner") if leased else None
    statement = _compare_and_set(bindparam("w_id"), bindparam("w_old"), owner)
    return statement.values({name: bindparam(f"v_{name}") for name in columns})


def _sync_loaded(session: Session, post_id: int, changes: Mapping[str, Any]) -> None:
    """Mirror the UPDATE onto the post if this session has it loaded, as the ORM's own
    UPDATE would (callers read it afterwards)."""
    loaded = session.identity_map.get(identity_key(Post, post_id))
    if loaded is not None:
        for name, value in changes.items():
            if not isinstance(value, ClauseElement):
                set_committed_value(loaded, name, value)


def transition_many(
    session: Session,
    post_ids: Sequence[int],
    old: str,
    new: str,
    at: datetime,
    *,
    detail: str = "",
    values: Mapping[str, Any] | None = None,
) -> list[int]:
    """:func:`transition` for many posts in one compare-and-set ``UPDATE … WHERE id IN (…)
    AND status = :old RETURNING id``: returns the ids this call moved (each recorded), so
    of several callers racing for the same posts, each post is won by exactly one."""
    if new not in ALLOWED.get(old, frozenset()):
        raise IllegalTransition(f"a post cannot go from {old} to {new}")
    if not post_ids:
        return []
    moved = list(
        session.scalars(
            update(Post)
            .where(Post.id.in_(post_ids), Post.status == old)
            .values(status=new, updated_at=at, **dict(values or {}))
            .returning(Post.id),
            execution_options={"synchronize_session": False},
        )
    )
    if moved:
        events = [
            {"post_id": i, "from_status": old, "to_status": new, "at": at, "detail": detail}
            for i in moved
        ]
        session.execute(insert(PostStatusEvent), events)
    return moved


def fail(
    session: Session,
    post_id: int,
    old: str,
    at: datetime,
    failure: Failure,
    *,
    owner: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> bool:
    """Move the post to ``failed`` with TikTok's reason and an actionable message
    (``values``: more columns to set in the same UPDATE, such as a lease given back)."""
    values = {**failure.columns(), "next_attempt_at": None, **dict(values or {})}
    return transition(
        session, post_id, old, FAILED, at, detail=failure.message, owner=owner, values=values
    )


def record(
    session: Session, post_id: int, old: str | None, new: str, at: datetime, detail: str = ""
) -> None:
    """Append a history event; ``old == new`` records a note (an edit, a retry, a wait)."""
    session.add(
        PostStatusEvent(post_id=post_id, from_status=old, to_status=new, at=at, detail=detail)
    )
