"""`keys rotate`: every token re-encrypted under a new key, without stopping anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from autoposter.accounts import Context, access_token_for, rotate_vault_key
from autoposter.cli import app
from autoposter.sandbox import RunningSandbox
from autoposter.store.models import AuditEvent, TikTokAccount, User
from autoposter.vault import count_by_key, generate_key_text, key_id_for, parse_key

from .conftest import MakeContext
from .support import connect_account, sandbox_grant


def test_rotation_re_encrypts_every_token_and_retires_the_old_key(
    ctx: Context, sandbox: RunningSandbox, user: User
) -> None:
    first = connect_account(ctx, sandbox, user).account
    second = connect_account(ctx, sandbox, user, creator="private").account
    old_key = ctx.keyring.current_key_id
    report = rotate_vault_key(ctx)
    assert report.complete
    assert report.reencrypted == 4  # two accounts × (access, refresh)
    assert report.new_key_id != old_key
    assert dict(count_by_key(ctx.db)) == {report.new_key_id: 4}
    assert old_key in report.retired
    assert report.retired[old_key].parent.name == "retired"
    assert access_token_for(ctx, user, first.id) == sandbox_grant(sandbox).access_token
    assert access_token_for(ctx, user, second.id) == sandbox_grant(sandbox, "private").access_token
    with ctx.db.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.event == "keys.rotated")).one()
    assert event.details["new_key_id"] == report.new_key_id
    assert event.details["retired_key_ids"] == [old_key]


def test_a_process_started_before_the_rotation_follows_it(
    make_context: MakeContext, sandbox: RunningSandbox, user: User
) -> None:
    worker, operator = make_context(sandbox), make_context(sandbox)
    account = connect_account(worker, sandbox, user).account
    assert worker.keyring.current_key_id == operator.keyring.current_key_id
    report = rotate_vault_key(operator)
    # The worker reads the re-encrypted tokens and writes new ones under the new key.
    assert access_token_for(worker, user, account.id) == sandbox_grant(sandbox).access_token
    assert worker.keyring.current_key_id == report.new_key_id
    connect_account(worker, sandbox, user)  # reconnect: fresh ciphertexts
    assert set(count_by_key(worker.db)) == {report.new_key_id}


def test_a_token_refreshed_during_rotation_is_not_overwritten(
    ctx: Context, sandbox: RunningSandbox, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = connect_account(ctx, sandbox, user).account
    keyring = ctx.keyring
    real_decrypt = keyring.decrypt
    aad = f"tiktok_accounts:{account.id}:access_token"
    raced: list[str] = []

    def decrypt_while_a_worker_refreshes(ciphertext: str, associated: str) -> str:
        plain = real_decrypt(ciphertext, associated)
        if associated == aad and not raced:
            # Between rotation's read and its write, a worker stores a new access token.
            raced.append(keyring.encrypt("act.refreshed-meanwhile", aad))
            with ctx.db.session() as session:
                session.execute(
                    update(TikTokAccount)
                    .where(TikTokAccount.id == account.id)
                    .values(access_token_ciphertext=raced[0])
                )
        return plain

    monkeypatch.setattr(keyring, "decrypt", decrypt_while_a_worker_refreshes)
    report = rotate_vault_key(ctx)
    monkeypatch.undo()
    assert report.complete
    with ctx.db.session() as session:
        row = session.get(TikTokAccount, account.id)
        assert row is not None and row.access_token_ciphertext
    assert ctx.keyring.decrypt(row.access_token_ciphertext, aad) == "act.refreshed-meanwhile"


def test_a_key_from_the_environment_is_reported_as_no_longer_needed(
    make_context: MakeContext, sandbox: RunningSandbox, user: User
) -> None:
    env_key = generate_key_text()
    ctx = make_context(sandbox, secret_key=env_key)
    account = connect_account(ctx, sandbox, user).account
    assert ctx.keyring.current_key_id == key_id_for(parse_key(env_key, "test"))
    report = rotate_vault_key(ctx)
    assert report.external_unused == [key_id_for(parse_key(env_key, "test"))]
    assert access_token_for(ctx, user, account.id) == sandbox_grant(sandbox).access_token


def test_the_keys_rotate_command_rotates(
    ctx: Context,
    sandbox: RunningSandbox,
    user: User,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = connect_account(ctx, sandbox, user).account
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AUTOPOSTER_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "2 secrets re-encrypted" in result.output
    assert "Retired key" in result.output
    assert access_token_for(ctx, user, account.id) == sandbox_grant(sandbox).access_token
