"""Export all of a user's data as one JSON document; erase all of it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from autoposter.accounts import (
    Context,
    NotFound,
    authenticate,
    create_api_token,
    erase_user,
    export_user_data,
    handle_authorization_removed,
    list_accounts,
    privacy,
)
from autoposter.sandbox import RunningSandbox
from autoposter.store.models import ApiToken, AuditEvent, OAuthState, TikTokAccount, User
from autoposter.tiktok import AuthorizationRemoved
from tests.tiktok.support import set_faults

from .support import connect_account, sandbox_grant


def test_the_export_holds_the_users_data_and_no_secret(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    account = connect_account(ctx, sandbox, user).account
    grant = sandbox_grant(sandbox)
    api_token = create_api_token(ctx, user, "laptop")
    document = export_user_data(ctx, user)
    text = json.dumps(document)  # it is one JSON document
    assert document["format"] == "autoposter-export"
    assert document["user"]["username"] == "ana"
    [exported] = document["tiktok_accounts"]
    assert exported["id"] == account.id
    assert exported["username"] == "sunny.studio"
    assert exported["status"] == "connected"
    assert [t["name"] for t in document["api_tokens"]] == ["laptop"]
    assert "account.connected" in {e["event"] for e in document["audit_events"]}
    for secret in (grant.access_token, grant.refresh_token, api_token.token, "v1:", "$argon2"):
        assert secret not in text


def test_erase_revokes_at_tiktok_and_leaves_only_the_record_of_the_erasure(
    ctx: Context, sandbox: RunningSandbox, user: User, other_user: User
) -> None:
    mine = connect_account(ctx, sandbox, user).account
    theirs = connect_account(ctx, sandbox, other_user, creator="private").account
    create_api_token(ctx, user, "laptop")
    report = erase_user(ctx, user)
    assert (report.accounts_deleted, report.revocation_failures) == (1, 0)
    assert mine.open_id not in sandbox.world.grants
    assert theirs.open_id in sandbox.world.grants  # nobody else's data is touched
    assert authenticate(ctx, "ana", "correct horse battery") is None
    with ctx.db.session() as session:
        for model in (TikTokAccount, ApiToken, OAuthState):
            assert (
                session.scalar(
                    select(func.count()).select_from(model).where(model.user_id == user.id)
                )
                == 0
            )
        assert session.get(User, user.id) is None
        events = session.scalars(select(AuditEvent).where(AuditEvent.user_id == user.id)).all()
    assert [e.event for e in events] == ["user.erased"]
    assert events[0].details == {"accounts_deleted": 1, "revocation_failures": 0}
    assert [a.id for a in list_accounts(ctx, other_user)] == [theirs.id]


def test_erase_goes_on_when_tiktok_cannot_revoke_and_counts_it(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    connect_account(ctx, sandbox, user)
    set_faults(sandbox, error_5xx_rate=1.0)
    report = erase_user(ctx, user)
    assert report.revocation_failures == 1
    with ctx.db.session() as session:
        assert session.get(User, user.id) is None


def test_an_account_tiktok_already_revoked_is_not_counted_as_a_failure(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    account = connect_account(ctx, sandbox, user).account
    removal = AuthorizationRemoved(
        client_key="k", event="authorization.removed", create_time=0, user_openid=account.open_id
    )
    handle_authorization_removed(ctx, removal)
    report = erase_user(ctx, user)
    assert (report.accounts_deleted, report.revocation_failures) == (1, 0)


def test_erase_runs_the_steps_other_rooms_register(
    ctx: Context, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    erased: list[int] = []
    monkeypatch.setattr(privacy, "_erase_steps", [])
    privacy.register_erase_step(lambda _ctx, user_id: erased.append(user_id))
    erase_user(ctx, user)
    assert erased == [user.id]


def test_an_erased_user_cannot_be_erased_twice(ctx: Context, user: User) -> None:
    erase_user(ctx, user)
    with pytest.raises(NotFound):
        erase_user(ctx, user)
