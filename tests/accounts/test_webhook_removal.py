"""The authorization.removed webhook marks the account revoked and deletes its tokens (§7.2)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from autoposter.accounts import (
    Context,
    NeedsReconnect,
    access_token_for,
    get_account,
    handle_authorization_removed,
)
from autoposter.sandbox import RunningSandbox
from autoposter.store.models import User
from autoposter.tiktok import AuthorizationRemoved, parse_event, verify_signature
from tests.conftest import StartSandbox
from tests.tiktok.support import WebhookReceiver

from .conftest import MakeContext
from .support import account_row, connect_account


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def hooked(
    start_sandbox: StartSandbox, make_context: MakeContext, receiver: WebhookReceiver
) -> tuple[RunningSandbox, Context]:
    """A sandbox that delivers its webhooks, and services on it."""
    sandbox = start_sandbox(webhook_url=receiver.url)
    return sandbox, make_context(sandbox)


def removal_from_tiktok(
    sandbox: RunningSandbox, receiver: WebhookReceiver, creator: str = "public"
) -> AuthorizationRemoved:
    """The creator removes the app in TikTok; return the delivered webhook, verified (§7.3)."""
    seen = len(receiver.deliveries)
    response = httpx.post(f"{sandbox.url}/sandbox/api/creators/{creator}/deauthorize", json={})
    assert response.status_code == 200, response.text
    headers, body = receiver.wait_for(seen + 1)[-1]
    signature = next(v for k, v in headers.items() if k.lower() == "tiktok-signature")
    verify_signature(signature, body, sandbox.world.config.client_secret, now=sandbox.world.now())
    event = parse_event(body)
    assert isinstance(event, AuthorizationRemoved)
    return event


def test_it_marks_the_account_revoked_and_deletes_its_tokens(
    hooked: tuple[RunningSandbox, Context], receiver: WebhookReceiver, user: User
) -> None:
    sandbox, ctx = hooked
    account = connect_account(ctx, sandbox, user).account
    event = removal_from_tiktok(sandbox, receiver)
    assert handle_authorization_removed(ctx, event) == 1
    view = get_account(ctx, user, account.id)
    assert view.status == "revoked"
    assert view.status_reason and "creator disconnected the app" in view.status_reason
    row = account_row(ctx, account.id)
    assert row is not None
    assert row.access_token_ciphertext is None and row.refresh_token_ciphertext is None
    assert view.username == "sunny.studio"  # the owner still sees which account it was
    with pytest.raises(NeedsReconnect):
        access_token_for(ctx, user, account.id)


def test_a_repeated_delivery_changes_nothing(
    hooked: tuple[RunningSandbox, Context], receiver: WebhookReceiver, user: User
) -> None:
    sandbox, ctx = hooked
    connect_account(ctx, sandbox, user)
    event = removal_from_tiktok(sandbox, receiver)
    assert handle_authorization_removed(ctx, event) == 1
    assert handle_authorization_removed(ctx, event) == 0


def test_a_late_removal_of_an_authorization_since_replaced_is_ignored(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    account = connect_account(ctx, sandbox, user).account
    stale = AuthorizationRemoved(
        client_key=sandbox.world.config.client_key,
        event="authorization.removed",
        create_time=int((account.connected_at - timedelta(minutes=5)).timestamp()),
        user_openid=account.open_id,
        reason=1,
    )
    assert handle_authorization_removed(ctx, stale) == 0
    assert get_account(ctx, user, account.id).status == "connected"


def test_a_removal_for_an_unknown_creator_is_a_no_op(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    account = connect_account(ctx, sandbox, user).account
    event = AuthorizationRemoved(
        client_key="k", event="authorization.removed", create_time=0, user_openid="-000nobody"
    )
    assert handle_authorization_removed(ctx, event) == 0
    assert get_account(ctx, user, account.id).status == "connected"
