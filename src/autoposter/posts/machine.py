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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..store import changed_rows
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
    conditions = [Post.id == post_id, Post.status == old]
    if owner is not None:
        conditions.append(Post.lease_owner == owner)
    statement = (
        update(Post).where(*conditions).values(status=new, updated_at=at, **dict(values or {}))
    )
    if changed_rows(session, statement) != 1:
        return False
    record(session, post_id, old, new, at, detail)
    return True


def fail(
    session: Session,
    post_id: int,
    old: str,
    at: datetime,
    failure: Failure,
    *,
    owner: str | None = None,
) -> bool:
    """Move the post to ``failed`` with TikTok's reason and an actionable message."""
    values = {**failure.columns(), "next_attempt_at": None}
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
