"""Login Kit through the client against the sandbox: URL, PKCE, exchange, refresh, revoke."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from autoposter.sandbox import RunningSandbox
from autoposter.sandbox.config import SHORT_LIFETIMES
from autoposter.tiktok import (
    AccessTokenInvalid,
    InvalidClient,
    InvalidGrant,
    InvalidOAuthRequest,
    Pkce,
    TikTokClient,
    TikTokConfig,
    code_challenge_base64url,
    code_challenge_hex,
    make_code_verifier,
)
from tests.conftest import StartSandbox

from .support import client_for, connect, consent, raw_callback_query


@pytest.fixture
def client(sandbox: RunningSandbox) -> TikTokClient:
    return client_for(sandbox)


def test_the_authorize_url_has_tiktoks_parameters(client: TikTokClient) -> None:
    url = client.authorize_url(["user.info.basic", "video.publish"], state="s1")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "/v2/auth/authorize/"
    assert query == {
        "client_key": client.config.client_key,
        "scope": "user.info.basic,video.publish",
        "redirect_uri": client.config.redirect_uri,
        "state": "s1",
        "response_type": "code",
    }


def test_the_authorize_url_carries_a_hex_pkce_challenge(client: TikTokClient) -> None:
    pkce = Pkce.create()
    query = parse_qs(urlsplit(client.authorize_url(["video.upload"], "s", pkce=pkce)).query)
    assert query["code_challenge"] == [hashlib.sha256(pkce.verifier.encode()).hexdigest()]
    assert query["code_challenge_method"] == ["S256"]


def test_production_hosts_are_the_default() -> None:
    with TikTokClient(TikTokConfig("k", "s", redirect_uri="https://a/cb")) as client:
        assert client.authorize_url(["user.info.basic"], "s").startswith(
            "https://www.tiktok.com/v2/auth/authorize/?"
        )
        assert client.config.api_base == "https://open.tiktokapis.com"


def test_a_verifier_is_43_to_128_unreserved_characters() -> None:
    for length in (43, 64, 128):
        assert re.fullmatch(rf"[A-Za-z0-9\-._~]{{{length}}}", make_code_verifier(length))
    with pytest.raises(ValueError):
        make_code_verifier(42)


def test_the_challenges_are_tiktoks_hex_and_rfc_7636_base64url() -> None:
    verifier = "a" * 43
    digest = hashlib.sha256(verifier.encode()).digest()
    assert code_challenge_hex(verifier) == digest.hex()
    assert code_challenge_base64url(verifier) == base64.urlsafe_b64encode(digest).decode().rstrip(
        "="
    )


def test_it_exchanges_the_raw_callback_code_for_tokens(
    client: TikTokClient, sandbox: RunningSandbox
) -> None:
    url = client.authorize_url(["user.info.basic", "video.list"], state="xyz")
    raw = raw_callback_query(consent(sandbox, url, creator="private"))
    assert "%2A" in raw["code"] or "%21" in raw["code"]  # §1.2: * and ! arrive encoded
    tokens = client.exchange_code(raw["code"])
    creator = sandbox.world.creator_by_key("private")
    assert creator is not None
    assert tokens.open_id == creator.open_id
    assert tokens.access_token.startswith("act.") and tokens.refresh_token.startswith("rft.")
    assert tokens.scopes == ("user.info.basic", "video.list")
    assert tokens.token_type == "Bearer"
    assert tokens.expires_in == 86_400
    assert (tokens.access_expires_at - tokens.received_at).total_seconds() == 86_400


def test_expiry_follows_the_short_2026_lifetimes(start_sandbox: StartSandbox) -> None:
    access_ttl, refresh_ttl = SHORT_LIFETIMES
    sandbox = start_sandbox(access_token_ttl=access_ttl, refresh_token_ttl=refresh_ttl)
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
    assert (tokens.access_expires_at - tokens.received_at).total_seconds() == 7_200
    assert 179 <= (tokens.refresh_expires_at - tokens.received_at).days <= 180


def test_a_desktop_app_connects_with_pkce(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(require_pkce=True)
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, pkce=Pkce.create())
    assert tokens.access_token.startswith("act.")


def test_a_wrong_verifier_is_refused(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(require_pkce=True)
    with client_for(sandbox) as client:
        pkce = Pkce.create()
        url = client.authorize_url(["user.info.basic"], "s", pkce=pkce)
        code = raw_callback_query(consent(sandbox, url))["code"]
        with pytest.raises(InvalidGrant):
            client.exchange_code(code, code_verifier=make_code_verifier())


def test_the_base64url_challenge_works_where_the_app_accepts_it(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = start_sandbox(require_pkce=True, accept_base64url_pkce=True)
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, pkce=Pkce.create("base64url"))
    assert tokens.access_token.startswith("act.")


def test_a_code_works_only_once(client: TikTokClient, sandbox: RunningSandbox) -> None:
    url = client.authorize_url(["user.info.basic"], state="s")
    code = raw_callback_query(consent(sandbox, url))["code"]
    client.exchange_code(code)
    with pytest.raises(InvalidGrant) as caught:
        client.exchange_code(code)
    assert caught.value.log_id and caught.value.needs_user


def test_a_redirect_uri_other_than_the_authorize_ones_is_refused(
    client: TikTokClient, sandbox: RunningSandbox
) -> None:
    sandbox.world.config.redirect_uris.append("http://127.0.0.1:9/other")
    code = raw_callback_query(consent(sandbox, client.authorize_url(["user.info.basic"], "s")))
    with pytest.raises(InvalidOAuthRequest):
        client.exchange_code(code["code"], redirect_uri="http://127.0.0.1:9/other")


def test_refresh_returns_a_rotated_refresh_token_and_the_old_one_dies(
    client: TikTokClient, sandbox: RunningSandbox
) -> None:
    first = connect(client, sandbox)
    second = client.refresh(first)
    assert second.refresh_token != first.refresh_token
    assert second.access_token != first.access_token
    assert second.open_id == first.open_id
    with pytest.raises(InvalidGrant):
        client.refresh(first.refresh_token)
    third = client.refresh(second.refresh_token)
    assert client.user_info(third).open_id == first.open_id


def test_oauth_errors_on_http_200_still_raise(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(oauth_errors_on_200=True)
    with client_for(sandbox) as client, pytest.raises(InvalidGrant) as caught:
        client.refresh("rft.not-a-real-token")
    assert caught.value.http_status == 200


def test_a_wrong_client_secret_is_invalid_client(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox, client_secret="not-the-secret")
    with client, pytest.raises(InvalidClient) as caught:
        client.client_token()
    assert "not-the-secret" not in str(caught.value)


def test_revoke_ends_the_authorization_and_may_be_repeated(
    client: TikTokClient, sandbox: RunningSandbox
) -> None:
    tokens = connect(client, sandbox)
    client.revoke(tokens)
    client.revoke(tokens.access_token)
    with pytest.raises(AccessTokenInvalid):
        client.user_info(tokens)
    with pytest.raises(InvalidGrant):
        client.refresh(tokens)


def test_a_client_token_lasts_two_hours(client: TikTokClient) -> None:
    token = client.client_token()
    assert token.access_token.startswith("clt.")
    assert token.expires_in == 7_200
    assert (token.expires_at - token.received_at).total_seconds() == 7_200
    assert token.access_token not in repr(token)


def test_a_token_sets_repr_masks_both_tokens(client: TikTokClient, sandbox: RunningSandbox) -> None:
    tokens = connect(client, sandbox)
    for text in (repr(tokens), str(tokens), f"{tokens}"):
        assert tokens.access_token not in text
        assert tokens.refresh_token not in text
        assert tokens.open_id in text
