"""Tokens are refreshed ahead of expiry, from TikTok's expires_in, with rotation (§1.5, §1.6)."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from autoposter.accounts import (
    SYSTEM,
    Context,
    NeedsReconnect,
    NotFound,
    RefreshFailed,
    access_token_for,
    get_account,
    refresh_due_accounts,
)
from autoposter.sandbox import RunningSandbox
from autoposter.sandbox.config import SHORT_LIFETIMES
from autoposter.store.models import AuditEvent, User
from autoposter.tiktok import InvalidGrant
from tests.conftest import StartSandbox
from tests.tiktok.support import client_for, set_faults

from .conftest import MakeContext
from .support import TestClock, connect_account, sandbox_grant

MARGIN = 900  # the default token_refresh_margin


def advance(clock: TestClock, sandbox: RunningSandbox, seconds: float) -> None:
    """Move our clock and TikTok's together, as real time would."""
    clock.advance(seconds)
    sandbox.world.clock.advance(seconds)


@pytest.fixture
def short_sandbox(start_sandbox: StartSandbox) -> RunningSandbox:
    """TikTok's 2026 lifetimes: 2-hour access tokens, 180-day refresh tokens (§1.6)."""
    access, refresh = SHORT_LIFETIMES
    return start_sandbox(access_token_ttl=access, refresh_token_ttl=refresh)


@pytest.fixture
def short_ctx(make_context: MakeContext, short_sandbox: RunningSandbox) -> Context:
    return make_context(short_sandbox)


def test_a_fresh_token_is_used_as_it_is(ctx: Context, sandbox: RunningSandbox, user: User) -> None:
    account = connect_account(ctx, sandbox, user).account
    before = sandbox_grant(sandbox).refresh_token
    assert access_token_for(ctx, user, account.id) == sandbox_grant(sandbox).access_token
    assert sandbox_grant(sandbox).refresh_token == before


def test_it_refreshes_ahead_of_expiry_as_given_by_expires_in(
    short_ctx: Context, short_sandbox: RunningSandbox, user: User, clock: TestClock
) -> None:
    account = connect_account(short_ctx, short_sandbox, user).account
    old_access = sandbox_grant(short_sandbox).access_token
    # 2-hour tokens: a client assuming 24 hours would wait far too long.
    advance(clock, short_sandbox, SHORT_LIFETIMES[0] - MARGIN - 60)
    assert access_token_for(short_ctx, user, account.id) == old_access
    advance(clock, short_sandbox, 120)
    fresh = access_token_for(short_ctx, user, account.id)
    assert fresh != old_access
    assert fresh == sandbox_grant(short_sandbox).access_token
    view = get_account(short_ctx, user, account.id)
    assert view.access_expires_at is not None
    assert (view.access_expires_at - clock()).total_seconds() > SHORT_LIFETIMES[0] - 60


def test_the_rotated_out_refresh_token_is_refused_afterwards(
    short_ctx: Context, short_sandbox: RunningSandbox, user: User, clock: TestClock
) -> None:
    account = connect_account(short_ctx, short_sandbox, user).account
    old_refresh = sandbox_grant(short_sandbox).refresh_token
    advance(clock, short_sandbox, SHORT_LIFETIMES[0] - MARGIN + 1)
    access_token_for(short_ctx, user, account.id)
    assert sandbox_grant(short_sandbox).refresh_token != old_refresh
    with pytest.raises(InvalidGrant):
        short_ctx.tiktok.refresh(old_refresh)
    # … and the one stored with the new access token is the live one.
    advance(clock, short_sandbox, SHORT_LIFETIMES[0] - MARGIN + 1)
    assert (
        access_token_for(short_ctx, user, account.id) == sandbox_grant(short_sandbox).access_token
    )


def test_the_margin_never_exceeds_half_the_tokens_lifetime(
    make_context: MakeContext, start_sandbox: StartSandbox, user: User
) -> None:
    sandbox = start_sandbox(access_token_ttl=600)  # shorter than the 900 s margin
    ctx = make_context(sandbox)
    account = connect_account(ctx, sandbox, user).account
    before = sandbox_grant(sandbox).access_token
    assert access_token_for(ctx, user, account.id) == before


def test_a_transient_refresh_failure_is_retried(
    ctx: Context, sandbox: RunningSandbox, user: User, clock: TestClock
) -> None:
    account = connect_account(ctx, sandbox, user).account
    old_access = sandbox_grant(sandbox).access_token
    advance(clock, sandbox, 86_400 - MARGIN + 1)
    set_faults(sandbox, error_5xx_rate=1.0)
    waits: list[float] = []

    def back_off(seconds: float) -> None:
        waits.append(seconds)
        set_faults(sandbox, error_5xx_rate=0.0)  # TikTok recovers while we wait

    ctx.sleep = back_off
    fresh = access_token_for(ctx, user, account.id)
    assert len(waits) == 1
    assert fresh != old_access
    assert fresh == sandbox_grant(sandbox).access_token


def test_a_lasting_failure_keeps_using_a_still_valid_token(
    ctx: Context, sandbox: RunningSandbox, user: User, clock: TestClock
) -> None:
    account = connect_account(ctx, sandbox, user).account
    old_access = sandbox_grant(sandbox).access_token
    advance(clock, sandbox, 86_400 - MARGIN + 1)
    set_faults(sandbox, error_5xx_rate=1.0)
    assert access_token_for(ctx, user, account.id) == old_access
    assert get_account(ctx, user, account.id).status == "connected"


def test_a_lasting_failure_with_an_expired_token_says_it_will_retry(
    ctx: Context, sandbox: RunningSandbox, user: User, clock: TestClock
) -> None:
    account = connect_account(ctx, sandbox, user).account
    advance(clock, sandbox, 86_400 + 1)
    set_faults(sandbox, error_5xx_rate=1.0)
    with pytest.raises(RefreshFailed) as raised:
        access_token_for(ctx, user, account.id)
    assert raised.value.retryable
    assert get_account(ctx, user, account.id).status == "connected"
    set_faults(sandbox, error_5xx_rate=0.0)
    assert access_token_for(ctx, user, account.id) == sandbox_grant(sandbox).access_token


def test_a_refusal_that_waiting_cannot_fix_is_not_retried(
    ctx: Context, sandbox: RunningSandbox, user: User, clock: TestClock
) -> None:
    account = connect_account(ctx, sandbox, user).account
    waits: list[float] = []
    misconfigured = replace(
        ctx,
        sleep=waits.append,
        tiktok_client=client_for(sandbox, clock=clock, client_secret="not-the-apps-secret"),
    )
    advance(clock, sandbox, 86_400 + 1)
    with misconfigured.tiktok, pytest.raises(RefreshFailed, match="client key/secret") as raised:
        access_token_for(misconfigured, user, account.id)
    assert not raised.value.retryable
    assert waits == []
    assert get_account(ctx, user, account.id).status == "connected"


def test_only_invalid_grant_marks_the_account_for_reconnecting(
    ctx: Context, sandbox: RunningSandbox, user: User, clock: TestClock
) -> None:
    account = connect_account(ctx, sandbox, user).account
    # The creator removes the app in TikTok: the refresh token dies with the grant (§7.2).
    removed = httpx.post(f"{sandbox.url}/sandbox/api/creators/public/deauthorize", json={})
    assert removed.status_code == 200, removed.text
    advance(clock, sandbox, 86_400 - MARGIN + 1)
    with pytest.raises(NeedsReconnect, match="connect the account again"):
        access_token_for(ctx, user, account.id)
    view = get_account(ctx, user, account.id)
    assert view.status == "needs_reconnect"
    assert view.status_reason and "invalid_grant" in view.status_reason
    with pytest.raises(NeedsReconnect):
        access_token_for(ctx, user, account.id)
    with ctx.db.session() as session:
        events = session.scalars(select(AuditEvent.event)).all()
    assert "account.needs_reconnect" in events


def test_the_periodic_task_refreshes_only_accounts_that_are_due(
    ctx: Context, sandbox: RunningSandbox, user: User, clock: TestClock
) -> None:
    early = connect_account(ctx, sandbox, user, creator="public").account
    advance(clock, sandbox, 3 * 3600)
    late = connect_account(ctx, sandbox, user, creator="private").account
    early_token = access_token_for(ctx, user, early.id)
    late_token = access_token_for(ctx, user, late.id)
    advance(clock, sandbox, 86_400 - 3 * 3600 - MARGIN + 1)
    summary = refresh_due_accounts(ctx)
    assert (summary.refreshed, summary.failed, summary.needs_reconnect) == (1, 0, 0)
    assert access_token_for(ctx, SYSTEM, early.id) != early_token
    assert access_token_for(ctx, SYSTEM, late.id) == late_token


def test_the_periodic_task_counts_a_refresh_that_could_not_happen_as_failed(
    ctx: Context, sandbox: RunningSandbox, user: User, clock: TestClock
) -> None:
    connect_account(ctx, sandbox, user)
    advance(clock, sandbox, 86_400 - MARGIN + 1)
    set_faults(sandbox, error_5xx_rate=1.0)
    summary = refresh_due_accounts(ctx)
    assert (summary.refreshed, summary.failed) == (0, 1)


def test_another_users_account_is_not_found(
    ctx: Context, sandbox: RunningSandbox, user: User, other_user: User
) -> None:
    account = connect_account(ctx, sandbox, user).account
    with pytest.raises(NotFound):
        access_token_for(ctx, other_user, account.id)
    with pytest.raises(NotFound):
        get_account(ctx, other_user, account.id)
