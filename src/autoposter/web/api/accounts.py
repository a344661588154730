"""``/api/v1/accounts``: the caller's TikTok accounts — list, show, connect, disconnect, and
what TikTok lets each post right now (creator_info, §4.1)."""

from __future__ import annotations

from datetime import datetime

from ...accounts import (
    AccountView,
    access_token_for,
    disconnect,
    get_account,
    list_accounts,
    start_connect,
    token_health,
)
from ...config import Settings
from .auth import Ctx, CurrentUser
from .errors import api_router, responses
from .schemas import (
    Account,
    AccountList,
    ConnectStarted,
    CreatorInfoOut,
    Disconnected,
    IdPath,
)

router = api_router(prefix="/accounts", tags=["accounts"])


@router.get("", response_model=AccountList, responses=responses())
def accounts_list(ctx: Ctx, user: CurrentUser) -> AccountList:
    now = ctx.now()
    return AccountList(items=[account_of(a, ctx.settings, now) for a in list_accounts(ctx, user)])


@router.get("/{account_id}", response_model=Account, responses=responses(404))
def account_show(ctx: Ctx, user: CurrentUser, account_id: IdPath) -> Account:
    return account_of(get_account(ctx, user, account_id), ctx.settings, ctx.now())


@router.post("/connect", status_code=201, response_model=ConnectStarted, responses=responses(503))
def account_connect(ctx: Ctx, user: CurrentUser) -> ConnectStarted:
    """Start connecting a TikTok account. Open ``authorize_url`` in a browser signed in to
    the dashboard as the same user; the dashboard's callback finishes the connect."""
    started = start_connect(ctx, user)
    return ConnectStarted(authorize_url=started.authorize_url, expires_at=started.expires_at)


@router.delete("/{account_id}", response_model=Disconnected, responses=responses(404))
def account_disconnect(ctx: Ctx, user: CurrentUser, account_id: IdPath) -> Disconnected:
    """Revoke the account's authorization at TikTok and delete it here; its posts stay,
    shown as from a disconnected account."""
    result = disconnect(ctx, user, account_id)
    return Disconnected(
        account_id=result.account_id,
        revoked_at_tiktok=result.revoked_at_tiktok,
        revoke_error=result.revoke_error,
        deleted={"accounts": 1},
    )


@router.get(
    "/{account_id}/creator-info",
    response_model=CreatorInfoOut,
    responses=responses(404, 409, 429, 503),
)
def account_creator_info(ctx: Ctx, user: CurrentUser, account_id: IdPath) -> CreatorInfoOut:
    """Asked of TikTok now: the privacy levels, interactions and video length the creator
    may choose from (§8 1 — show these, not guesses, when composing)."""
    info = ctx.tiktok.creator_info(access_token_for(ctx, user, account_id))
    return CreatorInfoOut(
        creator_username=info.creator_username,
        creator_nickname=info.creator_nickname,
        creator_avatar_url=info.creator_avatar_url,
        privacy_level_options=list(info.privacy_level_options),
        comment_disabled=info.comment_disabled,
        duet_disabled=info.duet_disabled,
        stitch_disabled=info.stitch_disabled,
        max_video_post_duration_sec=info.max_video_post_duration_sec,
    )


def account_of(account: AccountView, settings: Settings, now: datetime) -> Account:
    return Account(
        id=account.id,
        username=account.username,
        nickname=account.nickname,
        avatar_url=account.avatar_url,
        scopes=list(account.scopes),
        status=account.status,
        status_reason=account.status_reason,
        token_health=token_health(account, now),
        connected_at=account.connected_at,
    )
