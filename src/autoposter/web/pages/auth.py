"""Signing in and out, signing up, changing the password, signing out everywhere (issue 6).

Sign-in attempts are throttled per username and per client address, across every dashboard
process (see :mod:`autoposter.accounts.throttle`).
After signing in the browser goes back to the page that asked for it (``next``), but only to
a path on this site: an address elsewhere would make the sign-in page an open redirect.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ...accounts import (
    AccountsError,
    authenticate,
    change_password,
    count_users,
    create_user,
    end_all_sessions,
)
from ...accounts.throttle import (
    Blocked,
    check_sign_in,
    forget_failed_sign_ins,
    record_failed_sign_in,
)
from ...accounts.users import MIN_PASSWORD_LENGTH
from .render import redirect, render
from .session import MaybeUser, SignedInUser, app_context, require_csrf, sign_in, sign_out

router = APIRouter()

HOME = "/posts"


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else the home page."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return HOME
    if "\\" in target or any(ord(c) < 0x20 for c in target):
        return HOME  # browsers read "/\\evil.example" as another host
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    return target


@router.get("/")
async def home(user: MaybeUser) -> Response:
    return RedirectResponse(HOME if user else "/signin", status_code=303)


# --- Signing in and out -------------------------------------------------------------------


@router.get("/signin")
async def signin_page(
    request: Request,
    user: MaybeUser,
    next_url: Annotated[str, Query(alias="next")] = "",
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next_url), status_code=303)
    return await _signin_form(request, next_url=next_url)


@router.post("/signin", dependencies=[Depends(require_csrf)])
async def signin(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_url: Annotated[str, Form(alias="next")] = "",
) -> Response:
    ctx = app_context(request)
    address = request.client.host if request.client else "unknown"
    blocked = await run_in_threadpool(check_sign_in, ctx, username, address)
    if blocked is not None:
        return await _too_many(request, blocked, username, next_url)
    user = await run_in_threadpool(authenticate, ctx, username, password)
    if user is None:
        await run_in_threadpool(record_failed_sign_in, ctx, username, address)
        return await _signin_form(
            request,
            next_url=next_url,
            username=username,
            error="The username or password is not right. Check both and try again.",
            status_code=400,
        )
    await run_in_threadpool(forget_failed_sign_ins, ctx, username)
    response = RedirectResponse(safe_next(next_url), status_code=303)
    sign_in(request, response, user)
    return response


async def _too_many(request: Request, blocked: Blocked, username: str, next_url: str) -> Response:
    minutes = max(1, round(blocked.retry_after_seconds / 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    response = await _signin_form(
        request,
        next_url=next_url,
        username=username,
        error=f"Too many failed sign-ins from {blocked.reason}. Wait {wait}, then try again.",
        status_code=429,
    )
    response.headers["Retry-After"] = str(blocked.retry_after_seconds)
    return response


async def _signin_form(
    request: Request,
    *,
    next_url: str,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    ctx = app_context(request)
    users = await run_in_threadpool(count_users, ctx)
    page = {
        "title": "Sign in",
        "next": safe_next(next_url) if next_url else "",
        "username": username,
        "error": error,
        "signups_open": ctx.settings.signups_open or users == 0,
        "first_user": users == 0,
    }
    return render(request, "signin.html", page, status_code=status_code)


@router.post("/signout", dependencies=[Depends(require_csrf)])
async def signout() -> Response:
    response = redirect("/signin", "You are signed out.")
    sign_out(response)
    return response


# --- Signing up ---------------------------------------------------------------------------


@router.get("/signup")
async def signup_page(request: Request, user: MaybeUser) -> Response:
    if user is not None:
        return RedirectResponse(HOME, status_code=303)
    return await _signup_form(request)


@router.post("/signup", dependencies=[Depends(require_csrf)])
async def signup(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_confirm: Annotated[str, Form()] = "",
) -> Response:
    ctx = app_context(request)
    if password != password_confirm:
        return await _signup_form(
            request, username=username, error="The two passwords differ: type the same twice."
        )
    try:
        if not await run_in_threadpool(_signups_open, request):
            return await _signup_form(request)
        user = await run_in_threadpool(create_user, ctx, username, password)
    except AccountsError as exc:
        return await _signup_form(request, username=username, error=str(exc))
    response = redirect(
        "/accounts",
        f"Welcome, {user.username}. Connect a TikTok account to start posting."
        + (" As the first user, you administer this installation." if user.is_admin else ""),
    )
    sign_in(request, response, user)
    return response


def _signups_open(request: Request) -> bool:
    """Open by configuration, and always for the first user (who becomes the admin)."""
    ctx = app_context(request)
    return ctx.settings.signups_open or count_users(ctx) == 0


async def _signup_form(
    request: Request, *, username: str = "", error: str | None = None
) -> Response:
    ctx = app_context(request)
    users = await run_in_threadpool(count_users, ctx)
    if not (ctx.settings.signups_open or users == 0):
        return render(
            request,
            "error.html",
            {
                "title": "Sign-ups are closed",
                "message": "This installation does not take new sign-ups. Ask its "
                "administrator for a login, or sign in if you have one.",
                "action_url": "/signin",
                "action_label": "Sign in",
            },
            status_code=403,
        )
    page = {
        "title": "Create your login",
        "username": username,
        "error": error,
        "first_user": users == 0,
        "min_password": MIN_PASSWORD_LENGTH,
    }
    return render(request, "signup.html", page, status_code=400 if error else 200)


# --- Password and sessions ----------------------------------------------------------------


@router.get("/settings/password")
async def password_page(request: Request, user: SignedInUser) -> Response:
    return _password_form(request)


@router.post("/settings/password", dependencies=[Depends(require_csrf)])
async def password_change(
    request: Request,
    user: SignedInUser,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password_confirm: Annotated[str, Form()] = "",
) -> Response:
    if new_password != new_password_confirm:
        return _password_form(request, "The two new passwords differ: type the same twice.")
    try:
        updated = await run_in_threadpool(
            change_password, app_context(request), user, current_password, new_password
        )
    except AccountsError as exc:
        return _password_form(request, str(exc))
    response = redirect(
        "/settings", "Your password is changed. Every other session was signed out."
    )
    sign_in(request, response, updated)  # this session carries the new epoch
    return response


def _password_form(request: Request, error: str | None = None) -> Response:
    page = {"title": "Change password", "error": error, "min_password": MIN_PASSWORD_LENGTH}
    return render(request, "password.html", page, status_code=400 if error else 200)


@router.post("/settings/sessions/end", dependencies=[Depends(require_csrf)])
async def end_sessions(request: Request, user: SignedInUser) -> Response:
    await run_in_threadpool(end_all_sessions, app_context(request), user)
    response = redirect(
        "/signin", "You are signed out everywhere, this browser included. Sign in again."
    )
    sign_out(response)
    return response
