"""``autoposter keys rotate`` as a service: rotate the vault's key and audit it."""

from __future__ import annotations

from ..vault import RotationReport, rotate_keys
from . import audit
from .context import Context


def rotate_vault_key(ctx: Context) -> RotationReport:
    """Re-encrypt every stored secret under a new key (see :mod:`autoposter.vault.rotation`)."""
    report = rotate_keys(ctx.db, ctx.keyring)
    with ctx.db.session() as session:
        audit.record(
            session,
            audit.KEYS_ROTATED,
            ctx.now(),
            new_key_id=report.new_key_id,
            retired_key_ids=sorted(report.retired),
            reencrypted=report.reencrypted,
            complete=report.complete,
        )
    return report
