"""Helpers the sandbox tests share."""

from __future__ import annotations

from typing import Any

from autoposter.sandbox import RunningSandbox
from autoposter.sandbox.config import ALL_SCOPES

# Temporary: grants are issued directly until the authorize flow exists; then this goes
# through the consent page over HTTP. Tests only rely on the signature and the returned JSON.


def connect(
    sandbox: RunningSandbox, creator_key: str = "public", scopes: tuple[str, ...] = ALL_SCOPES
) -> dict[str, Any]:
    """Authorize the app as one of the seeded creators; returns the token endpoint's JSON."""
    from autoposter.sandbox.grants import issue_grant, token_response

    creator = sandbox.world.creator_by_key(creator_key)
    assert creator is not None, f"no seeded creator {creator_key!r}"
    grant = issue_grant(sandbox.world, creator.open_id, list(scopes))
    return token_response(sandbox.world, grant)


def bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}
