"""Login Kit's token endpoints: ``/v2/oauth/token/`` and ``/v2/oauth/revoke/`` (§1.4–§1.9).

Bodies are form-encoded only; answers are flat JSON, and errors the flat OAuth shape of §1.9
(rendered by the app's ``OAuthError`` handler). The authorization page is in ``authorize.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from . import authorize, grants, webhooks
from .envelope import world_of
from .errors import OAuthError
from .state import AuthCode, Grant, World

router = APIRouter()
router.include_router(authorize.router)

CLIENT_TOKEN_TTL = 7200  # §1.8
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# §1.3: 43–128 characters of [A-Za-z0-9-._~].
VERIFIER_SHAPE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
REVOKED_BY_DEVELOPER = 5  # §7.2 authorization.removed reason


@router.post("/v2/oauth/token/")
async def token(request: Request) -> JSONResponse:
    world = world_of(request)
    form = await _read_form(request)
    _authenticate_client(world, form)
    grant_type = form.get("grant_type", "")
    if not grant_type:
        raise OAuthError(400, "invalid_request", "Grant_type is missed in request.")
    if grant_type == "authorization_code":
        return JSONResponse(grants.token_response(world, _exchange_code(world, form)))
    if grant_type == "refresh_token":
        return JSONResponse(grants.token_response(world, _refresh(world, form)))
    if grant_type == "client_credentials":
        return JSONResponse(_client_token(world))
    raise OAuthError(
        400,
        "unsupported_grant_type",
        f"grant_type {grant_type!r} is not supported. "
        "Use authorization_code, refresh_token or client_credentials.",
    )


@router.post("/v2/oauth/revoke/")
async def revoke(request: Request) -> JSONResponse:
    """Revoke the user's authorization (§1.7). As RFC 7009 §2.2 says, an unknown token is
    not an error: the answer is 200 either way, so a client can retry safely."""
    world = world_of(request)
    form = await _read_form(request)
    _authenticate_client(world, form)
    token_value = _required(form, "token", "Token")
    grant = world.access_index.get(token_value) or world.refresh_index.get(token_value)
    if grant is not None and not grant.revoked and world.grants.get(grant.open_id) is grant:
        grants.revoke(world, grant)
        # §1.7, §7.2: the app disappears from the user's list; reason 5 = developer revoked.
        webhooks.emit(
            world, "authorization.removed", grant.open_id, {"reason": REVOKED_BY_DEVELOPER}
        )
    return JSONResponse({})


async def _read_form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        raise OAuthError(
            400,
            "invalid_request",
            "The request parameters are malformed. Send the body as "
            "application/x-www-form-urlencoded, not JSON.",
        )
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


def _required(form: dict[str, str], name: str, label: str) -> str:
    value = form.get(name, "")
    if not value:
        raise OAuthError(400, "invalid_request", f"{label} is missed in request.")
    return value


def _authenticate_client(world: World, form: dict[str, str]) -> None:
    client_key = _required(form, "client_key", "Client key")
    secret = _required(form, "client_secret", "Client secret")
    config = world.config
    key_ok = hmac.compare_digest(client_key.encode(), config.client_key.encode())
    secret_ok = hmac.compare_digest(secret.encode(), config.client_secret.encode())
    if not (key_ok and secret_ok):
        raise OAuthError(
            401,
            "invalid_client",
            "Client key or secret is invalid. Check both against the app's settings.",
        )


def _exchange_code(world: World, form: dict[str, str]) -> Grant:
    value = _required(form, "code", "Code")
    redirect_uri = _required(form, "redirect_uri", "Redirect_uri")
    code = world.codes.get(value)
    if code is None or code.expires_at <= world.now():
        # §1.2: TikTok reports an unknown (e.g. still URL-encoded or cut) code as expired.
        raise OAuthError(
            400,
            "invalid_grant",
            "Authorization code is expired. Send the code URL-decoded and whole, "
            "within minutes of the redirect.",
        )
    if code.used:
        _revoke_replayed(world, code)
        raise OAuthError(
            400,
            "invalid_grant",
            "Authorization code has already been used. The tokens it produced are revoked; "
            "start the authorization again.",
        )
    if redirect_uri != code.redirect_uri:
        raise OAuthError(
            400,
            "invalid_request",
            "Redirect_uri is not matched with the uri when requesting code.",
        )
    _check_pkce(world, code, form.get("code_verifier", ""))
    code.used = True
    code.grant = grants.issue_grant(world, code.open_id, code.scopes)
    return code.grant


def _revoke_replayed(world: World, code: AuthCode) -> None:
    """RFC 6749 §4.1.2: a code used twice may be stolen, so revoke what it produced."""
    grant = code.grant
    if grant is not None and not grant.revoked and world.grants.get(grant.open_id) is grant:
        grants.revoke(world, grant)


def _check_pkce(world: World, code: AuthCode, verifier: str) -> None:
    """§1.3: TikTok's challenge is hex(SHA-256(verifier)); RFC 7636 base64url only when
    configured. Without a challenge any verifier is ignored (web apps)."""
    if code.code_challenge is None:
        return
    if not VERIFIER_SHAPE.fullmatch(verifier):
        raise OAuthError(
            400,
            "invalid_grant",
            "Code verifier or code challenge is invalid: send the code_verifier "
            "(43-128 characters of A-Z a-z 0-9 - . _ ~) used to make the code_challenge.",
        )
    digest = hashlib.sha256(verifier.encode()).digest()
    matches = hmac.compare_digest(code.code_challenge.lower().encode(), digest.hex().encode())
    if world.config.accept_base64url_pkce:
        rfc7636 = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        matches = matches or hmac.compare_digest(code.code_challenge.encode(), rfc7636.encode())
    if not matches:
        raise OAuthError(
            400,
            "invalid_grant",
            "Code verifier or code challenge is invalid. TikTok expects code_challenge to be "
            "the hex SHA-256 of code_verifier (64 lower-case hex characters).",
        )


def _refresh(world: World, form: dict[str, str]) -> Grant:
    """§1.5: every refresh rotates the refresh token; a rotated-out one works only within
    the configured grace."""
    value = _required(form, "refresh_token", "Refresh_token")
    grant = world.refresh_index.get(value)
    now = world.now()
    if grant is None or grant.revoked:
        raise OAuthError(
            400,
            "invalid_grant",
            "Refresh token is invalid or revoked. The user must authorize the app again.",
        )
    if value != grant.refresh_token and grant.retired_refresh.get(value, 0.0) <= now:
        raise OAuthError(
            400,
            "invalid_grant",
            "Refresh token has been rotated: use the refresh_token of the latest response.",
        )
    if grant.refresh_expires_at <= now:
        raise OAuthError(
            400,
            "invalid_grant",
            "Refresh token is expired. The user must authorize the app again.",
        )
    return grants.rotate(world, grant)


def _client_token(world: World) -> dict[str, object]:
    """§1.8: a client access token, for the Research and Commercial Content APIs only."""
    if not world.config.client_credentials_allowed:
        raise OAuthError(
            400,
            "unauthorized_client",
            "This app may not use client_credentials: client access tokens are only for apps "
            "with Research API or Commercial Content API access.",
        )
    value = world.ids.client_token()
    world.client_tokens[value] = world.now() + CLIENT_TOKEN_TTL
    return {"access_token": value, "expires_in": CLIENT_TOKEN_TTL, "token_type": "Bearer"}
