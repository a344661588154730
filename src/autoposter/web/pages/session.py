"""Dashboard sessions and CSRF protection (issue 6).

The session cookie holds no secret: the user's id, the session epoch it was issued under and
when, signed with a key derived from the vault key (HMAC-SHA256) and naming that key, so
``autoposter keys rotate`` signs nobody out. It is HttpOnly, SameSite=Lax, and Secure when the
dashboard is served over HTTPS. "Sign out everywhere"
bumps the user's epoch, which voids every older cookie at once.

CSRF: every visitor gets a random ``autoposter_csrf`` cookie; forms carry an HMAC of it as
``csrf_token`` (JavaScript sends the same in ``X-CSRF-Token``). A cross-site page can make
the browser send the cookie but can neither read it nor forge its HMAC.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from ...accounts import Context, NotFound, get_user
from ...store.models import User
from ...vault import VaultError
from ..reads import read_in_thread

SESSION_COOKIE = "autoposter_session"
CSRF_COOKIE = "autoposter_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_SECONDS = 14 * 24 * 3600
_PURPOSE_SESSION = "dashboard session cookie"
_PURPOSE_CSRF = "dashboard csrf token"


class SignInRequired(Exception):
    """The page needs a signed-in user; the app answers with a redirect to the sign-in page."""


class CsrfFailed(Exception):
    """A state-changing request without a valid CSRF token."""


@dataclass(frozen=True)
class SessionClaims:
    user_id: int
    epoch: int
    issued_at: int


def _ctx(request: Request) -> Context:
    ctx = request.app.state.ctx
    assert isinstance(ctx, Context)
    return ctx


def app_context(request: Request) -> Context:
    """The service context of the app serving ``request`` (what page routes pass to services)."""
    return _ctx(request)


def _sign(ctx: Context, purpose: str, payload: bytes) -> str:
    """``<key id>.<mac>``: naming the key keeps cookies and open forms valid across a
    ``keys rotate`` (the retired key still checks them until they age out)."""
    key_id, mac = ctx.keyring.sign(purpose, payload)
    return f"{key_id}.{mac}"


def _signed_by_us(ctx: Context, purpose: str, payload: bytes, signature: str) -> bool:
    key_id, _, mac = signature.partition(".")
    if not key_id or not mac:
        return False
    try:
        return ctx.keyring.verify(purpose, payload, key_id, mac)
    except VaultError:
        return False  # a key this installation never had, or one deleted since


def _is_https(ctx: Context) -> bool:
    return ctx.settings.public_url.startswith("https://")


# --- Sessions ---------------------------------------------------------------------------------


def sign_in(request: Request, response: Response, user: User) -> None:
    """Set the session cookie for ``user`` on ``response``."""
    ctx = _ctx(request)
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie_for(ctx, user),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=_is_https(ctx),
        path="/",
    )


def session_cookie_for(ctx: Context, user: User) -> str:
    """The signed session cookie's value for ``user`` (tests sign in with it directly)."""
    claims = {"u": user.id, "e": user.session_epoch, "t": int(time.time())}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    return payload.decode("ascii") + "." + _sign(ctx, _PURPOSE_SESSION, payload)


def sign_out(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def read_claims(request: Request) -> SessionClaims | None:
    """The cookie's claims when its signature verifies and it has not aged out."""
    value = request.cookies.get(SESSION_COOKIE, "")
    payload, _, signature = value.partition(".")
    if not payload or not _signed_by_us(
        _ctx(request), _PURPOSE_SESSION, payload.encode(), signature
    ):
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims = SessionClaims(int(raw["u"]), int(raw["e"]), int(raw["t"]))
    except (ValueError, KeyError, TypeError):
        return None
    if time.time() - claims.issued_at > SESSION_SECONDS:
        return None
    return claims


async def optional_user(request: Request) -> User | None:
    """The signed-in user, or None (no cookie, bad cookie, older epoch, erased user)."""
    if getattr(request.state, "user_checked", False):
        user: User | None = request.state.user
        return user
    claims = read_claims(request)
    user = None
    if claims is not None:
        try:
            found = await read_in_thread(request, get_user, _ctx(request), claims.user_id)
        except NotFound:
            found = None
        if found is not None and found.session_epoch == claims.epoch:
            user = found
    request.state.user = user
    request.state.user_checked = True
    return user


async def page_user(request: Request) -> User:
    """Dependency of every page that needs a signed-in user."""
    user = await optional_user(request)
    if user is None:
        raise SignInRequired()
    return user


# Route parameters: ``user: SignedInUser`` (redirects to sign in) or ``user: MaybeUser``.
SignedInUser = Annotated[User, Depends(page_user)]
MaybeUser = Annotated[User | None, Depends(optional_user)]


# --- CSRF -------------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The token forms must send back; issues the visitor's CSRF cookie when there is none
    (:func:`~autoposter.web.pages.render.render` sets it on the response)."""
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_seed", None)
    if not seed:
        seed = secrets.token_urlsafe(32)
        request.state.new_csrf_seed = seed
    return csrf_token_for(_ctx(request), seed)


def csrf_token_for(ctx: Context, seed: str) -> str:
    """The form token that goes with a visitor's CSRF cookie ``seed``."""
    return _sign(ctx, _PURPOSE_CSRF, seed.encode())


def set_csrf_cookie(request: Request, response: Response) -> None:
    seed = getattr(request.state, "new_csrf_seed", None)
    if seed:
        response.set_cookie(
            CSRF_COOKIE,
            seed,
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="lax",
            secure=_is_https(_ctx(request)),
            path="/",
        )


async def require_csrf(request: Request) -> None:
    """Dependency of every state-changing page route: the form field or header must match."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()  # Starlette caches it for the endpoint
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    seed = request.cookies.get(CSRF_COOKIE)
    if not sent or not seed:
        raise CsrfFailed()
    if not _signed_by_us(_ctx(request), _PURPOSE_CSRF, seed.encode(), sent):
        raise CsrfFailed()
