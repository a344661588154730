"""AES-256-GCM encryption of secrets at rest, with key ids so keys can rotate.

A ciphertext reads ``v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``. The associated data
names where the value lives, ``"<table>:<row id>:<field>"``, so a ciphertext copied to another
row or column fails to decrypt instead of handing out somebody else's token.

Keys come from ``AUTOPOSTER_SECRET_KEY`` (or ``…_FILE``): base64 of 32 random bytes. Without
one, the first run generates a key into ``<data dir>/keys/`` (mode 0600) and says where. That
directory also holds the keys ``autoposter keys rotate`` makes and a ``current`` file naming
the key new ciphertexts use; every process re-reads it when it changes, so a rotation needs
no restart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
import threading
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger("autoposter.vault")

FORMAT_VERSION = "v1"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM standard nonce; random per encryption
KEY_ID_DOMAIN = b"autoposter vault key id\x00"
GENERATE_HINT = (
    'python3 -c "import base64, secrets; '
    'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"'
)


class VaultError(Exception):
    """A secret cannot be encrypted or decrypted; the message says what to do."""


class InvalidKey(VaultError):
    pass


class KeyNotFound(VaultError):
    pass


class DecryptionFailed(VaultError):
    pass


def associated_data(table: str, row_id: int, field: str) -> str:
    """Where a ciphertext belongs: part of what the GCM tag authenticates."""
    return f"{table}:{row_id}:{field}"


def generate_key_text() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def parse_key(text: str, source: str) -> bytes:
    """32 bytes from base64 (standard or URL-safe alphabet), or a message saying how to fix it."""
    cleaned = text.strip().replace("+", "-").replace("/", "_").rstrip("=")
    try:
        key = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise InvalidKey(
            f"the secret key from {source} is not base64 of {KEY_BYTES} bytes. "
            f"Generate one with: {GENERATE_HINT}"
        )
    return key


def key_id_for(key: bytes) -> str:
    """A short, stable name for a key (a hash of it; it reveals nothing usable)."""
    return "k" + hashlib.sha256(KEY_ID_DOMAIN + key).hexdigest()[:12]


def key_id_of(ciphertext: str) -> str:
    return _split(ciphertext)[1]


def _split(ciphertext: str) -> tuple[str, str, str]:
    parts = ciphertext.split(":", 2)
    if len(parts) != 3 or parts[0] != FORMAT_VERSION or not parts[1]:
        raise DecryptionFailed(
            f"a stored secret is not a vault ciphertext ({FORMAT_VERSION}:<key id>:<data>); "
            "the database was edited by hand or holds a value from elsewhere"
        )
    return parts[0], parts[1], parts[2]


def encrypt_with(key_id: str, key: bytes, plaintext: str, aad: str) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), aad.encode("utf-8"))
    payload = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return f"{FORMAT_VERSION}:{key_id}:{payload}"


def decrypt_with(key: bytes, ciphertext: str, aad: str) -> str:
    _, key_id, payload = _split(ciphertext)
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad.encode("utf-8"))
    except (InvalidTag, binascii.Error, ValueError):
        raise DecryptionFailed(
            f"the secret stored at {aad} does not decrypt with key {key_id}: it was moved from "
            "another row or column, or altered. Reconnect the account to store fresh tokens."
        ) from None
    return plain.decode("utf-8")


class Keyring:
    """The keys a process can use: encrypts with the current one, decrypts with any.

    ``store`` (a :class:`~autoposter.vault.keystore.KeyStore`) is re-read when its ``current``
    file changes or a ciphertext names a key not yet loaded, so a rotation started by another
    process is picked up without a restart.
    """

    def __init__(
        self,
        keys: Mapping[str, bytes],
        current: str,
        *,
        store: KeyStore | None = None,
        external_ids: frozenset[str] = frozenset(),
    ) -> None:
        if current not in keys:
            raise KeyNotFound(f"the current key {current} is not among the loaded keys")
        self._keys = dict(keys)
        self._current = current
        # Keys from outside the store (AUTOPOSTER_SECRET_KEY) survive every reload.
        self._base_keys = {k: v for k, v in keys.items() if store is None or k in external_ids}
        self._base_current = current
        self.store = store
        self.external_ids = external_ids
        self._stamp = store.stamp() if store else None
        self._lock = threading.Lock()
        # Retired keys never change; cached so checking an old signature reads no file.
        self._retired: dict[str, bytes] = {}

    @property
    def current_key_id(self) -> str:
        self._reload_if_changed()
        return self._current

    @property
    def key_ids(self) -> frozenset[str]:
        self._reload_if_changed()
        return frozenset(self._keys)

    def encrypt(self, plaintext: str, aad: str) -> str:
        self._reload_if_changed()
        key_id = self._current
        return encrypt_with(key_id, self._keys[key_id], plaintext, aad)

    def decrypt(self, ciphertext: str, aad: str) -> str:
        return decrypt_with(self._key_for(key_id_of(ciphertext)), ciphertext, aad)

    def derived_key(self, purpose: str, key_id: str | None = None) -> tuple[str, bytes]:
        """A 32-byte key for ``purpose`` (e.g. signing media URLs), derived with HKDF-SHA256
        from the current vault key, or from ``key_id`` to check something signed before a
        rotation. Returns the vault key's id with it; the vault key itself never leaves."""
        self._reload_if_changed()
        source_id = key_id or self._current
        hkdf = HKDF(
            algorithm=hashes.SHA256(),
            length=KEY_BYTES,
            salt=None,
            info=b"autoposter derived key\x00" + purpose.encode("utf-8"),
        )
        # A signature made before a rotation is still good: no need to warn about it.
        return source_id, hkdf.derive(self._key_for(source_id, warn_if_retired=False))

    def sign(self, purpose: str, payload: bytes) -> tuple[str, str]:
        """A MAC of ``payload`` for ``purpose`` (unpadded base64url HMAC-SHA256 under the
        current vault key's derived key) with that key's id, which :meth:`verify` needs."""
        key_id, key = self.derived_key(purpose)
        return key_id, _mac(key, payload)

    def verify(self, purpose: str, payload: bytes, key_id: str, mac: str) -> bool:
        """Whether ``mac`` is :meth:`sign`'s for ``payload`` under ``key_id`` (a retired key
        still checks); :class:`KeyNotFound` when this installation does not have that key."""
        _, key = self.derived_key(purpose, key_id)
        return hmac.compare_digest(mac, _mac(key, payload))

    def reload(self) -> None:
        """Re-read the key store now (rotation calls this after changing it)."""
        if self.store is None:
            return
        with self._lock:
            managed, current = self.store.load()
            self._keys = {**self._base_keys, **managed}
            self._current = current if current in self._keys else self._base_current
            self._stamp = self.store.stamp()

    def _reload_if_changed(self) -> None:
        if self.store is not None and self.store.stamp() != self._stamp:
            self.reload()

    def _key_for(self, key_id: str, *, warn_if_retired: bool = True) -> bytes:
        if key_id not in self._keys:
            self.reload()
        key = self._keys.get(key_id)
        if key is None:
            key = self._retired_key(key_id)
            if key is not None and warn_if_retired:
                log.warning(
                    "a stored secret still uses the retired key %s; run `autoposter keys "
                    "rotate` to move it to the current key",
                    key_id,
                )
        if key is None:
            raise KeyNotFound(
                f"a stored secret was encrypted with key {key_id}, which this process does not "
                "have: restore keys/" + key_id + ".key in the data directory, or set "
                "AUTOPOSTER_SECRET_KEY to the key that was in use"
            )
        return key

    def _retired_key(self, key_id: str) -> bytes | None:
        if key_id not in self._retired and self.store is not None:
            key = self.store.retired_key(key_id)
            if key is not None:
                self._retired[key_id] = key
        return self._retired.get(key_id)


def _mac(key: bytes, payload: bytes) -> str:
    digest = hmac.new(key, payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class KeyStore:
    """The ``keys/`` directory: ``<id>.key`` files (0600), ``current``, and ``retired/``."""

    CURRENT = "current"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def retired_directory(self) -> Path:
        return self.directory / "retired"

    def stamp(self) -> tuple[int, int] | None:
        try:
            info = (self.directory / self.CURRENT).stat()
        except FileNotFoundError:
            return None
        return (info.st_mtime_ns, info.st_ino)

    def load(self) -> tuple[dict[str, bytes], str | None]:
        keys: dict[str, bytes] = {}
        if self.directory.is_dir():
            for path in sorted(self.directory.glob("*.key")):
                key = parse_key(path.read_text(encoding="ascii"), str(path))
                keys[key_id_for(key)] = key
        current_file = self.directory / self.CURRENT
        current = None
        if current_file.exists():
            current = current_file.read_text(encoding="ascii").strip()
        if current is not None and current not in keys:
            raise KeyNotFound(
                f"{current_file} names key {current}, but {self.directory}/{current}.key is "
                "missing: restore it from your backup"
            )
        return keys, current

    def add(self, key: bytes) -> str:
        key_id = key_id_for(key)
        self._ensure_directory()
        text = base64.urlsafe_b64encode(key).decode("ascii") + "\n"
        _write_private(self.directory / f"{key_id}.key", text)
        return key_id

    def set_current(self, key_id: str) -> None:
        _write_private(self.directory / self.CURRENT, key_id + "\n")

    def retire(self, key_id: str) -> Path | None:
        """Move a key out of use; returns where it went (None if it was not a stored key)."""
        source = self.directory / f"{key_id}.key"
        if not source.exists():
            return None
        self.retired_directory.mkdir(mode=0o700, exist_ok=True)
        target = self.retired_directory / source.name
        os.replace(source, target)
        return target

    def retired_key(self, key_id: str) -> bytes | None:
        path = self.retired_directory / f"{key_id}.key"
        if not path.exists():
            return None
        return parse_key(path.read_text(encoding="ascii"), str(path))

    def _ensure_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically to ``path``, readable by the owner only (0600)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def load_keyring(secret_key: str | None, data_dir: Path, *, source: str = "") -> Keyring:
    """The keyring for this installation (see the module docstring for where keys come from)."""
    store = KeyStore(data_dir / "keys")
    managed, current = store.load()
    external: dict[str, bytes] = {}
    if secret_key:
        key = parse_key(secret_key, source or "AUTOPOSTER_SECRET_KEY")
        external[key_id_for(key)] = key
    if current is None and external:
        current = next(iter(external))
    if current is None:
        current = store.add(secrets.token_bytes(KEY_BYTES))
        store.set_current(current)
        managed, _ = store.load()
        log.warning(
            "generated a new secret key %s in %s (mode 0600). Back it up: without it the "
            "stored TikTok tokens cannot be read. Set AUTOPOSTER_SECRET_KEY to manage it "
            "yourself.",
            current,
            store.directory,
        )
    return Keyring({**external, **managed}, current, store=store, external_ids=frozenset(external))
