"""The vault: AES-256-GCM ciphertexts bound to their row and column, keys with ids."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from autoposter.vault import (
    DecryptionFailed,
    InvalidKey,
    KeyNotFound,
    generate_key_text,
    key_id_of,
    load_keyring,
)

AAD = "tiktok_accounts:7:access_token"
TOKEN = "act.0123456789abcdef0123456789abcdefSECRETSECRETSECRET!1234"


def test_a_token_round_trips_and_its_ciphertext_names_its_key(tmp_path: Path) -> None:
    keyring = load_keyring(None, tmp_path)
    ciphertext = keyring.encrypt(TOKEN, AAD)
    version, key_id, payload = ciphertext.split(":", 2)
    assert (version, key_id) == ("v1", keyring.current_key_id)
    assert TOKEN not in ciphertext and "SECRET" not in payload
    assert keyring.decrypt(ciphertext, AAD) == TOKEN
    assert keyring.encrypt(TOKEN, AAD) != ciphertext  # a fresh nonce every time


@pytest.mark.parametrize(
    "elsewhere",
    ["tiktok_accounts:8:access_token", "tiktok_accounts:7:refresh_token", "oauth_states:7:x"],
)
def test_a_ciphertext_moved_to_another_row_or_column_fails(tmp_path: Path, elsewhere: str) -> None:
    keyring = load_keyring(None, tmp_path)
    ciphertext = keyring.encrypt(TOKEN, AAD)
    with pytest.raises(DecryptionFailed, match="moved from another row or column"):
        keyring.decrypt(ciphertext, elsewhere)


def test_an_altered_ciphertext_fails(tmp_path: Path) -> None:
    keyring = load_keyring(None, tmp_path)
    ciphertext = keyring.encrypt(TOKEN, AAD)
    flipped = ciphertext[:-2] + ("A" if ciphertext[-2] != "A" else "B") + ciphertext[-1]
    with pytest.raises(DecryptionFailed):
        keyring.decrypt(flipped, AAD)
    with pytest.raises(DecryptionFailed, match="not a vault ciphertext"):
        keyring.decrypt("plain-token", AAD)


def test_the_first_run_generates_a_private_key_and_says_where(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="autoposter.vault"):
        keyring = load_keyring(None, tmp_path)
    key_file = tmp_path / "keys" / f"{keyring.current_key_id}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert str(tmp_path / "keys") in caplog.text and "Back it up" in caplog.text
    # The next run finds it again and reads what the first one wrote.
    ciphertext = keyring.encrypt(TOKEN, AAD)
    assert load_keyring(None, tmp_path).decrypt(ciphertext, AAD) == TOKEN


def test_a_key_from_the_environment_is_used_and_nothing_is_generated(tmp_path: Path) -> None:
    key = generate_key_text()
    keyring = load_keyring(key, tmp_path)
    ciphertext = keyring.encrypt(TOKEN, AAD)
    assert not (tmp_path / "keys").exists()
    assert load_keyring(key, tmp_path / "elsewhere").decrypt(ciphertext, AAD) == TOKEN


def test_a_malformed_key_is_refused_with_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(InvalidKey, match="token_bytes\\(32\\)") as raised:
        load_keyring("hunter2", tmp_path, source="AUTOPOSTER_SECRET_KEY")
    assert "AUTOPOSTER_SECRET_KEY" in str(raised.value)


def test_a_ciphertext_under_a_missing_key_says_which_key_to_restore(tmp_path: Path) -> None:
    ciphertext = load_keyring(None, tmp_path / "a").encrypt(TOKEN, AAD)
    other = load_keyring(None, tmp_path / "b")
    with pytest.raises(KeyNotFound, match=key_id_of(ciphertext)):
        other.decrypt(ciphertext, AAD)


def test_a_keyring_follows_a_new_current_key_written_by_another_process(tmp_path: Path) -> None:
    worker = load_keyring(None, tmp_path)
    old = worker.encrypt(TOKEN, AAD)
    operator = load_keyring(None, tmp_path)
    assert operator.store is not None
    new_id = operator.store.add(bytes(range(32)))
    operator.store.set_current(new_id)
    fresh = worker.encrypt(TOKEN, AAD)
    assert key_id_of(fresh) == new_id
    assert worker.decrypt(old, AAD) == TOKEN  # old keys stay readable


def test_a_retired_key_is_still_read_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    keyring = load_keyring(None, tmp_path)
    old_id = keyring.current_key_id
    ciphertext = keyring.encrypt(TOKEN, AAD)
    assert keyring.store is not None
    keyring.store.set_current(keyring.store.add(bytes(range(32))))
    keyring.store.retire(old_id)
    keyring.reload()
    assert old_id not in keyring.key_ids
    with caplog.at_level(logging.WARNING, logger="autoposter.vault"):
        assert keyring.decrypt(ciphertext, AAD) == TOKEN
    assert "retired key" in caplog.text


def test_a_signature_key_derived_from_a_retired_key_is_the_same_and_logs_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    keyring = load_keyring(None, tmp_path)
    old_id, signing_key = keyring.derived_key("session cookie")
    assert keyring.store is not None
    keyring.store.set_current(keyring.store.add(bytes(range(32))))
    keyring.store.retire(old_id)
    keyring.reload()
    caplog.clear()

    with caplog.at_level(logging.WARNING, logger="autoposter.vault"):
        assert keyring.derived_key("session cookie", old_id) == (old_id, signing_key)
    assert keyring.derived_key("session cookie")[1] != signing_key
    assert caplog.text == ""
