"""The compose page and the confirmation step: the page TikTok's Direct Post audit reviews (§8).

``GET /compose`` fetches the account's creator_info every time it opens (§8 1) and shows
the form for one kind (video or photos) and one delivery (direct or inbox draft), chosen
with links so the form never carries fields that do not apply. ``POST /compose`` validates
the post against a creator_info fetched again and stores it as a draft; nothing goes to
TikTok until the author presses "Publish" on ``/posts/{id}/confirm`` (§8 5c). A draft not
confirmed within the confirmation timeout expires.

``compose.js`` sends the form with XMLHttpRequest to show upload progress; it asks for JSON
(``X-Requested-With``) and is answered ``{"location": …}`` instead of a redirect. Without
JavaScript the same form posts normally.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.responses import Response

from ...accounts import AccountView, Context, list_accounts
from ...accounts.errors import NotFound
from ...accounts.lookup import get_account
from ...posts import (
    Composed,
    ConfirmationExpired,
    Delivery,
    PostInputError,
    PostKind,
    PostNotChangeable,
    PostNotFound,
    PostRejected,
    PostView,
    QuotaWarning,
    TikTokUnreachable,
    confirm_post,
    create_post,
    get_post,
    post_warnings,
)
from ...posts.compose import format_local_time
from ...store.models import DRAFT, User
from .post_display import (
    declaration_html,
    disclosure,
    form_context,
    not_found,
    parse_id,
)
from .post_form import (
    FormErrors,
    FormValues,
    Refused,
    load_creator,
)
from .render import redirect, render, worker_banner
from .session import SignedInUser, app_context, require_csrf

router = APIRouter()

# Multipart framing and the other fields come on top of the files themselves.
FORM_OVERHEAD = 1024 * 1024


# --- The form -----------------------------------------------------------------------------


@router.get("/compose")
async def compose_page(
    request: Request,
    user: SignedInUser,
    account: str | None = None,
    kind: str = "video",
    mode: str = "direct",
) -> Response:
    chosen = parse_id(account)
    values = FormValues(kind=_kind(kind), mode=_mode(mode))
    page = await run_in_threadpool(_form_page, app_context(request), user, chosen, values, None)
    if page is None:
        return not_found(request, f"There is no TikTok account {account} among yours.")
    return render(request, "compose.html", page)


def _form_page(
    ctx: Context,
    user: User,
    account_id: int | None,
    values: FormValues,
    errors: FormErrors | None,
) -> dict[str, Any] | None:
    """The form's context for the chosen account (its creator_info fetched now), or None
    when ``account_id`` is not one of the user's accounts."""
    accounts = list_accounts(ctx, user)
    if not accounts:
        return {"accounts": [], "values": values, **worker_banner(ctx)}
    chosen = _pick(accounts, account_id)
    if chosen is None:
        return None
    creator = load_creator(ctx, user, chosen)
    page = form_context(creator, accounts, values, errors, action="/compose")
    return {**page, **worker_banner(ctx)}


def _pick(accounts: list[AccountView], account_id: int | None) -> AccountView | None:
    if account_id is not None:
        return next((a for a in accounts if a.id == account_id), None)
    return next((a for a in accounts if a.status == "connected"), accounts[0])


def _kind(text: object) -> PostKind:
    return PostKind.PHOTO if str(text).strip().lower() == "photo" else PostKind.VIDEO


def _mode(text: object) -> Delivery:
    return Delivery.INBOX if str(text).strip().lower() == "inbox" else Delivery.DIRECT


# --- Sending the form ---------------------------------------------------------------------


async def refuse_oversized(request: Request) -> None:
    """Refuse an upload larger than allowed before reading it (Content-Length)."""
    limit = app_context(request).settings.upload_max_bytes + FORM_OVERHEAD
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise HTTPException(
            413,
            f"The upload is larger than this server accepts ({limit // 1024**2} MB): choose a "
            "smaller file.",
        )


@router.post("/compose", dependencies=[Depends(refuse_oversized), Depends(require_csrf)])
async def compose_submit(request: Request, user: SignedInUser) -> Response:
    ctx = app_context(request)
    form = await request.form()
    try:
        account_id = parse_id(form.get("account_id"))
        values = FormValues.from_form(form, _kind(form.get("kind")), _mode(form.get("mode")))
        uploads = [f for f in form.getlist("media") if isinstance(f, UploadFile) and f.filename]
        outcome = await run_in_threadpool(_compose, ctx, user, account_id, values, uploads)
    finally:
        await form.close()
    if isinstance(outcome, Composed):
        return _to_confirmation(request, ctx, outcome)
    page = await run_in_threadpool(_form_page, ctx, user, account_id, values, outcome.errors)
    page = page or await run_in_threadpool(_form_page, ctx, user, None, values, outcome.errors)
    return render(request, "compose.html", page or {}, status_code=outcome.status)


def _compose(
    ctx: Context,
    user: User,
    account_id: int | None,
    values: FormValues,
    uploads: list[UploadFile],
) -> Composed | Refused:
    """Store the post as a draft, or say everything that is wrong with it."""
    if account_id is None:
        return Refused(FormErrors(general=["Choose the TikTok account to post to."]), 422)
    folder = Path(tempfile.mkdtemp(prefix="compose-", dir=_incoming(ctx)))
    try:
        media = tuple(_save(upload, folder / str(index)) for index, upload in enumerate(uploads))
        return create_post(ctx, user, account_id, values.request(media, user.time_zone or "UTC"))
    except (PostInputError, PostRejected, TikTokUnreachable) as exc:
        return Refused.by_services(exc, values, len(uploads))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _incoming(ctx: Context) -> Path:
    """Where uploads wait while they are checked: beside the media directory, so storing a
    post's files is a copy on one disk."""
    folder = ctx.settings.data_dir / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _save(upload: UploadFile, folder: Path) -> Path:
    """Write an uploaded file under its own (cleaned) name: checks quote it back."""
    folder.mkdir()
    name = (
        re.sub(r"[^\w.\- ]+", "_", Path(upload.filename or "upload").name).strip(". ") or "upload"
    )
    target = folder / name[-120:]
    upload.file.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1024 * 1024)
    return target


def _to_confirmation(request: Request, ctx: Context, composed: Composed) -> Response:
    """To the confirmation step, which shows the schedule's warnings (§6)."""
    url = f"/posts/{composed.post.id}/confirm"
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JSONResponse({"location": url})  # compose.js follows it after the upload
    return redirect(url)


# --- The confirmation step (§8 5c) ----------------------------------------------------------


@router.get("/posts/{post_id}/confirm")
async def confirm_page(request: Request, post_id: int, user: SignedInUser) -> Response:
    ctx = app_context(request)
    try:
        post, account, warnings = await run_in_threadpool(_confirming, ctx, user, post_id)
    except PostNotFound as exc:
        return not_found(request, str(exc))
    if post.status != DRAFT:
        return redirect(f"/posts/{post_id}")
    values = FormValues.from_post(post, user.time_zone or "UTC")
    _, declared = disclosure(values)
    page = {
        "post": post,
        "account": account,
        "warnings": [w.message for w in warnings],
        "declaration": declaration_html(declared),
        "expired": post.confirm_by is not None and post.confirm_by <= ctx.now(),
        "minutes": max(1, ctx.settings.confirm_timeout // 60),
    }
    return render(request, "confirm.html", page)


def _confirming(
    ctx: Context, user: User, post_id: int
) -> tuple[PostView, AccountView | None, list[QuotaWarning]]:
    """The draft, its account, and the quota warnings as they stand now (§6), shown
    before the author commits."""
    post = get_post(ctx, user, post_id)
    warnings = post_warnings(ctx, user, post_id) if post.status == DRAFT else []
    if post.account_id is None:
        return post, None, warnings
    try:
        return post, get_account(ctx, user, post.account_id), warnings
    except NotFound:
        return post, None, warnings


@router.post("/posts/{post_id}/confirm", dependencies=[Depends(require_csrf)])
async def confirm_submit(request: Request, post_id: int, user: SignedInUser) -> Response:
    ctx = app_context(request)
    here = f"/posts/{post_id}"
    try:
        composed = await run_in_threadpool(confirm_post, ctx, user, post_id)
    except PostNotFound as exc:
        return not_found(request, str(exc))
    except ConfirmationExpired as exc:
        return redirect("/compose", str(exc), kind="error")
    except PostNotChangeable as exc:
        return redirect(here, str(exc), kind="error")
    notice, kind = _confirmed_notice(composed, user.time_zone or "UTC")
    return redirect(here, notice, kind=kind)


def _confirmed_notice(composed: Composed, zone: str) -> tuple[str, str]:
    post = composed.post
    inbox = post.mode == Delivery.INBOX.value
    if post.publish_at is not None and post.publish_at > post.updated_at:
        text = f"Scheduled for {format_local_time(post.publish_at, zone)} ({zone})."
    elif inbox:
        text = "Confirmed: the draft is on its way to the creator's TikTok inbox."
    else:
        text = (
            "Confirmed: sending to TikTok now. TikTok may take a few minutes to process "
            "it before it appears on the profile."
        )
    if composed.warnings:
        return " ".join([text, *(w.message for w in composed.warnings)]), "warning"
    return text, "ok"
