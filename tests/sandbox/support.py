"""Helpers the sandbox tests share: the Login Kit flow over real HTTP, and small shortcuts."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from autoposter.sandbox import RunningSandbox
from autoposter.sandbox.config import ALL_SCOPES

AUTHORIZE_PATH = "/v2/auth/authorize/"
TOKEN_PATH = "/v2/oauth/token/"


def pkce_pair() -> tuple[str, str]:
    """A code verifier and TikTok's hex SHA-256 challenge for it (§1.3)."""
    verifier = secrets.token_urlsafe(48)
    return verifier, hashlib.sha256(verifier.encode()).hexdigest()


def authorize_params(
    sandbox: RunningSandbox, scopes: tuple[str, ...] = ALL_SCOPES, **overrides: str
) -> dict[str, str]:
    """The query of a valid authorize request; ``overrides`` replace or add parameters
    (pass an empty string to leave one out)."""
    params = {
        "client_key": sandbox.world.config.client_key,
        "scope": ",".join(scopes),
        "redirect_uri": sandbox.world.config.redirect_uris[0],
        "state": "state-" + secrets.token_hex(4),
        "response_type": "code",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v != ""}


def authorize_url(sandbox: RunningSandbox, **params: str) -> str:
    return f"{sandbox.url}{AUTHORIZE_PATH}?{urlencode(params)}"


def consent(
    sandbox: RunningSandbox,
    params: dict[str, str],
    *,
    creator_key: str = "public",
    grant: tuple[str, ...] | None = None,
    decision: str = "authorize",
) -> httpx.Response:
    """Post the consent form as a person would: every original parameter plus the choices.

    ``grant`` is the scopes left ticked; by default every requested scope."""
    kept = grant if grant is not None else tuple(params.get("scope", "").split(","))
    form: dict[str, str | list[str]] = {**params, "creator": creator_key, "decision": decision}
    form["grant"] = list(kept)
    return httpx.post(f"{sandbox.url}{AUTHORIZE_PATH}", data=form, follow_redirects=False)


def callback_query(response: httpx.Response) -> dict[str, str]:
    """The redirect's query parameters, URL-decoded as a client must (§1.2)."""
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {name: values[0] for name, values in query.items()}


def token_request(sandbox: RunningSandbox, **form: str) -> httpx.Response:
    """POST /v2/oauth/token/ with the app's credentials plus ``form``."""
    body = {
        "client_key": sandbox.world.config.client_key,
        "client_secret": sandbox.world.config.client_secret,
        **form,
    }
    return httpx.post(f"{sandbox.url}{TOKEN_PATH}", data=body)


def authorization_code(
    sandbox: RunningSandbox,
    creator_key: str = "public",
    scopes: tuple[str, ...] = ALL_SCOPES,
    **overrides: str,
) -> tuple[str, dict[str, str]]:
    """Go through the authorize page and consent; return the decoded code and the params."""
    params = authorize_params(sandbox, scopes, **overrides)
    page = httpx.get(authorize_url(sandbox, **params))
    assert page.status_code == 200, page.text
    callback = callback_query(consent(sandbox, params, creator_key=creator_key))
    assert callback.get("state") == params["state"]
    return callback["code"], params


def connect(
    sandbox: RunningSandbox, creator_key: str = "public", scopes: tuple[str, ...] = ALL_SCOPES
) -> dict[str, Any]:
    """Authorize the app as one of the seeded creators; returns the token endpoint's JSON.

    Goes through the real flow: authorize page, consent form, code exchange with PKCE (so it
    also works against a sandbox that requires PKCE)."""
    verifier, challenge = pkce_pair()
    code, params = authorization_code(
        sandbox, creator_key, scopes, code_challenge=challenge, code_challenge_method="S256"
    )
    response = token_request(
        sandbox,
        grant_type="authorization_code",
        code=code,
        redirect_uri=params["redirect_uri"],
        code_verifier=verifier,
    )
    assert response.status_code == 200, response.text
    token: dict[str, Any] = response.json()
    return token


def refresh(sandbox: RunningSandbox, refresh_token: str) -> httpx.Response:
    return token_request(sandbox, grant_type="refresh_token", refresh_token=refresh_token)


def bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}


def advance_clock(sandbox: RunningSandbox, seconds: float) -> None:
    response = httpx.post(f"{sandbox.url}/sandbox/api/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text


def webhook_events(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    """The webhook deliveries the sandbox recorded, with their bodies parsed."""
    response = httpx.get(f"{sandbox.url}/sandbox/api/webhooks")
    assert response.status_code == 200, response.text
    deliveries: list[dict[str, Any]] = response.json()["webhooks"]
    return deliveries
