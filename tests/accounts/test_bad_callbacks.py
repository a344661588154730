"""Every bad OAuth callback gets a clear message and stores nothing (§1.2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from autoposter.accounts import (
    AuthorizationCancelled,
    AuthorizationFailed,
    ConnectError,
    Context,
    StateExpired,
    StateMissing,
    StateReplayed,
    StateUnknown,
    StateWrongUser,
    finish_connect,
    purge_expired_states,
    start_connect,
)
from autoposter.sandbox import RunningSandbox
from autoposter.store.models import OAuthState, User
from tests.sandbox.support import callback_query
from tests.tiktok.support import consent

from .support import TestClock, count_accounts


def authorized_callback(ctx: Context, sandbox: RunningSandbox, user: User) -> dict[str, str]:
    start = start_connect(ctx, user)
    return callback_query(consent(sandbox, start.authorize_url))


def assert_nothing_connected(ctx: Context, error: ConnectError) -> None:
    assert count_accounts(ctx) == 0
    assert "connect" in str(error).lower()  # it says what to do next


TAMPERED_CALLBACKS = [
    pytest.param(lambda p: p.pop("state"), StateMissing, None, id="without-state"),
    pytest.param(
        lambda p: p.update(state="forged-" + p["state"]), StateUnknown, None, id="unknown-state"
    ),
    pytest.param(lambda p: p.pop("code"), AuthorizationFailed, None, id="without-a-code"),
    pytest.param(
        lambda p: p.update(code=p["code"][:-3]),  # §1.2: a cut code is reported as expired
        AuthorizationFailed,
        "refused the authorization code",
        id="a-code-tiktok-refuses",
    ),
]


@pytest.mark.parametrize(("tamper", "refusal", "says"), TAMPERED_CALLBACKS)
def test_a_tampered_callback_is_refused_and_stores_nothing(
    ctx: Context,
    sandbox: RunningSandbox,
    user: User,
    tamper: Callable[[dict[str, str]], object],
    refusal: type[ConnectError],
    says: str | None,
) -> None:
    params = authorized_callback(ctx, sandbox, user)
    tamper(params)
    with pytest.raises(refusal, match=says) as raised:
        finish_connect(ctx, user, params)
    assert_nothing_connected(ctx, raised.value)


def test_a_callback_for_another_users_state_is_refused(
    ctx: Context, sandbox: RunningSandbox, user: User, other_user: User
) -> None:
    params = authorized_callback(ctx, sandbox, user)
    with pytest.raises(StateWrongUser) as raised:
        finish_connect(ctx, other_user, params)
    assert_nothing_connected(ctx, raised.value)
    # The rightful user can still finish: the attempt did not burn their state.
    assert finish_connect(ctx, user, params).account.status == "connected"


def test_a_callback_after_the_state_expired_is_refused(
    ctx: Context, sandbox: RunningSandbox, user: User, clock: TestClock
) -> None:
    params = authorized_callback(ctx, sandbox, user)
    clock.advance(ctx.settings.oauth_state_ttl + 1)
    with pytest.raises(StateExpired) as raised:
        finish_connect(ctx, user, params)
    assert_nothing_connected(ctx, raised.value)
    assert "10 minutes" in str(raised.value)


def test_a_replayed_callback_is_refused_and_connects_nothing_more(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    params = authorized_callback(ctx, sandbox, user)
    finish_connect(ctx, user, params)
    with pytest.raises(StateReplayed) as raised:
        finish_connect(ctx, user, params)
    assert count_accounts(ctx) == 1
    assert "already used" in str(raised.value)


def test_a_cancelled_authorization_is_reported_and_stores_nothing(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    start = start_connect(ctx, user)
    params = callback_query(consent(sandbox, start.authorize_url, decision="cancel"))
    assert params["error"] == "access_denied"
    with pytest.raises(AuthorizationCancelled) as raised:
        finish_connect(ctx, user, params)
    assert_nothing_connected(ctx, raised.value)
    assert "cancelled" in str(raised.value)


def test_expired_states_are_purged_and_live_ones_kept(
    ctx: Context, user: User, clock: TestClock
) -> None:
    start_connect(ctx, user)
    clock.advance(ctx.settings.oauth_state_ttl + 1)
    start_connect(ctx, user)
    assert purge_expired_states(ctx) == 1
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(OAuthState)) == 1
