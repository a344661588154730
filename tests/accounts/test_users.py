"""Dashboard users (argon2) and API tokens (stored as SHA-256, shown once)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from autoposter.accounts import (
    Context,
    InvalidInput,
    NotFound,
    UsernameTaken,
    authenticate,
    create_api_token,
    create_user,
    list_api_tokens,
    record_audit,
    revoke_api_token,
    verify_api_token,
)
from autoposter.cli import app
from autoposter.store.models import ApiToken, User


def test_a_password_is_stored_as_an_argon2_hash(ctx: Context, user: User) -> None:
    with ctx.db.session() as session:
        stored = session.get(User, user.id)
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse battery" not in stored.password_hash


def test_it_authenticates_the_right_password_only(ctx: Context, user: User) -> None:
    found = authenticate(ctx, "ana", "correct horse battery")
    assert found is not None and found.id == user.id
    assert found.last_login_at is not None
    assert authenticate(ctx, "ana", "wrong horse battery") is None
    assert authenticate(ctx, "nobody", "correct horse battery") is None


def test_it_refuses_a_taken_username_and_a_short_password(ctx: Context, user: User) -> None:
    with pytest.raises(UsernameTaken, match="choose another"):
        create_user(ctx, "ana", "another long password")
    with pytest.raises(InvalidInput, match="at least 8 characters"):
        create_user(ctx, "cy", "short")


def test_an_api_token_is_shown_once_and_stored_hashed(ctx: Context, user: User) -> None:
    made = create_api_token(ctx, user, "laptop")
    with ctx.db.session() as session:
        row = session.scalars(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(made.token.encode()).hexdigest()
    assert made.token not in (row.token_hash, row.name)
    found = verify_api_token(ctx, made.token)
    assert found is not None and found.id == user.id
    assert verify_api_token(ctx, made.token + "x") is None
    [listed] = list_api_tokens(ctx, user)
    assert listed.name == "laptop" and listed.last_used_at is not None


def test_a_revoked_api_token_stops_working(ctx: Context, user: User) -> None:
    made = create_api_token(ctx, user, "laptop")
    revoke_api_token(ctx, user, made.id)
    assert verify_api_token(ctx, made.token) is None


def test_another_users_api_token_cannot_be_revoked(
    ctx: Context, user: User, other_user: User
) -> None:
    made = create_api_token(ctx, user, "laptop")
    with pytest.raises(NotFound):
        revoke_api_token(ctx, other_user, made.id)
    assert verify_api_token(ctx, made.token) is not None


def test_the_audit_log_refuses_anything_that_looks_like_a_secret(ctx: Context) -> None:
    with ctx.db.session() as session:
        with pytest.raises(ValueError, match="sounds like a secret"):
            record_audit(session, "x", ctx.now(), access_token="whatever")
        with pytest.raises(ValueError, match="token-shaped"):
            record_audit(session, "x", ctx.now(), note="rft.abcdef0123456789")


def test_the_users_create_command_creates_a_user(
    ctx: Context, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(
        app, ["users", "create", "dee", "--password-stdin"], input="a fine password\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created user 'dee'" in result.output
    assert authenticate(ctx, "dee", "a fine password") is not None
    again = CliRunner().invoke(
        app, ["users", "create", "dee", "--password-stdin"], input="a fine password\n"
    )
    assert again.exit_code == 1
    assert "already taken" in again.output
