"""Key rotation without downtime: a new current key, then every ciphertext re-encrypted.

1. A new key is written to ``keys/`` and named ``current``: from then on every process
   encrypts with it (each re-reads ``current`` when it changes), and all keys stay readable.
2. Rows still under another key are re-encrypted in small batches, each its own transaction.
   Every write is a compare-and-set on the old ciphertext, so a token refreshed meanwhile is
   never overwritten with its stale predecessor; such a row is simply visited again.
3. Passes repeat until none is left. Only then is an old key retired (moved to
   ``keys/retired/``); a key from ``AUTOPOSTER_SECRET_KEY`` cannot be moved, so the report
   says it may be removed from the environment.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Column, Table, and_, select, update

from ..store import Database, changed_rows
from ..store.models import ENCRYPTED_FIELDS
from .keyring import FORMAT_VERSION, KEY_BYTES, Keyring, VaultError, associated_data, key_id_of

DEFAULT_BATCH = 200
MAX_PASSES = 20


@dataclass
class RotationReport:
    new_key_id: str
    reencrypted: int = 0
    retired: dict[str, Path] = field(default_factory=dict)
    external_unused: list[str] = field(default_factory=list)
    still_in_use: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.still_in_use


def _encrypted_columns() -> list[tuple[Table, str, Column[str]]]:
    columns = []
    for model, fields in ENCRYPTED_FIELDS.items():
        table = model.__table__
        assert isinstance(table, Table)
        for name in fields:
            columns.append((table, name, table.c[f"{name}_ciphertext"]))
    return columns


def rotate_keys(database: Database, keyring: Keyring, batch: int = DEFAULT_BATCH) -> RotationReport:
    """Rotate to a new key (see the module docstring); safe to run while Autoposter runs."""
    if keyring.store is None:
        raise VaultError("this keyring has no key directory to add a new key to")
    new_key_id = keyring.store.add(secrets.token_bytes(KEY_BYTES))
    keyring.store.set_current(new_key_id)
    keyring.reload()
    report = RotationReport(new_key_id)
    for _ in range(MAX_PASSES):
        changed = reencrypt_pass(database, keyring, batch)
        report.reencrypted += changed
        if changed == 0:
            break
    report.still_in_use = {
        key_id: count
        for key_id, count in count_by_key(database).items()
        if key_id != keyring.current_key_id
    }
    if report.complete:
        _retire_old_keys(keyring, report)
    return report


def reencrypt_pass(database: Database, keyring: Keyring, batch: int = DEFAULT_BATCH) -> int:
    """Re-encrypt, once over, every ciphertext not under the current key; returns how many."""
    changed = 0
    for table, name, column in _encrypted_columns():
        last_id = 0
        while True:
            current_prefix = f"{FORMAT_VERSION}:{keyring.current_key_id}:%"
            stale = and_(column.is_not(None), column.not_like(current_prefix))
            with database.session() as session:
                rows = session.execute(
                    select(table.c.id, column)
                    .where(table.c.id > last_id, stale)
                    .order_by(table.c.id)
                    .limit(batch)
                ).all()
                for row_id, ciphertext in rows:
                    aad = associated_data(table.name, row_id, name)
                    fresh = keyring.encrypt(keyring.decrypt(ciphertext, aad), aad)
                    changed += changed_rows(
                        session,
                        update(table)
                        .where(and_(table.c.id == row_id, column == ciphertext))
                        .values({column.name: fresh}),
                    )
            if len(rows) < batch:
                break
            last_id = rows[-1][0]
    return changed


def count_by_key(database: Database) -> Counter[str]:
    """How many stored ciphertexts use each key id."""
    counts: Counter[str] = Counter()
    with database.session() as session:
        for _table, _name, column in _encrypted_columns():
            for (ciphertext,) in session.execute(select(column).where(column.is_not(None))):
                counts[key_id_of(ciphertext)] += 1
    return counts


def _retire_old_keys(keyring: Keyring, report: RotationReport) -> None:
    assert keyring.store is not None
    for key_id in sorted(keyring.key_ids - {report.new_key_id}):
        if key_id in keyring.external_ids:
            report.external_unused.append(key_id)
            continue
        moved = keyring.store.retire(key_id)
        if moved is not None:
            report.retired[key_id] = moved
    keyring.reload()
