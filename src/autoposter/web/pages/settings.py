"""Settings: time zone, REST API tokens, export my data, erase my data (issue 6).

A new API token is shown once, in the answer to the POST that made it (never carried in a
cookie or URL, and marked not to be cached); afterwards only its hash exists. Erasing asks
for the username typed out, then deletes everything and signs out.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from ...accounts import (
    AccountsError,
    NotFound,
    create_api_token,
    erase_user,
    export_user_data,
    list_accounts,
    list_api_tokens,
    revoke_api_token,
    set_time_zone,
)
from ...posts.compose import format_local_time
from ...store.models import User
from .post_display import not_found
from .render import redirect, render
from .session import SignedInUser, app_context, require_csrf, sign_out

router = APIRouter()

NO_STORE = {"Cache-Control": "no-store"}


@cache
def time_zone_choices() -> tuple[str, ...]:
    """Every IANA zone this server knows, sorted, UTC first (the list never changes while
    the process runs)."""
    zones = sorted(z for z in available_timezones() if z != "UTC")
    return ("UTC", *zones)


@router.get("/settings")
async def settings_page(request: Request, user: SignedInUser) -> Response:
    return await _settings_page(request, user)


async def _settings_page(
    request: Request,
    user: User,
    *,
    errors: dict[str, str] | None = None,
    token_name: str = "",
    status_code: int = 200,
) -> Response:
    ctx = app_context(request)
    tokens = await run_in_threadpool(list_api_tokens, ctx, user)
    page = {
        "title": "Settings",
        "time_zones": time_zone_choices(),
        "now_local": format_local_time(ctx.now(), user.time_zone or "UTC"),
        "tokens": [t for t in tokens if t.revoked_at is None],
        "revoked_tokens": [t for t in tokens if t.revoked_at is not None],
        "errors": errors or {},
        "token_name": token_name,
    }
    return render(request, "settings.html", page, status_code=status_code)


@router.post("/settings/time-zone", dependencies=[Depends(require_csrf)])
async def change_time_zone(
    request: Request, user: SignedInUser, time_zone: Annotated[str, Form()] = ""
) -> Response:
    try:
        updated = await run_in_threadpool(set_time_zone, app_context(request), user, time_zone)
    except AccountsError as exc:
        return await _settings_page(request, user, errors={"time_zone": str(exc)}, status_code=400)
    return redirect("/settings", f"Times are now shown and read in {updated.time_zone}.")


# --- API tokens ---------------------------------------------------------------------------


@router.post("/settings/tokens", dependencies=[Depends(require_csrf)])
async def create_token(
    request: Request, user: SignedInUser, name: Annotated[str, Form()] = ""
) -> Response:
    try:
        made = await run_in_threadpool(create_api_token, app_context(request), user, name)
    except AccountsError as exc:
        return await _settings_page(
            request, user, errors={"token_name": str(exc)}, token_name=name, status_code=400
        )
    response = render(request, "token_created.html", {"title": "API token created", "made": made})
    response.headers.update(NO_STORE)
    return response


@router.post("/settings/tokens/{token_id}/revoke", dependencies=[Depends(require_csrf)])
async def revoke_token(request: Request, token_id: int, user: SignedInUser) -> Response:
    try:
        await run_in_threadpool(revoke_api_token, app_context(request), user, token_id)
    except NotFound as exc:
        return not_found(request, str(exc), back="/accounts")
    return redirect("/settings", "The API token is revoked: requests using it are refused now.")


# --- Export and erase ---------------------------------------------------------------------


@router.post("/settings/export", dependencies=[Depends(require_csrf)])
async def export(request: Request, user: SignedInUser) -> Response:
    ctx = app_context(request)
    document = await run_in_threadpool(export_user_data, ctx, user)
    day = ctx.now().strftime("%Y-%m-%d")
    filename = f"autoposter-export-{_filename_safe(user.username)}-{day}.json"
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_STORE},
    )


def _filename_safe(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in text)[:60]


@router.get("/settings/erase")
async def erase_page(request: Request, user: SignedInUser) -> Response:
    return await _erase_page(request, user)


async def _erase_page(
    request: Request, user: User, *, error: str | None = None, status_code: int = 200
) -> Response:
    ctx = app_context(request)
    accounts = await run_in_threadpool(list_accounts, ctx, user)
    tokens = await run_in_threadpool(list_api_tokens, ctx, user)
    page: dict[str, Any] = {
        "title": "Erase my data",
        "accounts": accounts,
        "live_tokens": sum(1 for t in tokens if t.revoked_at is None),
        "error": error,
    }
    return render(request, "erase.html", page, status_code=status_code)


@router.post("/settings/erase", dependencies=[Depends(require_csrf)])
async def erase(
    request: Request, user: SignedInUser, confirm_username: Annotated[str, Form()] = ""
) -> Response:
    if confirm_username.strip() != user.username:
        return await _erase_page(
            request,
            user,
            error=f"Type your username, {user.username}, exactly to confirm. Nothing was erased.",
            status_code=400,
        )
    report = await run_in_threadpool(erase_user, app_context(request), user)
    notice = "Your login and all your data are erased."
    if report.revocation_failures:
        notice += (
            f" Revoking {report.revocation_failures} TikTok account(s) at TikTok failed: remove "
            "Autoposter in TikTok's settings under Manage app permissions."
        )
    response = redirect("/goodbye", notice, kind="warning" if report.revocation_failures else "ok")
    sign_out(response)
    return response


@router.get("/goodbye")
async def goodbye(request: Request) -> Response:
    return render(request, "goodbye.html", {"title": "Goodbye"})
