"""Connecting a TikTok account through the sandbox's authorize form (§1.1–§1.4, §3.1)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from autoposter.accounts import (
    Context,
    access_token_for,
    create_user,
    list_accounts,
    start_connect,
)
from autoposter.sandbox import RunningSandbox
from autoposter.store.models import TikTokAccount, User
from tests.conftest import StartSandbox

from .conftest import MakeContext
from .support import account_row, connect_account, count_accounts, sandbox_grant


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_it_connects_an_account_through_the_authorize_form(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    result = connect_account(ctx, sandbox, user)
    creator = sandbox.world.creator_by_key("public")
    assert creator is not None
    account = result.account
    assert not result.reconnected
    assert result.profile_fetched
    assert account.open_id == creator.open_id
    assert account.union_id == creator.union_id
    assert account.username == "sunny.studio"
    assert account.nickname == "Sunny Studio"
    assert account.avatar_url and account.avatar_url.startswith(sandbox.url)
    assert account.status == "connected"
    assert account.label == "@sunny.studio"
    assert set(account.scopes) == set(ctx.settings.scopes)
    grant = sandbox_grant(sandbox)
    assert access_token_for(ctx, user, account.id) == grant.access_token


def test_the_authorize_url_asks_only_for_the_enabled_features_scopes(
    make_context: MakeContext, sandbox: RunningSandbox
) -> None:
    ctx = make_context(sandbox, features=("inbox",))
    user = create_user(ctx, "ana", "correct horse battery")
    query = query_of(start_connect(ctx, user).authorize_url)
    assert query["scope"].split(",") == ["user.info.basic", "user.info.profile", "video.upload"]
    assert query["client_key"] == sandbox.world.config.client_key
    assert query["redirect_uri"] == "http://127.0.0.1:8000/accounts/callback"
    assert "code_challenge" not in query  # a web app


def test_a_desktop_app_connects_with_pkce(
    make_context: MakeContext, start_sandbox: StartSandbox
) -> None:
    sandbox = start_sandbox(require_pkce=True)
    ctx = make_context(sandbox, tiktok_desktop_app=True)
    user = create_user(ctx, "ana", "correct horse battery")
    query = query_of(start_connect(ctx, user).authorize_url)
    assert len(query["code_challenge"]) == 64  # §1.3: TikTok's hex SHA-256 challenge
    assert query["code_challenge_method"] == "S256"
    result = connect_account(ctx, sandbox, user)
    assert result.account.status == "connected"


def test_reconnecting_updates_the_same_account_and_keeps_a_working_refresh_token(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    first = connect_account(ctx, sandbox, user)
    second = connect_account(ctx, sandbox, user)
    assert second.reconnected
    assert second.account.id == first.account.id
    assert count_accounts(ctx) == 1
    row = account_row(ctx, first.account.id)
    assert row is not None
    stored_refresh = ctx.keyring.decrypt(
        row.refresh_token_ciphertext or "", f"tiktok_accounts:{row.id}:refresh_token"
    )
    assert stored_refresh == sandbox_grant(sandbox).refresh_token
    # The stored refresh token is the live one: TikTok accepts it.
    refreshed = ctx.tiktok.refresh(stored_refresh)
    assert refreshed.open_id == first.account.open_id


def test_reconnecting_brings_back_an_account_that_needed_it(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    first = connect_account(ctx, sandbox, user)
    with ctx.db.session() as session:
        row = session.get(TikTokAccount, first.account.id)
        assert row is not None
        row.status, row.status_reason = "needs_reconnect", "refused"
    second = connect_account(ctx, sandbox, user)
    assert second.account.status == "connected"
    assert second.account.status_reason is None


def test_unticked_scopes_are_reported_and_the_profile_still_loads(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    result = connect_account(ctx, sandbox, user, grant=("user.info.basic", "video.upload"))
    assert set(result.missing_scopes) == {"user.info.profile", "video.publish", "video.list"}
    assert result.profile_fetched
    assert result.account.username is None  # needs user.info.profile (§2)
    assert result.account.nickname == "Sunny Studio"
    assert result.account.label == "Sunny Studio"


def test_each_user_sees_only_their_own_accounts(
    ctx: Context, sandbox: RunningSandbox, user: User, other_user: User
) -> None:
    mine = connect_account(ctx, sandbox, user).account
    theirs = connect_account(ctx, sandbox, other_user, creator="private").account
    assert [a.id for a in list_accounts(ctx, user)] == [mine.id]
    assert [a.id for a in list_accounts(ctx, other_user)] == [theirs.id]


def test_the_connected_token_works_at_tiktok(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    account = connect_account(ctx, sandbox, user).account
    token = access_token_for(ctx, user, account.id)
    response = httpx.get(
        f"{sandbox.url}/v2/user/info/",
        params={"fields": "open_id"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["data"]["user"]["open_id"] == account.open_id
