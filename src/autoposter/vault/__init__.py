"""The token vault: AES-256-GCM with key ids, a keyring that follows rotations, and rotation.

See :mod:`.keyring` for the ciphertext format and where keys come from, and
:mod:`.rotation` for how ``autoposter keys rotate`` works without downtime.
"""

from .keyring import (
    DecryptionFailed,
    InvalidKey,
    KeyNotFound,
    Keyring,
    KeyStore,
    VaultError,
    associated_data,
    generate_key_text,
    key_id_for,
    key_id_of,
    load_keyring,
    parse_key,
)
from .rotation import RotationReport, count_by_key, reencrypt_pass, rotate_keys

__all__ = [
    "DecryptionFailed",
    "InvalidKey",
    "KeyNotFound",
    "KeyStore",
    "Keyring",
    "RotationReport",
    "VaultError",
    "associated_data",
    "count_by_key",
    "generate_key_text",
    "key_id_for",
    "key_id_of",
    "load_keyring",
    "parse_key",
    "reencrypt_pass",
    "rotate_keys",
]
