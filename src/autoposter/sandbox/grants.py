"""Issuing, rotating and revoking a creator's tokens (§1.4, §1.5, §1.7)."""

from __future__ import annotations

from typing import Any

from .state import Grant, World

EARLY_EXPIRY_SECONDS = 1.0


def issue_grant(world: World, open_id: str, scopes: list[str]) -> Grant:
    """A new authorization replaces any earlier one of the same creator."""
    old = world.grants.get(open_id)
    if old is not None:
        _forget(world, old)
    now = world.now()
    grant = Grant(
        open_id=open_id,
        scopes=list(scopes),
        access_token=world.ids.access_token(),
        access_expires_at=now + world.config.access_token_ttl,
        refresh_token=world.ids.refresh_token(),
        refresh_expires_at=now + world.config.refresh_token_ttl,
    )
    _maybe_expire_early(world, grant)
    world.grants[open_id] = grant
    world.access_index[grant.access_token] = grant
    world.refresh_index[grant.refresh_token] = grant
    return grant


def rotate(world: World, grant: Grant) -> Grant:
    """Refresh: a new access token and always a new refresh token; the old ones stop working.

    §1.5 (2026 doc) says refresh tokens rotate on every refresh. The old refresh token may stay
    usable for ``refresh_grace_seconds`` (default 0); expiry is kept unless configured to extend.
    """
    now = world.now()
    world.access_index.pop(grant.access_token, None)
    if world.config.refresh_grace_seconds > 0:
        grant.retired_refresh[grant.refresh_token] = now + world.config.refresh_grace_seconds
    else:
        world.refresh_index.pop(grant.refresh_token, None)
    grant.access_token = world.ids.access_token()
    grant.access_expires_at = now + world.config.access_token_ttl
    grant.refresh_token = world.ids.refresh_token()
    if world.config.refresh_extends_expiry:
        grant.refresh_expires_at = now + world.config.refresh_token_ttl
    _maybe_expire_early(world, grant)
    world.access_index[grant.access_token] = grant
    world.refresh_index[grant.refresh_token] = grant
    return grant


def revoke(world: World, grant: Grant) -> None:
    grant.revoked = True
    _forget(world, grant)
    world.grants.pop(grant.open_id, None)


def invalidate_access_tokens(world: World, open_id: str | None = None) -> int:
    """The "tokens invalidated early" fault: access tokens stop working before expires_in."""
    count = 0
    for grant in list(world.grants.values()):
        if open_id is None or grant.open_id == open_id:
            grant.access_expires_at = min(grant.access_expires_at, world.now())
            count += 1
    return count


def token_response(world: World, grant: Grant) -> dict[str, Any]:
    """The flat success body of §1.4; lifetimes are what remains, as the 2026 doc says."""
    now = world.now()
    return {
        "access_token": grant.access_token,
        "expires_in": world.config.access_token_ttl,
        "open_id": grant.open_id,
        "refresh_expires_in": max(0, int(grant.refresh_expires_at - now)),
        "refresh_token": grant.refresh_token,
        "scope": ",".join(grant.scopes),
        "token_type": "Bearer",
    }


def _maybe_expire_early(world: World, grant: Grant) -> None:
    rate = world.config.faults.token_early_expiry_rate
    if rate > 0 and world.rng.random() < rate:
        grant.access_expires_at = world.now() + EARLY_EXPIRY_SECONDS


def _forget(world: World, grant: Grant) -> None:
    world.access_index.pop(grant.access_token, None)
    world.refresh_index.pop(grant.refresh_token, None)
    for retired in grant.retired_refresh:
        world.refresh_index.pop(retired, None)
    grant.retired_refresh.clear()
