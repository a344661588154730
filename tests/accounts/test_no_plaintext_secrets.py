"""Reading the database gives away no token, code or secret: the raw SQLite file (and its
WAL) and a PostgreSQL dump are searched for every credential the sandbox issued."""

from __future__ import annotations

from sqlalchemy import select

from autoposter.accounts import (
    Context,
    access_token_for,
    create_api_token,
    finish_connect,
    start_connect,
)
from autoposter.sandbox import RunningSandbox
from autoposter.store.models import OAuthState, User
from tests.conftest import StartSandbox
from tests.databases import pg_dump, raw_sqlite_bytes
from tests.sandbox.support import callback_query
from tests.tiktok.support import consent

from .conftest import MakeContext
from .support import TestClock, sandbox_grant


def issued_credentials(sandbox: RunningSandbox) -> set[str]:
    world = sandbox.world
    found = set(world.codes) | set(world.refresh_index) | set(world.access_index)
    for grant in world.grants.values():
        found |= {grant.access_token, grant.refresh_token, *grant.retired_refresh}
    return found


def stored_verifiers(ctx: Context) -> set[str]:
    with ctx.db.session() as session:
        rows = session.scalars(select(OAuthState)).all()
    return {
        ctx.keyring.decrypt(r.code_verifier_ciphertext, f"oauth_states:{r.id}:code_verifier")
        for r in rows
        if r.code_verifier_ciphertext
    }


def test_the_database_holds_no_secret_in_plaintext(
    make_context: MakeContext,
    start_sandbox: StartSandbox,
    user: User,
    clock: TestClock,
    database_url: str,
) -> None:
    sandbox = start_sandbox(require_pkce=True)
    ctx = make_context(sandbox, tiktok_desktop_app=True)
    secrets: set[str] = {sandbox.world.config.client_secret, "correct horse battery"}
    for creator in ("public", "private"):
        start = start_connect(ctx, user)
        secrets.add(start.state)
        params = callback_query(consent(sandbox, start.authorize_url, creator=creator))
        account = finish_connect(ctx, user, params).account
        secrets |= issued_credentials(sandbox)
    secrets |= stored_verifiers(ctx)
    clock.advance(86_400)
    sandbox.world.clock.advance(86_400)
    access_token_for(ctx, user, account.id)  # a refresh: rotated tokens too
    secrets |= issued_credentials(sandbox)
    secrets.add(create_api_token(ctx, user, "ci").token)
    assert sandbox_grant(sandbox, "private").access_token in secrets
    assert len(secrets) > 10

    if database_url.startswith("sqlite"):
        raw = raw_sqlite_bytes(database_url)
    else:
        raw = pg_dump(database_url)
    assert b"sunny.studio" in raw  # we are reading the data, WAL included
    leaked = sorted(s for s in secrets if s.encode() in raw)
    assert leaked == []
