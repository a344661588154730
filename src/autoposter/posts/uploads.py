"""Media uploaded on their own (the REST API's ``POST /api/v1/media``) until a post uses them.

An upload is received straight into ``<media dir>/uploads/<random>/<its name>`` (the web
adapter streams it there in chunks, never holding the file in memory), recognised by its
content as a video (MP4, MOV, WebM) or a photo (JPEG, WebP) — anything else is refused with
:class:`UnsupportedMedia` and deleted — and recorded as one user's ``media_uploads`` row.

Composing a post from uploads claims them first with a compare-and-set (two requests cannot
both use one), lets the post service copy them into the post's own media, then deletes them;
if composing fails they are released for another try. Uploads nobody used are deleted by
:func:`expire_uploads` once ``upload_retention`` has passed.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ..accounts import (
    Actor,
    Context,
    register_erase_step,
    register_export_section,
    visible_to,
)
from ..media import MediaError, check_image, check_video, probe_image, probe_video
from ..store import changed_rows
from ..store.models import MediaUpload, User
from .compose import FieldError, PostInputError, PostKind, PostRequest
from .errors import PostNotChangeable, PostRejected, PostsError
from .media_store import path_of, remove_stored
from .quota import QuotaWarning
from .service import Composed, check_post, create_and_confirm, create_post, edit_post

log = logging.getLogger("autoposter.posts")

UPLOADS_FOLDER = "uploads"
# A claim older than this belongs to a request that died mid-way: the clean-up may take it.
CLAIM_TIMEOUT = timedelta(hours=1)
_PHOTO_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class UploadNotFound(PostsError):
    """Unknown id, or another user's upload: the two look the same on purpose."""

    default_message = "There is no such media upload among yours."


class UploadTooLarge(PostsError):
    default_message = "The upload is too large."


class UnsupportedMedia(PostsError):
    default_message = (
        "This file is neither a video nor a photo TikTok takes: upload an MP4, MOV or WebM "
        "video, or a JPEG or WebP photo."
    )


@dataclass(frozen=True)
class UploadView:
    id: int
    name: str
    size_bytes: int
    content_type: str
    kind: str
    created_at: datetime

    @classmethod
    def of(cls, row: MediaUpload) -> UploadView:
        return cls(
            row.id, row.original_name, row.size_bytes, row.content_type, row.kind, row.created_at
        )


@dataclass(frozen=True)
class IncomingFile:
    """Where one upload is being received: ``path`` on disk, ``stored_path`` relative to
    the media directory, ``name`` as its sender called it (made safe for a file name)."""

    path: Path
    stored_path: str
    name: str


# --- Receiving --------------------------------------------------------------------------------


def incoming_file(ctx: Context, filename: str | None) -> IncomingFile:
    """A fresh place to receive a file into; the caller writes it, then registers it."""
    name = safe_name(filename)
    folder = f"{UPLOADS_FOLDER}/{secrets.token_hex(8)}"
    (ctx.settings.media_dir / folder).mkdir(parents=True, exist_ok=True)
    stored_path = f"{folder}/{name}"
    return IncomingFile(path_of(ctx.settings, stored_path), stored_path, name)


def discard(ctx: Context, files: Sequence[IncomingFile]) -> None:
    """Delete files received but not registered (the request failed)."""
    remove_stored(ctx.settings, [f.stored_path for f in files])


def register_upload(ctx: Context, user: User, incoming: IncomingFile) -> UploadView:
    """Record a received file as ``user``'s upload, or UnsupportedMedia (file deleted)."""
    try:
        kind, content_type = _recognise(incoming.path)
    except BaseException:
        discard(ctx, [incoming])
        raise
    with ctx.db.session() as session:
        row = MediaUpload(
            user_id=user.id,
            kind=kind,
            stored_path=incoming.stored_path,
            original_name=incoming.name,
            size_bytes=incoming.path.stat().st_size,
            content_type=content_type,
            created_at=ctx.now(),
        )
        session.add(row)
        session.flush()
        return UploadView.of(row)


def safe_name(filename: str | None) -> str:
    """The last part of a sender's file name, kept to characters safe on any disk."""
    base = re.split(r"[/\\]", filename or "")[-1]
    name = _UNSAFE.sub("_", base).strip(" .")[-100:]
    return name or "upload"


def _recognise(path: Path) -> tuple[str, str]:
    """``(kind, content type)`` read from the content (§4.10), never from the name."""
    video = _probe(probe_video, path)
    if video is not None and video.content_type:
        return PostKind.VIDEO.value, video.content_type
    image = _probe(probe_image, path)
    if image is not None and image.format in _PHOTO_TYPES:
        return PostKind.PHOTO.value, _PHOTO_TYPES[image.format]
    problems = []
    if video is not None and video.container != "image":
        problems = [p for p in check_video(video, None) if p.field == "container"]
    elif image is not None:
        problems = [p for p in check_image(image) if p.field == "format"]
    raise UnsupportedMedia(str(problems[0]) if problems else None)


def _probe(probe: Any, path: Path) -> Any:
    try:
        return probe(path)
    except MediaError:
        return None


# --- Reading and deleting ---------------------------------------------------------------------


def get_upload(ctx: Context, actor: Actor, upload_id: int) -> UploadView:
    with ctx.db.session() as session:
        return UploadView.of(_owned(session, actor, upload_id))


def delete_upload(ctx: Context, actor: Actor, upload_id: int) -> None:
    """Delete an upload and its file, unless a post is being composed from it right now."""
    with ctx.db.session() as session:
        row = _owned(session, actor, upload_id)
        stored = row.stored_path
        unclaimed = delete(MediaUpload).where(
            MediaUpload.id == upload_id, MediaUpload.claimed_at.is_(None)
        )
        if changed_rows(session, unclaimed) != 1:
            raise PostNotChangeable(
                f"Upload {upload_id} is being made into a post right now: wait a moment, and "
                "delete that post instead if it should not be sent."
            )
    remove_stored(ctx.settings, [stored])


def _owned(session: Session, actor: Actor, upload_id: int) -> MediaUpload:
    query = select(MediaUpload).where(MediaUpload.id == upload_id)
    row = session.scalars(visible_to(query, actor, MediaUpload.user_id)).first()
    if row is None:
        raise UploadNotFound(f"There is no media upload {upload_id} among yours.")
    return row


# --- Composing posts from uploads -------------------------------------------------------------


def compose_from_uploads(
    ctx: Context,
    user: User,
    account_id: int,
    upload_ids: Sequence[int],
    fields: Mapping[str, Any],
    *,
    confirm: bool,
) -> Composed:
    """Compose a post (``fields``: :class:`PostRequest` fields but media; ``kind`` may be
    left out) from the user's uploads, which it then uses up. PostRejected if invalid."""
    rows = _claim(ctx, user, upload_ids)
    try:
        request = _request(ctx, rows, fields)
        compose = create_and_confirm if confirm else create_post
        composed = compose(ctx, user, account_id, request)
    except BaseException:
        _release(ctx, upload_ids)
        raise
    _use_up(ctx, rows)
    return composed


def check_with_uploads(
    ctx: Context,
    user: User,
    account_id: int,
    upload_ids: Sequence[int],
    fields: Mapping[str, Any],
) -> list[QuotaWarning]:
    """:func:`compose_from_uploads` as a dry run: validates, stores and uses up nothing."""
    with ctx.db.session() as session:
        rows = _uploads_of(session, user, upload_ids, claim=False)
    return check_post(ctx, user, account_id, _request(ctx, rows, fields))


def edit_with_uploads(
    ctx: Context,
    user: User,
    post_id: int,
    upload_ids: Sequence[int] | None,
    changes: Mapping[str, Any],
) -> Composed:
    """Edit a post that has not started; with ``upload_ids`` its media become those
    uploads (and its kind theirs, unless ``changes`` says otherwise)."""
    if upload_ids is None:
        return edit_post(ctx, user, post_id, **changes)
    rows = _claim(ctx, user, upload_ids)
    try:
        kind = changes.get("kind") or _kind_of(rows)
        _require_kind(rows, kind)
        paths = tuple(path_of(ctx.settings, row.stored_path) for row in rows)
        composed = edit_post(ctx, user, post_id, **{**changes, "kind": kind, "media": paths})
    except BaseException:
        _release(ctx, upload_ids)
        raise
    _use_up(ctx, rows)
    return composed


def _request(ctx: Context, rows: Sequence[MediaUpload], fields: Mapping[str, Any]) -> PostRequest:
    kind = fields.get("kind") or _kind_of(rows)
    _require_kind(rows, kind)
    paths = tuple(path_of(ctx.settings, row.stored_path) for row in rows)
    try:
        return PostRequest(**{**fields, "kind": kind, "media": paths})
    except PostInputError as exc:
        raise PostRejected(exc.errors) from None


def _kind_of(rows: Sequence[MediaUpload]) -> str:
    kinds = {row.kind for row in rows}
    if len(kinds) > 1:
        raise PostRejected(
            [
                FieldError(
                    "media_ids",
                    "these uploads mix videos and photos: a post is one video or 1 to 35 photos",
                )
            ]
        )
    return kinds.pop() if kinds else PostKind.VIDEO.value


def _require_kind(rows: Sequence[MediaUpload], kind: object) -> None:
    wrong = [row for row in rows if row.kind != str(kind).strip().lower()]
    if wrong and str(kind).strip().lower() in tuple(PostKind):
        errors = [
            FieldError(
                "media_ids",
                f"upload {row.id} ({row.original_name}) is a {row.kind}, not a {kind}: choose "
                f"uploads of the post's kind, or make it a {row.kind} post",
            )
            for row in wrong
        ]
        raise PostRejected(errors)


def _claim(ctx: Context, user: User, upload_ids: Sequence[int]) -> list[MediaUpload]:
    with ctx.db.session() as session:
        return _uploads_of(session, user, upload_ids, claim=True, now=ctx.now())


def _uploads_of(
    session: Session,
    user: User,
    upload_ids: Sequence[int],
    *,
    claim: bool,
    now: datetime | None = None,
) -> list[MediaUpload]:
    """The user's uploads in the order given; with ``claim``, claimed by compare-and-set."""
    wanted = list(upload_ids)
    found = {
        row.id: row
        for row in session.scalars(
            select(MediaUpload).where(MediaUpload.id.in_(wanted), MediaUpload.user_id == user.id)
        )
    }
    errors = _upload_problems(wanted, found, in_use_matters=claim)
    if errors:
        raise PostRejected(errors)
    if claim:
        claimed = changed_rows(
            session,
            update(MediaUpload)
            .where(MediaUpload.id.in_(wanted), MediaUpload.claimed_at.is_(None))
            .values(claimed_at=now),
        )
        if claimed != len(wanted):
            raise PostRejected([FieldError("media_ids", _IN_USE)])
    return [found[upload_id] for upload_id in wanted]


_IN_USE = (
    "another request is composing a post from these uploads right now: wait for it, or "
    "upload the files again"
)


def _upload_problems(
    wanted: list[int], found: Mapping[int, MediaUpload], *, in_use_matters: bool
) -> list[FieldError]:
    errors = []
    for upload_id in sorted(set(wanted)):
        if wanted.count(upload_id) > 1:
            errors.append(FieldError("media_ids", f"upload {upload_id} is listed twice"))
        row = found.get(upload_id)
        if row is None:
            message = (
                f"there is no media upload {upload_id} among yours (uploads are used up by the "
                "post made from them, and unused ones expire): upload the file again"
            )
            errors.append(FieldError("media_ids", message))
        elif in_use_matters and row.claimed_at is not None:
            errors.append(FieldError("media_ids", _IN_USE))
    return errors


def _release(ctx: Context, upload_ids: Sequence[int]) -> None:
    with ctx.db.session() as session:
        session.execute(
            update(MediaUpload).where(MediaUpload.id.in_(list(upload_ids))).values(claimed_at=None)
        )


def _use_up(ctx: Context, rows: Sequence[MediaUpload]) -> None:
    """The post has its own copies now: forget the uploads and delete their files."""
    with ctx.db.session() as session:
        session.execute(delete(MediaUpload).where(MediaUpload.id.in_([r.id for r in rows])))
    remove_stored(ctx.settings, [row.stored_path for row in rows])


# --- Retention and privacy --------------------------------------------------------------------


def expire_uploads(ctx: Context) -> int:
    """The periodic clean-up: delete uploads unused for ``upload_retention`` seconds (and
    files a failed request left behind); returns how many uploads went."""
    now = ctx.now()
    cutoff = now - timedelta(seconds=ctx.settings.upload_retention)
    with ctx.db.session() as session:
        rows = list(
            session.scalars(
                select(MediaUpload).where(
                    MediaUpload.created_at < cutoff,
                    or_(
                        MediaUpload.claimed_at.is_(None),
                        MediaUpload.claimed_at < now - CLAIM_TIMEOUT,
                    ),
                )
            )
        )
        session.execute(delete(MediaUpload).where(MediaUpload.id.in_([r.id for r in rows])))
        known = set(session.scalars(select(MediaUpload.stored_path)))
    remove_stored(ctx.settings, [row.stored_path for row in rows])
    _remove_strays(ctx, known, cutoff)
    if rows:
        log.info("deleted %d unused media upload(s)", len(rows))
    return len(rows)


def _remove_strays(ctx: Context, known: set[str], cutoff: datetime) -> None:
    """Folders of uploads that never got a row (a request died mid-file), once old."""
    root = ctx.settings.media_dir / UPLOADS_FOLDER
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        relative = [f"{UPLOADS_FOLDER}/{folder.name}/{f.name}" for f in folder.iterdir()]
        if any(name in known for name in relative):
            continue
        if folder.stat().st_mtime < cutoff.timestamp():
            shutil.rmtree(folder, ignore_errors=True)


def export_uploads(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = select(MediaUpload).where(MediaUpload.user_id == user_id).order_by(MediaUpload.id)
    return [
        {
            "id": row.id,
            "name": row.original_name,
            "size_bytes": row.size_bytes,
            "content_type": row.content_type,
            "kind": row.kind,
            "created_at": row.created_at.isoformat(),
        }
        for row in session.scalars(query)
    ]


def erase_uploads(ctx: Context, user_id: int) -> None:
    with ctx.db.session() as session:
        stored = list(
            session.scalars(select(MediaUpload.stored_path).where(MediaUpload.user_id == user_id))
        )
    remove_stored(ctx.settings, stored)


def register() -> None:
    register_export_section("media_uploads", export_uploads)
    register_erase_step(erase_uploads)
