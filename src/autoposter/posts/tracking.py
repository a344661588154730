"""What TikTok says about a sent post, from status polls or webhooks, applied idempotently.

Status comes from polling ``status/fetch`` (§4.7) and from ``post.publish.*`` webhooks (§7.2),
whichever arrives first (DESIGN). Both land in :func:`settle`, which only ever moves a post
forward with compare-and-set transitions, so a repeated or late word changes nothing twice.
Once TikTok's status is past receiving the media (§4.0), the stored files are deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from ..accounts import Context
from ..store.models import (
    FAILED,
    IN_INBOX,
    PROCESSING,
    PUBLISHED,
    UPLOADING,
    Post,
    PostMedia,
)
from ..tiktok import EventType, PostEvent, PublishStatus, describe_fail_reason
from .lease import RELEASED, release_in
from .machine import FINAL, Failure, fail, transition
from .media_store import remove_stored
from .pacing import finish_draft

log = logging.getLogger("autoposter.posts")

IN_PROGRESS = frozenset({"PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD"})
ENDINGS = frozenset({"PUBLISH_COMPLETE", "SEND_TO_USER_INBOX", "FAILED"})

INBOX_NOTE = (
    "The draft is in the creator's TikTok inbox: they finish it by opening TikTok's inbox "
    "notification and posting from the app (§4.3)."
)


@dataclass(frozen=True)
class TikTokWord:
    """One statement of TikTok about a publish: its status, fail reason and post ids."""

    status: str
    fail_reason: str | None = None
    post_ids: tuple[str, ...] = ()
    via: str = "status poll"

    @classmethod
    def of_status(cls, status: PublishStatus) -> TikTokWord:
        return cls(status.status, status.fail_reason, tuple(str(i) for i in status.post_ids))


def word_of_event(event: PostEvent) -> TikTokWord | None:
    """The status a ``post.publish.*`` webhook implies (§7.2), or None if it implies none."""
    post_ids = (event.post_id,) if event.post_id else ()
    if event.event == EventType.POST_PUBLISH_FAILED:
        return TikTokWord("FAILED", event.reason or "unknown", via="webhook")
    if event.event == EventType.POST_INBOX_DELIVERED:
        return TikTokWord("SEND_TO_USER_INBOX", via="webhook")
    if event.event in (EventType.POST_PUBLISH_COMPLETE, EventType.POST_PUBLICLY_AVAILABLE):
        return TikTokWord("PUBLISH_COMPLETE", post_ids=post_ids, via="webhook")
    return None


def apply_webhook(ctx: Context, event: PostEvent) -> bool:
    """Apply a verified ``post.publish.*`` event; False when it changed nothing here."""
    word = word_of_event(event)
    if word is None or not event.publish_id:
        return False
    with ctx.db.session() as session:
        post_id = session.scalar(select(Post.id).where(Post.publish_id == event.publish_id))
    if post_id is None:
        log.info("webhook %s for unknown publish %s ignored", event.event, event.publish_id)
        return False
    before = _status(ctx, post_id)
    return settle(ctx, post_id, word) != before


def settle(
    ctx: Context,
    post_id: int,
    word: TikTokWord,
    *,
    owner: str | None = None,
    received: str | None = None,
    post: Post | None = None,
) -> str | None:
    """Move the post as far as TikTok's word allows; returns its status afterwards.

    ``owner`` is the caller's lease on the post: a post this ends gives it back in the same
    UPDATE (a worker's run needs no write of its own to end). ``received`` is the history's
    line for TikTok having the media, when the caller knows better (the bytes it sent).
    ``post`` is the lease holder's copy of the row, saving a read; if a compare-and-set
    finds it out of date, the row is read after all.
    """
    now = ctx.now()
    gone: list[str] = []
    with ctx.db.session() as session:
        current = post or session.get(Post, post_id)
        if current is None:
            return None
        before = current.status
        ending = _Ending(owner, received or f"TikTok has the media ({word.via}).")
        status = _advance(session, current, word, now, ending)
        if ending.stale and post is not None and (fresh := session.get(Post, post_id)):
            before = fresh.status
            status = _advance(session, fresh, word, now, ending)
        if status in FINAL and before not in FINAL:
            gone = forget_media(session, post_id, now)  # TikTok has them, or never will
        if status in FINAL and owner is not None and not ending.released:
            release_in(session, post_id, owner)
    remove_stored(ctx.settings, gone)
    return status


@dataclass
class _Ending:
    owner: str | None
    received: str
    released: bool = False  # the final UPDATE gave the owner's lease back
    stale: bool = False  # a compare-and-set found the post's status moved on

    def values(self) -> dict[str, Any]:
        return dict(RELEASED) if self.owner is not None else {}


def _advance(session: Session, post: Post, word: TikTokWord, now: datetime, ending: _Ending) -> str:
    if word.status == "PUBLISH_COMPLETE" and post.mode == "inbox" and post.publish_id:
        finish_draft(session, post.publish_id)  # §4.0: the creator finished the draft
    if post.status not in (UPLOADING, PROCESSING) or word.status not in ENDINGS:
        _add_post_ids(session, post, word.post_ids)
        return post.status
    if post.status == UPLOADING and not transition(
        session, post.id, UPLOADING, PROCESSING, now, detail=ending.received
    ):
        ending.stale = True
        return _status_in(session, post.id)
    return _end(session, post, word, now, ending)


def forget_media(session: Session, post_id: int, now: datetime) -> list[str]:
    """Mark the post's stored media deleted, in the caller's transaction; returns their
    paths, for :func:`~.media_store.remove_stored` once that transaction committed."""
    params = {"w_post": post_id, "v_at": now}
    paths = list(session.connection().execute(_FORGET_MEDIA, params).scalars())
    if paths:
        log.info("deleted %d media file(s) of post %d", len(paths), post_id)
    return paths


_MEDIA = cast(Table, PostMedia.__table__)
# Built once with bind parameters: it runs as every post ends.
_FORGET_MEDIA = (
    update(_MEDIA)
    .where(_MEDIA.c.post_id == bindparam("w_post"), _MEDIA.c.deleted_at.is_(None))
    .values(deleted_at=bindparam("v_at"))
    .returning(_MEDIA.c.stored_path)
)


def _end(session: Session, post: Post, word: TikTokWord, now: datetime, ending: _Ending) -> str:
    """processing → published / in_inbox / failed, as TikTok says (§4.7)."""
    assert post.publish_id is not None
    if word.status == "FAILED":
        if post.mode == "inbox":
            finish_draft(session, post.publish_id)  # a failed draft is no longer pending (§6)
        failure = failure_for_reason(word.fail_reason or "unknown", word.via)
        moved = fail(session, post.id, PROCESSING, now, failure, values=ending.values())
        new = FAILED
    else:
        inbox = word.status == "SEND_TO_USER_INBOX" or post.mode == "inbox"
        new = IN_INBOX if inbox else PUBLISHED
        detail = INBOX_NOTE if inbox else "TikTok published the post."
        post_ids = _merged(post.tiktok_post_ids, word.post_ids)
        moved = transition(
            session,
            post.id,
            PROCESSING,
            new,
            now,
            detail=f"{detail} ({word.via})",
            values={"tiktok_post_ids": post_ids, **ending.values()},
        )
    ending.released = moved and ending.owner is not None
    ending.stale = not moved
    return new if moved else _status_in(session, post.id)


def failure_for_reason(code: str, via: str = "status poll") -> Failure:
    """A FAILED status's ``fail_reason`` (§4.9) as TikTok's reason plus what to do."""
    reason = describe_fail_reason(code)
    if reason.retryable:
        advice = (
            "Autoposter does not send a post twice once TikTok accepted it, so this one was "
            "not retried: post it again to try once more."
        )
    else:
        advice = "Nothing was published; change what TikTok objected to before posting again."
    return Failure(code, f"TikTok reported {code} ({via}).", f"{reason.explanation} {advice}")


def _add_post_ids(session: Session, post: Post, post_ids: Iterable[str]) -> None:
    merged = _merged(post.tiktok_post_ids, post_ids)
    if merged != list(post.tiktok_post_ids or []):
        session.execute(update(Post).where(Post.id == post.id).values(tiktok_post_ids=merged))


def _merged(current: Iterable[str] | None, more: Iterable[str]) -> list[str]:
    merged = list(current or [])
    merged += [i for i in more if i not in merged]
    return merged


def _status(ctx: Context, post_id: int) -> str | None:
    with ctx.db.session() as session:
        return _status_in(session, post_id)


def _status_in(session: Session, post_id: int) -> str:
    status = session.scalar(select(Post.status).where(Post.id == post_id))
    return status or ""
