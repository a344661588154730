"""Bearer-token, scope and rate-limit checks for the v2 data endpoints (§9 "Data endpoints")."""

from __future__ import annotations

from fastapi import Request

from .envelope import world_of
from .errors import ApiError
from .state import Grant, World


def current_grant(world: World, request: Request) -> Grant:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(
            401,
            "access_token_invalid",
            "The access token is missing. Send Authorization: Bearer <token>.",
        )
    grant = world.access_index.get(token)
    if grant is None or grant.revoked:
        raise ApiError(
            401, "access_token_invalid", "The access token is invalid or has been revoked."
        )
    if grant.access_expires_at <= world.now():
        raise ApiError(
            401, "access_token_invalid", "The access token has expired. Refresh it and retry."
        )
    return grant


def authorize(request: Request, *any_of_scopes: str) -> tuple[World, Grant]:
    """Check token, then scope, then rate limit — the order of §9's init validation."""
    world = world_of(request)
    grant = current_grant(world, request)
    if any_of_scopes and not set(any_of_scopes) & set(grant.scopes):
        needed = " or ".join(any_of_scopes)
        raise ApiError(
            401, "scope_not_authorized", f"The user did not authorize the scope {needed}."
        )
    world.limiter.check(grant.access_token, request.url.path, world.now())
    return world, grant
