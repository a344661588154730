"""Post services the adapters call: compose, confirm, edit, cancel, read, history.

Every function takes the acting user (or :data:`~autoposter.accounts.SYSTEM`) and enforces
ownership: another user's post is :class:`PostNotFound`, like a missing one.

A composed post is validated against the account's creator_info fetched just now (§8 1), its
media are copied into the media directory, and it starts as a ``draft`` awaiting its
author's explicit confirmation (§8 5c); unconfirmed after ``confirm_timeout`` (30 minutes)
it expires. Confirming makes it ``scheduled``; the dispatcher sends it once due. Scheduling
returns warnings where TikTok's limits would delay it (§6, :mod:`.quota`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from ..accounts import (
    AccountsError,
    Actor,
    Context,
    NeedsReconnect,
    NotFound,
    access_token_for,
    visible_to,
)
from ..accounts.lookup import owned_account
from ..store import changed_rows
from ..store.models import (
    CANCELLED,
    DRAFT,
    EXPIRED,
    POST_WHEN,
    QUEUED,
    SCHEDULED,
    Post,
    PostMedia,
    PostStatusEvent,
    User,
)
from ..tiktok import CreatorInfo, OutcomeUnknown, TikTokError
from .compose import Delivery, FieldError, PostInputError, PostKind, PostRequest
from .errors import (
    ConfirmationExpired,
    PostNotChangeable,
    PostNotFound,
    PostRejected,
    TikTokUnreachable,
)
from .listing import posts_where
from .machine import ACTIVE, NOT_STARTED, record, transition
from .media_store import (
    StoredFile,
    delete_post_media,
    photo_url_problem,
    remove_stored,
    store_files,
)
from .pacing import init_history
from .quota import PlannedPost, QuotaWarning, schedule_warnings
from .validation import validate
from .views import HistoryEntry, PostView, request_columns, request_of


@dataclass(frozen=True)
class Composed:
    """A stored post and what its schedule would run into (§6); warnings never block."""

    post: PostView
    warnings: list[QuotaWarning]


# --- Composing ------------------------------------------------------------------------------


def create_post(ctx: Context, user: User, account_id: int, request: PostRequest) -> Composed:
    """Validate and store a post as a draft awaiting confirmation; PostRejected if invalid."""
    return _create(ctx, user, account_id, request, confirm=False)


def create_and_confirm(ctx: Context, user: User, account_id: int, request: PostRequest) -> Composed:
    """Compose and confirm in one step, for the API and CLI where the call is the consent."""
    return _create(ctx, user, account_id, request, confirm=True)


def check_post(
    ctx: Context, user: User, account_id: int, request: PostRequest
) -> list[QuotaWarning]:
    """Validate as :func:`create_post` would, storing nothing (the API's dry run):
    PostRejected if invalid, else the warnings its schedule would get."""
    _check(ctx, user, account_id, request, ctx.now())
    zone = user.time_zone or "UTC"
    kind = request.kind.value
    return _schedule_warnings(ctx, account_id, zone, request.publish_at, request.mode, kind, None)


def _create(
    ctx: Context, user: User, account_id: int, request: PostRequest, *, confirm: bool
) -> Composed:
    now = ctx.now()
    _check(ctx, user, account_id, request, now)
    stored = store_files(ctx.settings, request.kind, request.media)
    try:
        with ctx.db.session() as session:
            post = _insert(session, user, account_id, request, stored, now, ctx)
            if confirm:
                _confirm_in(session, post, now)
            post_id = post.id
    except BaseException:
        remove_stored(ctx.settings, [f.stored_path for f in stored])
        raise
    return Composed(get_post(ctx, user, post_id), _warnings(ctx, user, post_id))


def _check(ctx: Context, user: User, account_id: int, request: PostRequest, now: datetime) -> None:
    """Ownership, then the rules against a creator_info fetched now (direct posts, §8 1)."""
    with ctx.db.session() as session:
        try:
            owned_account(session, user, account_id)
        except NotFound as exc:
            raise PostRejected([FieldError("account_id", f"{exc} Choose one of yours.")]) from None
    info = _creator_info(ctx, user, account_id) if request.is_direct else None
    errors = validate(request, info, now)
    if errors:
        raise PostRejected(errors)


def _creator_info(ctx: Context, user: User, account_id: int) -> CreatorInfo:
    """The account's creator_info now; its refusals reach the author as an account error."""
    try:
        token = access_token_for(ctx, user, account_id)
        return ctx.tiktok.creator_info(token)
    except NeedsReconnect as exc:
        raise PostRejected([FieldError("account_id", str(exc))]) from None
    except AccountsError as exc:
        if exc.retryable:
            raise TikTokUnreachable() from exc
        raise PostRejected([FieldError("account_id", str(exc))]) from None
    except TikTokError as exc:
        if isinstance(exc, OutcomeUnknown) or exc.retryable or exc.needs_token_refresh:
            raise TikTokUnreachable() from exc
        # §4.1 / §8 1b: the creator can't post now (cap, ban): stop and say why.
        said = f" TikTok said: {exc.message}" if exc.message else ""
        raise PostRejected([FieldError("account_id", exc.advice + said)]) from None


def _insert(
    session: Session,
    user: User,
    account_id: int,
    request: PostRequest,
    stored: list[StoredFile],
    now: datetime,
    ctx: Context,
) -> Post:
    post = Post(
        user_id=user.id,
        account_id=account_id,
        status=DRAFT,
        confirm_by=now + timedelta(seconds=ctx.settings.confirm_timeout),
        tiktok_post_ids=[],
        attempts=0,
        created_at=now,
        updated_at=now,
        **request_columns(request),
    )
    session.add(post)
    session.flush()
    _add_media(session, post.id, stored)
    record(session, post.id, None, DRAFT, now, "Composed; waiting for confirmation.")
    return post


def _add_media(session: Session, post_id: int, stored: list[StoredFile]) -> None:
    for item in stored:
        session.add(
            PostMedia(
                post_id=post_id,
                position=item.position,
                stored_path=item.stored_path,
                original_name=item.original_name[:255],
                size_bytes=item.size_bytes,
                content_type=item.content_type,
            )
        )


# --- Confirming, editing, cancelling --------------------------------------------------------


def confirm_post(ctx: Context, actor: Actor, post_id: int) -> Composed:
    """The author's go-ahead (§8 5c): draft → scheduled. Confirming twice is harmless; a
    draft past its confirmation time expires instead (ConfirmationExpired)."""
    now = ctx.now()
    expired = False
    with ctx.db.session() as session:
        post = _owned(session, actor, post_id)
        if post.status == DRAFT and post.confirm_by is not None and post.confirm_by <= now:
            detail = "Not confirmed in time; nothing was sent."
            expired = transition(session, post_id, DRAFT, EXPIRED, now, detail=detail)
        elif post.status == DRAFT:
            _confirm_in(session, post, now)
        elif post.status != SCHEDULED:
            raise PostNotChangeable(f"This post is {post.status}; only a draft can be confirmed.")
    if expired:
        delete_post_media(ctx, post_id)
        raise ConfirmationExpired()
    return Composed(get_post(ctx, actor, post_id), _warnings(ctx, actor, post_id))


def _confirm_in(session: Session, post: Post, now: datetime) -> None:
    publish_at = post.publish_at or now
    when = "now" if post.publish_at is None else publish_at.isoformat(timespec="minutes")
    if not transition(
        session,
        post.id,
        DRAFT,
        SCHEDULED,
        now,
        detail=f"Confirmed; to be sent {when}.",
        values={"publish_at": publish_at},
    ):
        raise PostNotChangeable("This post changed meanwhile; reload it and try again.")


def edit_post(ctx: Context, actor: Actor, post_id: int, **changes: Any) -> Composed:
    """Change a post that has not started (draft or scheduled): any :class:`PostRequest`
    field; it is validated again against the account's current creator_info."""
    now = ctx.now()
    with ctx.db.session() as session:
        post = _owned(session, actor, post_id)
        _require_not_started(post, "edited")
        media = _media_of(session, post_id)
        old_status, account_id, user = post.status, post.account_id, _author(session, post)
    request = _edited(ctx, post, media, changes)
    if account_id is None:
        raise PostRejected(
            [FieldError("account_id", "The post's TikTok account was disconnected.")]
        )
    _check(ctx, user, account_id, request, now)
    stored = store_files(ctx.settings, request.kind, request.media) if "media" in changes else []
    try:
        _apply_edit(ctx, post_id, old_status, request, stored, now)
    except BaseException:
        remove_stored(ctx.settings, [f.stored_path for f in stored])
        raise
    if stored:
        remove_stored(ctx.settings, [m.stored_path for m in media])
    return Composed(get_post(ctx, actor, post_id), _warnings(ctx, actor, post_id))


def _edited(
    ctx: Context, post: Post, media: list[PostMedia], changes: dict[str, Any]
) -> PostRequest:
    unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(PostRequest)})
    if unknown:
        raise PostRejected([FieldError(name, "this is not a field of a post") for name in unknown])
    try:
        return dataclasses.replace(request_of(ctx.settings, post, media), **changes)
    except PostInputError as exc:
        raise PostRejected(exc.errors) from None


def _apply_edit(
    ctx: Context,
    post_id: int,
    old_status: str,
    request: PostRequest,
    stored: list[StoredFile],
    now: datetime,
) -> None:
    columns = request_columns(request)
    if old_status == SCHEDULED and columns.get("publish_at") is None:
        # A scheduled post goes when due; "now" must be a time the dispatcher can reach.
        columns["publish_at"] = now
    with ctx.db.session() as session:
        changed = changed_rows(
            session,
            update(Post)
            .where(Post.id == post_id, Post.status == old_status)
            .values(updated_at=now, **columns),
        )
        if changed != 1:
            raise PostNotChangeable(
                "This post started sending meanwhile; it can no longer be edited."
            )
        if stored:
            session.execute(delete(PostMedia).where(PostMedia.post_id == post_id))
            _add_media(session, post_id, stored)
        record(session, post_id, old_status, old_status, now, "Edited.")


def cancel_post(ctx: Context, actor: Actor, post_id: int) -> PostView:
    """Cancel a post nothing of which has reached TikTok: a draft, a scheduled post, or a
    queued one no worker is sending right now."""
    now = ctx.now()
    with ctx.db.session() as session:
        post = _owned(session, actor, post_id)
        if post.status == CANCELLED:
            return PostView.of(post, _media_of(session, post_id))
        old = post.status
        cancellable = old in NOT_STARTED or (old == QUEUED and post.publish_id is None)
        if not cancellable:
            raise PostNotChangeable(_not_cancellable(old))
        guard = [Post.id == post_id, Post.status == old]
        if old == QUEUED:
            guard.append(Post.lease_owner.is_(None))  # a worker holding it may be mid-init
        moved = changed_rows(
            session,
            update(Post)
            .where(*guard)
            .values(status=CANCELLED, updated_at=now, next_attempt_at=None),
        )
        if moved != 1:
            raise PostNotChangeable(_not_cancellable("being sent"))
        record(session, post_id, old, CANCELLED, now, "Cancelled by its author.")
    delete_post_media(ctx, post_id)
    return get_post(ctx, actor, post_id)


def delete_post(ctx: Context, actor: Actor, post_id: int) -> None:
    """Delete a post with its history and files, unless it is in flight (queued, uploading
    or processing: cancel it, or wait for its end). A post TikTok published stays there."""
    with ctx.db.session() as session:
        post = _owned(session, actor, post_id)
        if post.status in ACTIVE:
            raise PostNotChangeable(
                f"This post is {post.status}: it is being sent to TikTok right now. Wait until "
                "it ends (or cancel it while it is still queued), then delete it."
            )
        stored = [m.stored_path for m in _media_of(session, post_id) if m.deleted_at is None]
        gone = changed_rows(
            session, delete(Post).where(Post.id == post_id, Post.status == post.status)
        )
        if gone != 1:
            raise PostNotChangeable("This post changed meanwhile; reload it and try again.")
    remove_stored(ctx.settings, stored)


def _not_cancellable(status: str) -> str:
    return (
        f"This post is {status}: TikTok already has it (or it ended), so it can no longer be "
        "cancelled here. Delete the post in the TikTok app if it should not stay up."
    )


# --- Reading --------------------------------------------------------------------------------


def get_post(ctx: Context, actor: Actor, post_id: int) -> PostView:
    with ctx.db.session() as session:
        post = _owned(session, actor, post_id)
        return PostView.of(post, _media_of(session, post_id))


def list_posts(
    ctx: Context,
    actor: Actor,
    *,
    account_id: int | None = None,
    status: str | Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[PostView]:
    """The actor's posts, newest first; ``since``/``until`` bound when each goes (or went)
    out, or was composed when it has no time yet."""
    query = posts_where(select(Post), actor, account_id=account_id, since=since, until=until)
    if status is not None:
        query = query.where(Post.status.in_([status] if isinstance(status, str) else list(status)))
    with ctx.db.session() as session:
        posts = list(session.scalars(query.order_by(POST_WHEN.desc(), Post.id.desc())))
        media = _media_by_post(session, [p.id for p in posts])
        return [PostView.of(p, media.get(p.id, [])) for p in posts]


def post_history(ctx: Context, actor: Actor, post_id: int) -> list[HistoryEntry]:
    """Every status change of the post, oldest first, with its time and what happened."""
    with ctx.db.session() as session:
        _owned(session, actor, post_id)
        events = session.scalars(
            select(PostStatusEvent)
            .where(PostStatusEvent.post_id == post_id)
            .order_by(PostStatusEvent.id)
        )
        return [HistoryEntry.of(e) for e in events]


# --- Helpers --------------------------------------------------------------------------------


def _posts_of(actor: Actor) -> Select[Post]:
    return visible_to(select(Post), actor, Post.user_id)


def _owned(session: Session, actor: Actor, post_id: int) -> Post:
    post = session.scalars(_posts_of(actor).where(Post.id == post_id)).first()
    if post is None:
        raise PostNotFound(f"There is no post {post_id} among yours.")
    return post


def _author(session: Session, post: Post) -> User:
    user = session.get(User, post.user_id)
    assert user is not None  # posts go with their user (ON DELETE CASCADE)
    return user


def _require_not_started(post: Post, action: str) -> None:
    if post.status not in NOT_STARTED:
        raise PostNotChangeable(
            f"This post is {post.status}: only a draft or a scheduled post can be {action}."
        )


def _media_of(session: Session, post_id: int) -> list[PostMedia]:
    return list(
        session.scalars(
            select(PostMedia).where(PostMedia.post_id == post_id).order_by(PostMedia.position)
        )
    )


def _media_by_post(session: Session, post_ids: list[int]) -> dict[int, list[PostMedia]]:
    found: dict[int, list[PostMedia]] = {}
    if not post_ids:
        return found
    for media in session.scalars(select(PostMedia).where(PostMedia.post_id.in_(post_ids))):
        found.setdefault(media.post_id, []).append(media)
    return found


def post_warnings(ctx: Context, actor: Actor, post_id: int) -> list[QuotaWarning]:
    """What TikTok's limits would do to the post's schedule now (§6), for a page that shows
    them again before its author commits (the draft's confirmation page)."""
    return _warnings(ctx, actor, post_id)


def _warnings(ctx: Context, actor: Actor, post_id: int) -> list[QuotaWarning]:
    """What TikTok's limits will do to this post's schedule (§6), and the photo-link check."""
    with ctx.db.session() as session:
        post = _owned(session, actor, post_id)
        zone = _author(session, post).time_zone or "UTC"
        account_id, publish_at, mode, kind = post.account_id, post.publish_at, post.mode, post.kind
    if account_id is None:
        return []
    return _schedule_warnings(ctx, account_id, zone, publish_at, Delivery(mode), kind, post_id)


def _schedule_warnings(
    ctx: Context,
    account_id: int,
    zone: str,
    publish_at: datetime | None,
    mode: Delivery,
    kind: str,
    post_id: int | None,
) -> list[QuotaWarning]:
    """The warnings of a post (``post_id``, or one not stored yet) going out at
    ``publish_at`` among the account's other planned posts and its recent inits."""
    now = ctx.now()
    with ctx.db.session() as session:
        key = str(account_id)
        existing = init_history(session, account_id, now)
        others = session.scalars(
            select(Post).where(
                Post.account_id == account_id,
                Post.id != (post_id or 0),
                Post.status.in_((SCHEDULED, QUEUED)),
            )
        )
        existing += [
            PlannedPost(key, p.publish_at or now, Delivery(p.mode), label=f"post {p.id}")
            for p in others
        ]
    new = PlannedPost(key, publish_at or now, mode, label="this post")
    warnings = schedule_warnings(existing, new, daily_cap=ctx.settings.daily_post_cap, zone=zone)
    problem = photo_url_problem(ctx.settings) if kind == PostKind.PHOTO.value else None
    if problem:
        warnings.append(QuotaWarning("photo_url_unverified", problem))
    return warnings
