"""Disconnect: revoke at TikTok (§1.7), then delete tokens and profile here for good."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from autoposter.accounts import Context, NotFound, disconnect, list_accounts
from autoposter.sandbox import RunningSandbox
from autoposter.store.models import AuditEvent, User
from tests.tiktok.support import set_faults

from .support import account_row, connect_account, count_accounts


def audit_events(ctx: Context, event: str) -> list[AuditEvent]:
    with ctx.db.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.event == event)))


def test_it_revokes_at_tiktok_then_deletes_the_account(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    account = connect_account(ctx, sandbox, user).account
    result = disconnect(ctx, user, account.id)
    assert result.revoked_at_tiktok and result.revoke_error is None
    assert account.open_id not in sandbox.world.grants  # TikTok forgot the authorization
    assert account_row(ctx, account.id) is None
    assert list_accounts(ctx, user) == []
    [event] = audit_events(ctx, "account.disconnected")
    assert event.account_id == account.id
    assert event.details == {"revoked_at_tiktok": True, "revoke_error": None}


def test_a_failed_revocation_does_not_block_deletion_and_is_recorded(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    account = connect_account(ctx, sandbox, user).account
    set_faults(sandbox, error_5xx_rate=1.0)
    result = disconnect(ctx, user, account.id)
    assert not result.revoked_at_tiktok
    assert result.revoke_error and "server_error" in result.revoke_error
    assert count_accounts(ctx) == 0
    [event] = audit_events(ctx, "account.disconnected")
    assert event.details["revoked_at_tiktok"] is False
    assert "server_error" in event.details["revoke_error"]


def test_another_users_account_cannot_be_disconnected(
    ctx: Context, sandbox: RunningSandbox, user: User, other_user: User
) -> None:
    account = connect_account(ctx, sandbox, user).account
    with pytest.raises(NotFound):
        disconnect(ctx, other_user, account.id)
    assert count_accounts(ctx) == 1
    assert account.open_id in sandbox.world.grants
