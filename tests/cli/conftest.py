"""Fixtures for the CLI tests: an installation with a user (``instance``), and the same with
a connected sandbox account (``connected``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from autoposter.accounts import create_user, users
from autoposter.store import upgrade
from tests.accounts.support import TestClock, connect_account, context_for
from tests.conftest import StartSandbox
from tests.engine import free_port

from .support import PASSWORD, Instance, clean_environment


@pytest.fixture
def instance(
    start_sandbox: StartSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Instance]:
    """A migrated installation with the user ``ana``, its sandbox, and the CLI's environment."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    public_url = f"http://127.0.0.1:{free_port()}"
    sandbox = start_sandbox(
        redirect_uris=[public_url + "/accounts/callback"],
        verified_url_prefixes=[public_url + "/media/"],
    )
    data_dir = tmp_path / "data"
    database_url = f"sqlite:///{data_dir / 'autoposter.db'}"
    data_dir.mkdir()
    upgrade(database_url)
    ctx = context_for(sandbox, database_url, data_dir, TestClock(), public_url=public_url)
    user = create_user(ctx, "ana", PASSWORD)
    env = clean_environment(
        AUTOPOSTER_DATA_DIR=str(data_dir),
        AUTOPOSTER_PUBLIC_URL=public_url,
        AUTOPOSTER_SANDBOX_URL=sandbox.url,
    )
    yield Instance(sandbox, ctx, user, public_url, data_dir, env)
    ctx.close()


@pytest.fixture
def connected(instance: Instance) -> Instance:
    """The installation with the sandbox's ordinary public creator connected (account 1)."""
    connect_account(instance.ctx, instance.sandbox, instance.user, creator="public")
    return instance
