"""Two workers needing a refresh at once: the lease lets exactly one refresh (§1.5)."""

from __future__ import annotations

import threading

import pytest

from autoposter.accounts import SYSTEM, Context, access_token_for
from autoposter.sandbox import RunningSandbox
from autoposter.store.models import User
from tests.conftest import StartSandbox
from tests.tiktok.support import set_faults

from .conftest import MakeContext
from .support import TestClock, connect_account, sandbox_grant


@pytest.fixture
def forgiving_sandbox(start_sandbox: StartSandbox) -> RunningSandbox:
    # With a grace window a second refresh would *succeed* (§1.5 [UNK]) instead of failing
    # loudly, so only counting the rotations shows whether two refreshes happened.
    return start_sandbox(refresh_grace_seconds=3600.0)


def race(contexts: list[Context], account_id: int) -> list[str]:
    barrier = threading.Barrier(len(contexts))
    results: list[str] = []
    errors: list[BaseException] = []

    def worker(ctx: Context) -> None:
        barrier.wait(timeout=5)
        try:
            results.append(access_token_for(ctx, SYSTEM, account_id))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(ctx,)) for ctx in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not errors, errors
    return results


def test_two_workers_racing_to_refresh_end_with_one_refresh(
    make_context: MakeContext,
    forgiving_sandbox: RunningSandbox,
    user: User,
    clock: TestClock,
) -> None:
    sandbox = forgiving_sandbox
    # Two processes' worth of services on one database.
    first, second = make_context(sandbox), make_context(sandbox)
    account = connect_account(first, sandbox, user).account
    clock.advance(86_400)  # both see the token as due
    set_faults(sandbox, latency_ms=300)  # a slow refresh keeps the race window open
    tokens = race([first, second], account.id)
    grant = sandbox_grant(sandbox)
    assert len(grant.retired_refresh) == 1  # one rotation, not two
    assert tokens == [grant.access_token, grant.access_token]
