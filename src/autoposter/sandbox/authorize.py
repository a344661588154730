"""Login Kit's authorization page: ``/v2/auth/authorize/`` (§1.1–§1.3, §9 "OAuth").

GET validates the app's request and shows a consent page; the page posts back to the same
path. The form contract, which tests and other code rely on: every original query parameter
as a hidden field, plus ``creator=<seed key>``, zero or more ``grant=<scope>`` (the scopes the
person keeps) and ``decision=authorize|cancel``. The answer is a 302 to the redirect URI with
``code``, ``scopes`` and ``state``, or ``error=access_denied``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from .avatars import avatar_url
from .config import ALL_SCOPES
from .envelope import world_of
from .pages import describe_case, render
from .state import AuthCode, World

router = APIRouter()

AUTHORIZE_PATH = "/v2/auth/authorize/"
PARAMS = (
    "client_key",
    "scope",
    "redirect_uri",
    "state",
    "response_type",
    "disable_auto_auth",
    "code_challenge",
    "code_challenge_method",
)
# §2: Login Kit always adds user.info.basic; the person may untick the others.
ALWAYS_GRANTED = "user.info.basic"
SCOPE_DESCRIPTIONS = {
    "user.info.basic": "See your avatar and display name",
    "user.info.profile": "See your username, bio, profile link and verified badge",
    "user.info.stats": "See your follower, following, like and video counts",
    "video.list": "See your public videos",
    "video.publish": "Post videos and photos directly to your profile",
    "video.upload": "Send drafts to your TikTok inbox for you to finish",
}


class PageError(Exception):
    """A problem shown on TikTok's error page instead of a redirect (§1.1)."""

    def __init__(self, field: str, problem: str, hint: str = "") -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
        self.hint = hint


class RedirectError(Exception):
    """A problem reported to the app by redirecting with ``error`` (§1.2)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


@router.get(AUTHORIZE_PATH)
async def show_consent(request: Request) -> Response:
    world = world_of(request)
    params = _known_params(request.query_params)
    try:
        _check_app(world, params)
        scopes = _requested_scopes(world, params)
    except PageError as exc:
        return _error_page(exc)
    except RedirectError as exc:
        return _redirect_error(params, exc)
    return _consent_page(world, params, scopes)


@router.post(AUTHORIZE_PATH)
async def decide(request: Request) -> Response:
    world = world_of(request)
    form = await request.form()
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    params = _known_params(fields)
    try:
        _check_app(world, params)
        if fields.get("decision") == "cancel":
            raise RedirectError("access_denied", "The user canceled the authorization.")
        if fields.get("decision") != "authorize":
            raise PageError("decision", "must be authorize or cancel.")
        scopes = _requested_scopes(world, params)
    except PageError as exc:
        return _error_page(exc)
    except RedirectError as exc:
        return _redirect_error(params, exc)
    creator = world.creator_by_key(fields.get("creator", ""))
    if creator is None:
        return _consent_page(world, params, scopes, error="Pick an account to log in as.")
    kept = {v for k, v in form.multi_items() if k == "grant" and isinstance(v, str)}
    granted = [s for s in scopes if s in kept or s == ALWAYS_GRANTED]
    code = _issue_code(world, creator.open_id, granted, params)
    return _redirect(params, {"code": code.code, "scopes": ",".join(granted)})


def redirect_uri_registered(registered: list[str], candidate: str) -> bool:
    """Exact match, or a desktop registration with a wildcard port such as
    ``http://127.0.0.1:*/callback/`` (§1.1 login-kit-desktop)."""
    for uri in registered:
        if uri == candidate:
            return True
        if ":*/" in uri or uri.endswith(":*"):
            pattern = re.escape(uri).replace(r":\*", ":[0-9]{1,5}")
            if re.fullmatch(pattern, candidate):
                return True
    return False


def _known_params(source: Mapping[str, str]) -> dict[str, str]:
    return {name: source[name] for name in PARAMS if name in source}


def _check_app(world: World, params: dict[str, str]) -> None:
    """What the error page reports: client_key, redirect_uri, then PKCE (§1.1, §1.3)."""
    config = world.config
    if params.get("client_key") != config.client_key:
        raise PageError(
            "client_key",
            "is missing or is not a client key this sandbox knows.",
            f"The sandbox's client key is {config.client_key}.",
        )
    if not redirect_uri_registered(config.redirect_uris, params.get("redirect_uri", "")):
        raise PageError(
            "redirect_uri",
            "does not match any redirect URI registered for this app.",
            "Registered: " + ", ".join(config.redirect_uris),
        )
    challenge = params.get("code_challenge", "")
    if config.require_pkce and not challenge:
        raise PageError(
            "code_challenge",
            "is required: this app is set up as a desktop app, which must "
            "use PKCE with code_challenge_method=S256.",
        )
    if challenge and params.get("code_challenge_method") != "S256":
        raise PageError("code_challenge_method", "must be S256, the only method TikTok supports.")


def _requested_scopes(world: World, params: dict[str, str]) -> list[str]:
    """response_type and scope errors go back to the app by redirect (§1.2, §1.9)."""
    if params.get("response_type") != "code":
        raise RedirectError("unsupported_response_type", "response_type must be code.")
    requested = [s.strip() for s in params.get("scope", "").split(",") if s.strip()]
    if not requested:
        raise RedirectError("invalid_scope", "scope is missing: send a comma-separated list.")
    unknown = [s for s in requested if s not in ALL_SCOPES]
    if unknown:
        raise RedirectError("invalid_scope", f"Unknown scope: {', '.join(unknown)}.")
    unapproved = [s for s in requested if s not in world.config.approved_scopes]
    if unapproved:
        raise RedirectError(
            "invalid_scope",
            f"Scope not approved for this app: {', '.join(unapproved)}. "
            "Add it to the app in the developer portal first.",
        )
    if ALWAYS_GRANTED in world.config.approved_scopes:
        requested.insert(0, ALWAYS_GRANTED)
    return list(dict.fromkeys(requested))


def _issue_code(world: World, open_id: str, scopes: list[str], params: dict[str, str]) -> AuthCode:
    code = AuthCode(
        code=world.ids.auth_code(),
        open_id=open_id,
        scopes=scopes,
        redirect_uri=params["redirect_uri"],
        code_challenge=params.get("code_challenge") or None,
        expires_at=world.now() + world.config.auth_code_ttl,
    )
    world.codes[code.code] = code
    return code


def _consent_page(
    world: World, params: dict[str, str], scopes: list[str], *, error: str = ""
) -> Response:
    creators = [
        {
            "key": c.key,
            "nickname": c.seed.display_name,
            "username": c.seed.username,
            "avatar": avatar_url(world, c, 80),
            "case": describe_case(c),
            "checked": i == 0,
        }
        for i, c in enumerate(world.creators.values())
    ]
    scope_rows = [
        {"name": s, "description": SCOPE_DESCRIPTIONS[s], "required": s == ALWAYS_GRANTED}
        for s in scopes
    ]
    return render(
        "consent.html",
        status=400 if error else 200,
        client_key=params["client_key"],
        redirect_uri=params["redirect_uri"],
        creators=creators,
        scopes=scope_rows,
        hidden=list(params.items()),
        error=error,
    )


def _error_page(exc: PageError) -> Response:
    return render(
        "auth_error.html", status=400, field=exc.field, problem=exc.problem, hint=exc.hint
    )


def _redirect_error(params: dict[str, str], exc: RedirectError) -> Response:
    return _redirect(params, {"error": exc.error, "error_description": exc.description})


def _redirect(params: dict[str, str], values: dict[str, str]) -> Response:
    if "state" in params:
        values = {**values, "state": params["state"]}
    uri = params["redirect_uri"]
    separator = "&" if "?" in uri else "?"
    return RedirectResponse(uri + separator + urlencode(values), status_code=302)
