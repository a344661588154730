"""Fixtures for the account services: a migrated database, a sandbox, and a Context on them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from autoposter.accounts import Context, create_user, users
from autoposter.sandbox import RunningSandbox
from autoposter.store import upgrade
from autoposter.store.models import User
from tests.conftest import StartSandbox
from tests.databases import database_for

from .support import TestClock, context_for

MakeContext = Callable[..., Context]


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its smallest cost: the same algorithm and format, a hundred times faster.
    Production keeps argon2-cffi's defaults."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database: a SQLite file, or a fresh PostgreSQL schema."""
    for url in database_for(request.param, tmp_path):
        upgrade(url)
        yield url


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
def make_context(
    start_sandbox: StartSandbox, database_url: str, tmp_path: Path, clock: TestClock
) -> Iterator[MakeContext]:
    """Contexts on the test database; several may share it, like separate processes.

    Depending on ``start_sandbox`` makes the contexts' HTTP clients close before any
    sandbox stops, so the sandboxes need not wait for idle connections."""
    made: list[Context] = []

    def make(sandbox: RunningSandbox, **settings: Any) -> Context:
        ctx = context_for(sandbox, database_url, tmp_path / "data", clock, **settings)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture
def ctx(make_context: MakeContext, sandbox: RunningSandbox) -> Context:
    return make_context(sandbox)


@pytest.fixture
def user(ctx: Context) -> User:
    return create_user(ctx, "ana", "correct horse battery")


@pytest.fixture
def other_user(ctx: Context) -> User:
    return create_user(ctx, "bo", "another good password")
