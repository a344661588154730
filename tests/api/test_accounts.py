"""/api/v1/accounts: list, show, connect, disconnect and creator_info, each only for the
caller's own accounts."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import update

from autoposter.accounts import finish_connect
from autoposter.store.models import NEEDS_RECONNECT, TikTokAccount
from tests.api.conftest import Api, error_of
from tests.sandbox.support import callback_query
from tests.tiktok.support import consent

ACCOUNT_FIELDS = {
    "id",
    "username",
    "nickname",
    "avatar_url",
    "scopes",
    "status",
    "status_reason",
    "token_health",
    "connected_at",
}


def test_the_list_shows_the_callers_accounts_and_never_a_token(api: Api) -> None:
    response = api.ana.http.get("/accounts")
    assert response.status_code == 200
    (account,) = response.json()["items"]
    assert set(account) == ACCOUNT_FIELDS
    assert account["id"] == api.ana.account_id
    assert (account["username"], account["nickname"]) == ("sunny.studio", "Sunny Studio")
    assert (account["status"], account["token_health"]) == ("connected", "ok")
    assert "video.publish" in account["scopes"]
    assert account["connected_at"].endswith("Z")
    assert "token" not in response.text.replace("token_health", "")


def test_one_account_by_id(api: Api) -> None:
    response = api.bo.http.get(f"/accounts/{api.bo.account_id}")
    assert response.status_code == 200
    assert response.json()["username"] == "quiet.notes"


def test_a_second_user_gets_404_for_the_first_users_account(api: Api) -> None:
    path = f"/accounts/{api.ana.account_id}"
    missing = error_of(api.bo.http.get("/accounts/999999"), 404, "not_found")
    other = error_of(api.bo.http.get(path), 404, "not_found")
    assert other["message"] == missing["message"].replace("999999", str(api.ana.account_id))
    error_of(api.bo.http.get(f"{path}/creator-info"), 404, "not_found")
    error_of(api.bo.http.delete(path), 404, "not_found")
    assert api.ana.http.get(path).status_code == 200  # untouched
    assert [a["id"] for a in api.bo.http.get("/accounts").json()["items"]] == [api.bo.account_id]


def test_token_health_stays_ok_while_access_tokens_renew_themselves(api: Api) -> None:
    api.harness.advance(24 * 3600 - 60)  # the access token is due: refreshed, not news (§1.5)
    account = api.ana.http.get(f"/accounts/{api.ana.account_id}").json()
    assert account["token_health"] == "ok"


def test_token_health_says_when_the_authorization_runs_out_soon(api: Api) -> None:
    with api.harness.ctx.db.session() as session:
        session.execute(
            update(TikTokAccount)
            .where(TikTokAccount.id == api.ana.account_id)
            .values(refresh_expires_at=api.harness.clock() + timedelta(days=10))
        )
    account = api.ana.http.get(f"/accounts/{api.ana.account_id}").json()
    assert account["token_health"] == "refresh_soon"


REASON = "TikTok no longer accepts this account's authorization: connect the account again."


def test_token_health_says_when_the_account_must_be_connected_again(api: Api) -> None:
    with api.harness.ctx.db.session() as session:
        session.execute(
            update(TikTokAccount)
            .where(TikTokAccount.id == api.ana.account_id)
            .values(status=NEEDS_RECONNECT, status_reason=REASON)
        )
    account = api.ana.http.get(f"/accounts/{api.ana.account_id}").json()
    assert (account["status"], account["token_health"]) == ("needs_reconnect", "needs_reconnect")
    error = error_of(
        api.ana.http.get(f"/accounts/{api.ana.account_id}/creator-info"), 409, "needs_reconnect"
    )
    assert REASON in error["message"]


def test_connect_gives_the_authorize_url_the_dashboard_callback_finishes(api: Api) -> None:
    response = api.ana.http.post("/accounts/connect")
    assert response.status_code == 201
    started = response.json()
    url = started["authorize_url"]
    assert url.startswith(f"{api.harness.sandbox.url}/v2/auth/authorize/")
    query = parse_qs(urlsplit(url).query)
    assert query["redirect_uri"] == [api.harness.ctx.settings.callback_uri]
    assert query["state"][0] and started["expires_at"].endswith("Z")
    # What the dashboard's /accounts/callback does for the signed-in user:
    answer = consent(api.harness.sandbox, url, creator="locked")
    finish_connect(api.harness.ctx, api.ana.user, callback_query(answer))
    names = [a["username"] for a in api.ana.http.get("/accounts").json()["items"]]
    assert names == ["sunny.studio", "no.comments.please"]


def test_disconnecting_revokes_at_tiktok_and_deletes_the_account(api: Api) -> None:
    response = api.bo.http.delete(f"/accounts/{api.bo.account_id}")
    assert response.status_code == 200
    assert response.json() == {
        "account_id": api.bo.account_id,
        "revoked_at_tiktok": True,
        "revoke_error": None,
        "deleted": {"accounts": 1},
    }
    error_of(api.bo.http.get(f"/accounts/{api.bo.account_id}"), 404, "not_found")
    assert api.bo.http.get("/accounts").json()["items"] == []


def test_creator_info_is_what_tiktok_says_now(api: Api) -> None:
    response = api.bo.http.get(f"/accounts/{api.bo.account_id}/creator-info")
    assert response.status_code == 200
    info = response.json()
    assert info["creator_username"] == "quiet.notes"
    assert "FOLLOWER_OF_CREATOR" in info["privacy_level_options"]
    assert "PUBLIC_TO_EVERYONE" not in info["privacy_level_options"]  # a private account
    assert (info["duet_disabled"], info["stitch_disabled"]) == (True, True)
    assert info["max_video_post_duration_sec"] == 600


def test_an_account_id_that_is_not_a_number_is_invalid_input(api: Api) -> None:
    error = error_of(api.ana.http.get("/accounts/abc"), 422, "invalid_input")
    assert error["fields"][0]["field"] == "account_id"
    error_of(api.ana.http.get("/accounts/0"), 422, "invalid_input")
    error_of(api.ana.http.get(f"/accounts/{2**40}"), 422, "invalid_input")
