"""Login Kit OAuth v2 (§1): authorize URL, PKCE, code exchange, refresh, revoke, client token."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote, urlencode

from .errors import UnexpectedResponse
from .models import ClientToken, TokenSet
from .transport import Replay, Transport

TOKEN_PATH = "/v2/oauth/token/"
REVOKE_PATH = "/v2/oauth/revoke/"

# §1.3: 43–128 characters of [A-Za-z0-9-._~].
_VERIFIER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

ChallengeEncoding = Literal["hex", "base64url"]


def make_code_verifier(length: int = 64) -> str:
    """A fresh PKCE verifier (§1.3: new per request)."""
    if not 43 <= length <= 128:
        raise ValueError(f"a PKCE verifier must be 43–128 characters long, not {length}")
    return "".join(secrets.choice(_VERIFIER_ALPHABET) for _ in range(length))


def code_challenge_hex(verifier: str) -> str:
    """TikTok's desktop challenge: hex SHA-256 of the verifier, 64 lower-case chars (§1.3)."""
    return hashlib.sha256(verifier.encode("ascii")).hexdigest()


def code_challenge_base64url(verifier: str) -> str:
    """The RFC 7636 S256 challenge (base64url, no padding), for apps that want it (§1.3)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Pkce:
    """A verifier and its S256 challenge. Keep ``verifier`` server-side for the exchange."""

    verifier: str = field(repr=False)
    challenge: str
    method: str = "S256"

    @classmethod
    def create(cls, encoding: ChallengeEncoding = "hex") -> Pkce:
        verifier = make_code_verifier()
        if encoding == "hex":
            return cls(verifier, code_challenge_hex(verifier))
        return cls(verifier, code_challenge_base64url(verifier))


class OAuthApi:
    """The OAuth calls. Mixed into :class:`TikTokClient`; needs ``_transport``."""

    _transport: Transport

    def authorize_url(
        self,
        scopes: Iterable[str],
        state: str,
        *,
        redirect_uri: str | None = None,
        pkce: Pkce | None = None,
        disable_auto_auth: bool | None = None,
    ) -> str:
        """The URL to send the creator's browser to (§1.1)."""
        config = self._transport.config
        scope_list = [s.strip() for s in scopes if s.strip()]
        if not scope_list:
            raise ValueError("ask for at least one scope, e.g. user.info.basic")
        if not state:
            raise ValueError("state is required: pass a random value and check it on callback")
        params: dict[str, str] = {
            "client_key": config.client_key,
            "scope": ",".join(scope_list),  # §1.1: comma-separated
            "redirect_uri": self._redirect_uri(redirect_uri),
            "state": state,
            "response_type": "code",
        }
        if disable_auto_auth is not None:
            params["disable_auto_auth"] = "1" if disable_auto_auth else "0"
        if pkce is not None:
            params["code_challenge"] = pkce.challenge
            params["code_challenge_method"] = pkce.method
        return f"{config.authorize_url}?{urlencode(params)}"

    def exchange_code(
        self, code: str, *, redirect_uri: str | None = None, code_verifier: str | None = None
    ) -> TokenSet:
        """Trade the callback's ``code`` for tokens (§1.4).

        ``code`` may be the raw query value: it is URL-decoded here (§1.2: codes contain ``*``
        and ``!``, and a mangled code is reported as expired). Codes are single use, so a lost
        answer raises OutcomeUnknown rather than trying the code twice.
        """
        config = self._transport.config
        form = {
            "client_key": config.client_key,
            "client_secret": config.client_secret,
            "code": unquote(code),
            "grant_type": "authorization_code",
            "redirect_uri": self._redirect_uri(redirect_uri),
        }
        if code_verifier:
            form["code_verifier"] = code_verifier
        body = self._transport.oauth(
            TOKEN_PATH, form, operation="authorization code exchange", replay=Replay.NEVER
        )
        return self._token_set(body)

    def refresh(self, refresh_token: str | TokenSet) -> TokenSet:
        """A new token set (§1.5). Always store the returned refresh token: it rotates.

        Not retried after a lost answer: TikTok may already have rotated the refresh token,
        and the old one stops working once the new one is issued (§1.5). OutcomeUnknown is
        raised instead; the caller may try once more with the same token and, on
        InvalidGrant, must ask the creator to reconnect.
        """
        if isinstance(refresh_token, TokenSet):
            refresh_token = refresh_token.refresh_token
        config = self._transport.config
        form = {
            "client_key": config.client_key,
            "client_secret": config.client_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        body = self._transport.oauth(
            TOKEN_PATH, form, operation="token refresh", replay=Replay.NEVER
        )
        return self._token_set(body)

    def revoke(self, access_token: str | TokenSet) -> None:
        """Revoke the creator's authorization (§1.7); safe to repeat."""
        if isinstance(access_token, TokenSet):
            access_token = access_token.access_token
        config = self._transport.config
        form = {
            "client_key": config.client_key,
            "client_secret": config.client_secret,
            "token": access_token,
        }
        self._transport.oauth(REVOKE_PATH, form, operation="token revoke", replay=Replay.SAFE)

    def client_token(self) -> ClientToken:
        """A client access token (§1.8): for Research/Commercial Content APIs, not posting."""
        config = self._transport.config
        form = {
            "client_key": config.client_key,
            "client_secret": config.client_secret,
            "grant_type": "client_credentials",
        }
        body = self._transport.oauth(TOKEN_PATH, form, operation="client token", replay=Replay.SAFE)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise _missing_token(body)
        return ClientToken(
            access_token=token,
            expires_in=_seconds(body, "expires_in"),
            token_type=str(body.get("token_type") or "Bearer"),
            received_at=config.clock(),
        )

    def _redirect_uri(self, given: str | None) -> str:
        uri = given or self._transport.config.redirect_uri
        if not uri:
            raise ValueError(
                "no redirect_uri: pass one or set TikTokConfig.redirect_uri to a URI "
                "registered for the app"
            )
        return uri

    def _token_set(self, body: dict[str, Any]) -> TokenSet:
        """§1.4: a body without access_token is an error even on HTTP 200."""
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not isinstance(access, str) or not access:
            raise _missing_token(body)
        if not isinstance(refresh, str) or not refresh:
            raise UnexpectedResponse(
                "TikTok returned an access token without a refresh token",
                code="missing_refresh_token",
            )
        scope = str(body.get("scope") or "")
        return TokenSet(
            access_token=access,
            expires_in=_seconds(body, "expires_in"),
            refresh_token=refresh,
            refresh_expires_in=_seconds(body, "refresh_expires_in"),
            open_id=str(body.get("open_id") or ""),
            scopes=tuple(s.strip() for s in scope.split(",") if s.strip()),
            token_type=str(body.get("token_type") or "Bearer"),
            received_at=self._transport.config.clock(),
        )


def _seconds(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise UnexpectedResponse(f"the token answer has no usable {key}", code="missing_" + key)
    try:
        return int(value)
    except ValueError:
        raise UnexpectedResponse(
            f"the token answer's {key} is not a number", code="bad_" + key
        ) from None


def _missing_token(body: dict[str, Any]) -> UnexpectedResponse:
    log_id = body.get("log_id")
    return UnexpectedResponse(
        "TikTok's token answer has no access_token",
        code="missing_access_token",
        log_id=str(log_id) if log_id else None,
    )
