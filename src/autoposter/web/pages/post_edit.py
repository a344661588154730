"""Editing a post that has not started (a draft, or scheduled): the compose form again, with
the same creator_info rules (§8), checked once more by ``posts.edit_post`` on the server.

The media and the kind of post stay as composed; everything else can change. A draft goes
back to its confirmation step after an edit, a scheduled post to its page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from ...accounts import Context
from ...accounts.errors import NotFound
from ...accounts.lookup import get_account
from ...posts import (
    Composed,
    PostInputError,
    PostKind,
    PostNotChangeable,
    PostNotFound,
    PostRejected,
    PostView,
    TikTokUnreachable,
    edit_post,
    get_post,
)
from ...posts.compose import Delivery
from ...posts.machine import NOT_STARTED
from ...store.models import DRAFT, SCHEDULED, User
from .post_display import (
    form_context,
    not_found,
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


class CannotEdit(Exception):
    """The post is past editing, or its account is gone: said on the post's page."""


@router.get("/posts/{post_id}/edit")
async def edit_page(request: Request, post_id: int, user: SignedInUser) -> Response:
    ctx = app_context(request)
    try:
        page = await run_in_threadpool(_edit_page, ctx, user, post_id, None, None)
    except PostNotFound as exc:
        return not_found(request, str(exc))
    except CannotEdit as exc:
        return redirect(f"/posts/{post_id}", str(exc), kind="error")
    return render(request, "compose.html", page)


def _edit_page(
    ctx: Context,
    user: User,
    post_id: int,
    values: FormValues | None,
    errors: FormErrors | None,
) -> dict[str, Any]:
    """The form for the post, with the account's creator_info fetched now (§8 1)."""
    post = _editable(ctx, user, post_id)
    assert post.account_id is not None  # _editable refuses a disconnected account
    try:
        account = get_account(ctx, user, post.account_id)
    except NotFound:
        raise CannotEdit(_DISCONNECTED) from None
    creator = load_creator(ctx, user, account)
    values = values or FormValues.from_post(post, user.time_zone or "UTC")
    action = f"/posts/{post_id}/edit"
    page = form_context(creator, [account], values, errors, action=action, editing=True)
    return {**page, **worker_banner(ctx), "post": post}


_DISCONNECTED = (
    "This post's TikTok account was disconnected, so the post can't be edited: cancel it "
    "and compose it again for a connected account."
)


def _editable(ctx: Context, user: User, post_id: int) -> PostView:
    post = get_post(ctx, user, post_id)
    if post.status not in NOT_STARTED:
        raise CannotEdit(
            f"This post is {post.status}: only a draft or a scheduled post can be edited."
        )
    if post.account_id is None:
        raise CannotEdit(_DISCONNECTED)
    return post


@router.post("/posts/{post_id}/edit", dependencies=[Depends(require_csrf)])
async def edit_submit(request: Request, post_id: int, user: SignedInUser) -> Response:
    ctx = app_context(request)
    form = await request.form()
    try:
        post = await run_in_threadpool(_editable, ctx, user, post_id)
    except PostNotFound as exc:
        return not_found(request, str(exc))
    except CannotEdit as exc:
        return redirect(f"/posts/{post_id}", str(exc), kind="error")
    values = FormValues.from_form(form, PostKind(post.kind), Delivery(post.mode))
    outcome = await run_in_threadpool(_save, ctx, user, post, values)
    if isinstance(outcome, Composed):
        return _after_edit(ctx, outcome)
    if isinstance(outcome, str):
        return redirect(f"/posts/{post_id}", outcome, kind="error")
    try:
        page = await run_in_threadpool(_edit_page, ctx, user, post_id, values, outcome.errors)
    except (PostNotFound, CannotEdit) as exc:
        return redirect(f"/posts/{post_id}", str(exc), kind="error")
    return render(request, "compose.html", page, status_code=outcome.status)


def _save(ctx: Context, user: User, post: PostView, values: FormValues) -> Composed | Refused | str:
    """Apply the edit; the form's problems, or (a string) why the post can't change now."""
    try:
        changes = values.fields(user.time_zone or "UTC")
        if changes["publish_at"] is None and post.status == SCHEDULED:
            changes["publish_at"] = ctx.now()  # "post now": due at once, as the dispatcher reads it
        return edit_post(ctx, user, post.id, **changes)
    except (PostInputError, PostRejected, TikTokUnreachable) as exc:
        return Refused.by_services(exc, values, len(post.media))
    except (PostNotChangeable, PostNotFound) as exc:
        return str(exc)


def _after_edit(ctx: Context, composed: Composed) -> Response:
    post = composed.post
    if post.status == DRAFT:
        return redirect(f"/posts/{post.id}/confirm", "Saved. Check the post and confirm it.")
    notice = " ".join(["Saved.", *(w.message for w in composed.warnings)])
    return redirect(f"/posts/{post.id}", notice, kind="warning" if composed.warnings else "ok")
