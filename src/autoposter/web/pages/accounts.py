"""The Accounts page: connect TikTok accounts (Login Kit, §1.1–§1.2), see their health,
reconnect, and disconnect with a confirmation that says what goes (§1.7).

Connecting is a POST (it records an OAuth state) answered with a 303 to TikTok's authorize
page; TikTok sends the browser back to ``/accounts/callback``. Every way that callback can go
wrong arrives as an :class:`~autoposter.accounts.AccountsError` whose message is shown on the
accounts page with a way to start again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ... import accounts
from ...accounts import (
    AccountsError,
    AccountView,
    ConnectResult,
    NotFound,
    disconnect,
    finish_connect,
    get_account,
    list_accounts,
    start_connect,
)
from ...posts.listing import MAX_LIMIT, list_posts_page
from ...posts.machine import ACTIVE, NOT_STARTED
from ...store.models import CONNECTED, REVOKED, User
from .post_display import not_found
from .render import redirect, render
from .session import SignedInUser, app_context, require_csrf

router = APIRouter()


@dataclass(frozen=True)
class TokenHealth:
    """How an account's authorization stands, as a badge and a sentence."""

    key: str  # "ok" | "refresh_soon" | "needs_reconnect" (the API's token_health words)
    label: str
    detail: str

    @property
    def needs_reconnect(self) -> bool:
        return self.key != "ok"


def token_health(account: AccountView, now: datetime) -> TokenHealth:
    """The shared rule (:func:`accounts.token_health`) as a badge and a sentence."""
    key = accounts.token_health(account, now)
    ends = account.refresh_expires_at
    if key == "needs_reconnect" and account.status != CONNECTED:
        label = "Access removed" if account.status == REVOKED else "Needs reconnect"
        detail = account.status_reason or (
            "TikTok no longer accepts this account's authorization: connect it again."
        )
        return TokenHealth(key, label, detail)
    if key == "needs_reconnect":
        return TokenHealth(
            key,
            "Needs reconnect",
            "TikTok's authorization for this account has run out: connect it again.",
        )
    if key == "refresh_soon" and ends is not None:
        days = max(1, (ends - now).days)
        return TokenHealth(
            key,
            "Reconnect soon",
            f"TikTok's authorization runs out in {days} day{'s' if days != 1 else ''}: "
            "reconnect before then so scheduled posts keep going out.",
        )
    return TokenHealth("ok", "Connected", "Tokens renew automatically.")


@dataclass(frozen=True)
class AccountRow:
    account: AccountView
    health: TokenHealth
    missing_scopes: tuple[str, ...]


@router.get("/accounts")
async def accounts_page(request: Request, user: SignedInUser) -> Response:
    return await _accounts_page(request, user)


async def _accounts_page(
    request: Request,
    user: User,
    *,
    connect_error: str | None = None,
    status_code: int = 200,
) -> Response:
    ctx = app_context(request)
    accounts = await run_in_threadpool(list_accounts, ctx, user)
    now = ctx.now()
    wanted = ctx.settings.scopes
    rows = [
        AccountRow(a, token_health(a, now), tuple(s for s in wanted if s not in a.scopes))
        for a in accounts
    ]
    page = {
        "title": "Accounts",
        "rows": rows,
        "connect_error": connect_error,
        "requested_scopes": wanted,
        "uses_sandbox": ctx.settings.uses_sandbox,
    }
    return render(request, "accounts.html", page, status_code=status_code)


@router.post("/accounts/connect", dependencies=[Depends(require_csrf)])
async def connect(request: Request, user: SignedInUser) -> Response:
    start = await run_in_threadpool(start_connect, app_context(request), user)
    return RedirectResponse(start.authorize_url, status_code=303)


@router.get("/accounts/callback")
async def callback(request: Request, user: SignedInUser) -> Response:
    """TikTok's redirect (§1.2): finish connecting for the signed-in user."""
    params = dict(request.query_params)
    try:
        result = await run_in_threadpool(finish_connect, app_context(request), user, params)
    except AccountsError as exc:
        status = 503 if exc.retryable else 400
        return await _accounts_page(request, user, connect_error=str(exc), status_code=status)
    text, kind = connected_notice(result)
    return redirect("/accounts", text, kind=kind)


def connected_notice(result: ConnectResult) -> tuple[str, str]:
    """What to tell the person after connecting, and whether it is a warning."""
    verb = "Reconnected" if result.reconnected else "Connected"
    text = f"{verb} {result.account.label}."
    kind = "ok"
    if result.missing_scopes:
        text += (
            " TikTok did not grant " + ", ".join(result.missing_scopes) + ": what needs it will "
            "not work until you reconnect and keep those permissions ticked."
        )
        kind = "warning"
    if not result.profile_fetched:
        text += " Its TikTok profile could not be read yet; it is filled in on the next connect."
        kind = "warning"
    return text, kind


@router.get("/accounts/{account_id}/disconnect")
async def disconnect_page(request: Request, account_id: int, user: SignedInUser) -> Response:
    ctx = app_context(request)
    try:
        account = await run_in_threadpool(get_account, ctx, user, account_id)
    except NotFound as exc:
        return not_found(request, str(exc), back="/accounts")
    waiting = await run_in_threadpool(_count_posts, request, user, account_id, NOT_STARTED)
    sending = await run_in_threadpool(_count_posts, request, user, account_id, ACTIVE)
    page = {
        "title": f"Disconnect {account.label}",
        "account": account,
        "waiting": waiting,
        "sending": sending,
        "count_cap": MAX_LIMIT,
    }
    return render(request, "disconnect.html", page)


def _count_posts(request: Request, user: User, account_id: int, statuses: tuple[str, ...]) -> int:
    """How many of the account's posts are in ``statuses``, counted up to one page
    (MAX_LIMIT); the page says "at least" past that, so the cost never grows."""
    page = list_posts_page(
        app_context(request), user, account_id=account_id, status=statuses, limit=MAX_LIMIT
    )
    return len(page.items) + (1 if page.next_cursor else 0)


@router.post("/accounts/{account_id}/disconnect", dependencies=[Depends(require_csrf)])
async def disconnect_account(request: Request, account_id: int, user: SignedInUser) -> Response:
    ctx = app_context(request)
    try:
        account = await run_in_threadpool(get_account, ctx, user, account_id)
        result = await run_in_threadpool(disconnect, ctx, user, account_id)
    except NotFound as exc:
        return not_found(request, str(exc), back="/accounts")
    except AccountsError as exc:
        return redirect("/accounts", str(exc), kind="error")
    if result.revoked_at_tiktok:
        return redirect(
            "/accounts",
            f"Disconnected {account.label}: its access was revoked at TikTok and its tokens "
            "and profile are deleted here.",
        )
    if result.revoke_error is None:
        return redirect(
            "/accounts",
            f"Disconnected {account.label}: TikTok had removed its access already, and its "
            "profile is deleted here.",
        )
    return redirect(
        "/accounts",
        f"Disconnected {account.label} and deleted its tokens and profile here, but revoking "
        f"at TikTok failed ({result.revoke_error}). The creator can remove the app in "
        "TikTok's settings under Manage app permissions.",
        kind="warning",
    )
