"""The authorization page: validation, error page, consent form and the redirect (§1.1–§1.3)."""

from __future__ import annotations

import httpx

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.sandbox.support import (
    authorize_params,
    authorize_url,
    callback_query,
    consent,
    pkce_pair,
)


def _get(sandbox: RunningSandbox, params: dict[str, str]) -> httpx.Response:
    return httpx.get(authorize_url(sandbox, **params), follow_redirects=False)


def _assert_error_page(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert "We couldn't log in with TikTok" in response.text
    assert f"<code>{field}</code>" in response.text


def test_the_consent_page_lists_every_creator_and_the_requested_scopes(
    sandbox: RunningSandbox,
) -> None:
    params = authorize_params(sandbox, ("user.info.basic", "video.publish"))
    page = _get(sandbox, params)
    assert page.status_code == 200
    for nickname in ("Sunny Studio", "Quiet Notes", "No Comments Please", "Sixty Seconds"):
        assert nickname in page.text
    assert "@benched.account" in page.text
    assert "Banned from posting" in page.text
    assert "daily cap of 15" in page.text
    assert "Videos up to 60 seconds" in page.text
    assert "Comments, duets and stitches turned off" in page.text
    assert "Private account" in page.text
    assert 'value="video.publish"' in page.text
    assert "video.upload" not in page.text
    assert f'value="{params["state"]}"' in page.text
    assert 'name="decision" value="authorize"' in page.text
    assert 'name="decision" value="cancel"' in page.text


def test_the_consent_page_shows_avatars_the_sandbox_serves(sandbox: RunningSandbox) -> None:
    page = _get(sandbox, authorize_params(sandbox))
    avatar = page.text.split('class="avatar" src="', 1)[1].split('"', 1)[0]
    image = httpx.get(avatar.replace("&amp;", "&"))
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/svg+xml")


def test_an_unknown_client_key_gets_an_error_page_and_no_redirect(
    sandbox: RunningSandbox,
) -> None:
    _assert_error_page(_get(sandbox, authorize_params(sandbox, client_key="nope")), "client_key")
    _assert_error_page(_get(sandbox, authorize_params(sandbox, client_key="")), "client_key")


def test_an_unregistered_redirect_uri_gets_an_error_page_and_no_redirect(
    sandbox: RunningSandbox,
) -> None:
    params = authorize_params(sandbox, redirect_uri="https://evil.example/callback")
    _assert_error_page(_get(sandbox, params), "redirect_uri")


def test_a_redirect_uri_must_match_exactly(sandbox: RunningSandbox) -> None:
    registered = sandbox.world.config.redirect_uris[0]
    for near_miss in (registered + "/", registered + "?x=1", registered.upper()):
        params = authorize_params(sandbox, redirect_uri=near_miss)
        _assert_error_page(_get(sandbox, params), "redirect_uri")


def test_a_desktop_wildcard_port_registration_accepts_any_port(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = start_sandbox(redirect_uris=["http://127.0.0.1:*/callback/"])
    params = authorize_params(sandbox, redirect_uri="http://127.0.0.1:51234/callback/")
    assert _get(sandbox, params).status_code == 200
    callback = consent(sandbox, params)
    assert callback.headers["location"].startswith("http://127.0.0.1:51234/callback/?code=")
    for wrong in ("http://127.0.0.1:abc/callback/", "http://localhost:51234/callback/"):
        params = authorize_params(sandbox, redirect_uri=wrong)
        _assert_error_page(_get(sandbox, params), "redirect_uri")


def test_a_wrong_response_type_is_redirected_back_with_the_state(
    sandbox: RunningSandbox,
) -> None:
    params = authorize_params(sandbox, response_type="token")
    query = callback_query(_get(sandbox, params))
    assert query["error"] == "unsupported_response_type"
    assert query["state"] == params["state"]
    assert "code" not in query


def test_an_unapproved_scope_is_redirected_back_as_invalid_scope(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = start_sandbox(approved_scopes=("user.info.basic", "video.upload"))
    query = callback_query(_get(sandbox, authorize_params(sandbox, ("video.publish",))))
    assert query["error"] == "invalid_scope"
    assert "video.publish" in query["error_description"]


def test_an_unknown_or_missing_scope_is_invalid_scope(sandbox: RunningSandbox) -> None:
    unknown = callback_query(_get(sandbox, authorize_params(sandbox, ("video.delete",))))
    assert unknown["error"] == "invalid_scope"
    assert "video.delete" in unknown["error_description"]
    missing = callback_query(_get(sandbox, authorize_params(sandbox, scope="")))
    assert missing["error"] == "invalid_scope"


def test_a_desktop_app_without_a_code_challenge_gets_an_error_page(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = start_sandbox(require_pkce=True)
    _assert_error_page(_get(sandbox, authorize_params(sandbox)), "code_challenge")
    _, challenge = pkce_pair()
    params = authorize_params(sandbox, code_challenge=challenge, code_challenge_method="S256")
    assert _get(sandbox, params).status_code == 200


def test_only_the_s256_challenge_method_is_accepted(sandbox: RunningSandbox) -> None:
    _, challenge = pkce_pair()
    params = authorize_params(sandbox, code_challenge=challenge, code_challenge_method="plain")
    _assert_error_page(_get(sandbox, params), "code_challenge_method")


def test_disable_auto_auth_is_accepted(sandbox: RunningSandbox) -> None:
    assert _get(sandbox, authorize_params(sandbox, disable_auto_auth="1")).status_code == 200


def test_authorizing_redirects_with_a_code_the_granted_scopes_and_the_state(
    sandbox: RunningSandbox,
) -> None:
    params = authorize_params(sandbox, ("user.info.basic", "video.list"))
    response = consent(sandbox, params)
    # §1.2: real codes carry * and !, so they arrive percent-encoded.
    assert "%2A" in response.headers["location"]
    assert "%21" in response.headers["location"]
    query = callback_query(response)
    assert "*" in query["code"]
    assert "!" in query["code"]
    assert query["scopes"] == "user.info.basic,video.list"
    assert query["state"] == params["state"]


def test_the_person_may_untick_scopes_but_user_info_basic_is_always_granted(
    sandbox: RunningSandbox,
) -> None:
    params = authorize_params(sandbox, ("user.info.profile", "video.list", "video.publish"))
    query = callback_query(consent(sandbox, params, grant=("video.publish",)))
    assert query["scopes"] == "user.info.basic,video.publish"


def test_cancelling_redirects_with_access_denied(sandbox: RunningSandbox) -> None:
    params = authorize_params(sandbox)
    query = callback_query(consent(sandbox, params, decision="cancel"))
    assert query["error"] == "access_denied"
    assert query["error_description"]
    assert query["state"] == params["state"]
    assert "code" not in query


def test_a_tampered_form_is_checked_like_the_original_request(sandbox: RunningSandbox) -> None:
    params = authorize_params(sandbox)
    params["redirect_uri"] = "https://evil.example/callback"
    _assert_error_page(consent(sandbox, params), "redirect_uri")


def test_posting_without_choosing_an_account_shows_the_page_again(
    sandbox: RunningSandbox,
) -> None:
    response = consent(sandbox, authorize_params(sandbox), creator_key="nobody")
    assert response.status_code == 400
    assert "Pick an account" in response.text
    assert "Sunny Studio" in response.text
