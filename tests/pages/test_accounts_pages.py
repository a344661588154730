"""The Accounts page: connecting through TikTok's (the sandbox's) authorize page, every way
the callback can fail, the reconnect states, and disconnecting with a truthful confirmation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from html import escape
from pathlib import Path

import httpx
import pytest

from autoposter.accounts import create_user, get_account, list_accounts
from autoposter.posts import create_post
from tests.engine import MakeHarness
from tests.media import make_video
from tests.pages.conftest import Dashboard, signed_in_client
from tests.pages.visitor import ANY_PORT_CALLBACK, consent_on_tiktok, text_of
from tests.posts.support import video_post
from tests.tiktok.support import set_faults


@pytest.fixture
def dashboard(make_harness: MakeHarness) -> Iterator[Dashboard]:
    """A dashboard whose callback URI the sandbox accepts, so TikTok's redirect comes back
    to it; with webhooks, so TikTok can tell it about removed authorizations."""
    harness = make_harness(
        redirect_uris=[ANY_PORT_CALLBACK], settings={"redirect_uri": None}, webhooks=True
    )
    client, csrf = signed_in_client(harness)
    with client:
        yield Dashboard(harness, client, csrf)


def start_connect(dashboard: Dashboard) -> str:
    response = dashboard.post("/accounts/connect")
    assert response.status_code == 303
    return response.headers["location"]


def connect_through_tiktok(dashboard: Dashboard, **choices: object) -> httpx.Response:
    """Press Connect, decide on TikTok's page, follow TikTok back to the dashboard."""
    back = consent_on_tiktok(start_connect(dashboard), **choices)  # type: ignore[arg-type]
    assert back.startswith(f"{dashboard.url}/accounts/callback?")
    return dashboard.client.get(back)


def test_the_list_shows_avatar_nickname_username_scopes_and_health(
    dashboard: Dashboard,
) -> None:
    account = get_account(
        dashboard.harness.ctx, dashboard.harness.user, dashboard.harness.account_id
    )

    page = dashboard.get("/accounts").text

    assert f'id="account-{account.id}"' in page
    assert account.avatar_url
    assert f'src="{escape(account.avatar_url)}"' in page
    assert "Sunny Studio" in page and "@sunny.studio" in page
    for scope in account.scopes:
        assert f'<code class="scope">{scope}</code>' in page
    assert f'id="health-{account.id}">Connected<' in page
    assert f'id="reconnect-{account.id}"' not in page


def test_connecting_goes_through_tiktoks_authorize_page_and_lists_the_account(
    dashboard: Dashboard,
) -> None:
    authorize_url = start_connect(dashboard)
    assert authorize_url.startswith(f"{dashboard.harness.sandbox.url}/v2/auth/authorize/?")

    back = consent_on_tiktok(authorize_url, creator="private")
    answer = dashboard.client.get(back)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/accounts"
    page = dashboard.get("/accounts").text
    assert "Connected @quiet.notes." in page
    assert "Quiet Notes" in page
    names = [a.username for a in list_accounts(dashboard.harness.ctx, dashboard.harness.user)]
    assert "quiet.notes" in names


def test_scopes_the_creator_unticked_are_named_and_offer_a_reconnect(
    dashboard: Dashboard,
) -> None:
    answer = connect_through_tiktok(dashboard, creator="locked", drop=("video.list",))
    assert answer.status_code == 303

    page = dashboard.get("/accounts").text

    assert "TikTok did not grant video.list" in page
    assert "notice-warning" in page
    account = next(
        a
        for a in list_accounts(dashboard.harness.ctx, dashboard.harness.user)
        if a.username == "no.comments.please"
    )
    assert f'id="missing-scopes-{account.id}"' in page
    assert f'id="reconnect-{account.id}"' in page


def test_reconnecting_the_same_creator_says_reconnected(dashboard: Dashboard) -> None:
    connect_through_tiktok(dashboard, creator="public")

    page = dashboard.get("/accounts").text

    assert "Reconnected @sunny.studio." in page
    assert len(list_accounts(dashboard.harness.ctx, dashboard.harness.user)) == 1


def test_cancelling_on_tiktok_shows_why_and_a_way_to_try_again(dashboard: Dashboard) -> None:
    answer = connect_through_tiktok(dashboard, decision="cancel")

    assert answer.status_code == 400
    assert 'id="connect-error"' in answer.text
    assert "You cancelled on TikTok" in answer.text
    assert 'id="connect-retry"' in answer.text


def test_a_replayed_callback_is_refused_with_a_message(dashboard: Dashboard) -> None:
    back = consent_on_tiktok(start_connect(dashboard), creator="private")
    assert dashboard.client.get(back).status_code == 303

    again = dashboard.client.get(back)

    assert again.status_code == 400
    assert "already used" in again.text


def test_an_unknown_or_missing_state_is_refused_with_a_message(dashboard: Dashboard) -> None:
    unknown = dashboard.get("/accounts/callback?code=abc&state=not-ours")
    missing = dashboard.get("/accounts/callback?code=abc")

    assert unknown.status_code == 400
    assert "does not match any connect" in unknown.text
    assert missing.status_code == 400
    assert "carries no state" in missing.text


def test_a_callback_for_another_users_connect_is_refused(dashboard: Dashboard) -> None:
    back = consent_on_tiktok(start_connect(dashboard), creator="private")
    other = create_user(dashboard.harness.ctx, "mallory", "another good password")
    client, _ = signed_in_client(dashboard.harness, other)

    answer = client.get(back.removeprefix(dashboard.url))

    assert answer.status_code == 400
    assert "started by another Autoposter user" in answer.text
    assert list_accounts(dashboard.harness.ctx, other) == []


def test_an_expired_connect_is_refused_with_a_message(dashboard: Dashboard) -> None:
    back = consent_on_tiktok(start_connect(dashboard), creator="private")
    dashboard.harness.clock.advance(dashboard.harness.ctx.settings.oauth_state_ttl + 1)

    answer = dashboard.client.get(back)

    assert answer.status_code == 400
    assert "expired" in answer.text


def test_tiktok_unreachable_during_the_code_exchange_is_a_503_with_a_message(
    dashboard: Dashboard,
) -> None:
    back = consent_on_tiktok(start_connect(dashboard), creator="private")
    set_faults(dashboard.harness.sandbox, error_5xx_rate=1.0)

    answer = dashboard.client.get(back)

    assert answer.status_code == 503
    assert "could not be reached" in answer.text
    assert 'id="connect-retry"' in answer.text


def test_the_callback_asks_a_signed_out_visitor_to_sign_in_first(dashboard: Dashboard) -> None:
    answer = httpx.get(f"{dashboard.url}/accounts/callback?code=abc&state=xyz")

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin?next=/accounts/callback")


def wait_for_status(dashboard: Dashboard, status: str) -> None:
    harness = dashboard.harness
    deadline = time.monotonic() + 10
    while get_account(harness.ctx, harness.user, harness.account_id).status != status:
        assert time.monotonic() < deadline, f"the account never became {status}"
        time.sleep(0.02)


def test_an_account_whose_access_tiktok_removed_shows_why_and_a_reconnect_button(
    dashboard: Dashboard,
) -> None:
    sandbox, account_id = dashboard.harness.sandbox, dashboard.harness.account_id
    removed = httpx.post(f"{sandbox.url}/sandbox/api/creators/public/deauthorize", json={})
    assert removed.status_code == 200
    wait_for_status(dashboard, "revoked")

    page = dashboard.get("/accounts").text

    assert f'id="health-{account_id}">Access removed<' in page
    assert "TikTok removed Autoposter's access" in text_of(page)
    assert f'id="reconnect-{account_id}"' in page
    assert f'id="compose-{account_id}"' not in page

    connect_through_tiktok(dashboard, creator="public")
    assert f'id="health-{account_id}">Connected<' in dashboard.get("/accounts").text


def test_an_authorization_running_out_soon_asks_to_reconnect_ahead(
    dashboard: Dashboard,
) -> None:
    harness = dashboard.harness
    account = get_account(harness.ctx, harness.user, harness.account_id)
    assert account.refresh_expires_at is not None
    left = account.refresh_expires_at - harness.clock()
    harness.clock.advance((left - timedelta(days=3)).total_seconds())

    page = dashboard.get("/accounts").text

    assert f'id="health-{account.id}">Reconnect soon<' in page
    assert "runs out in 2 days" in page or "runs out in 3 days" in page
    assert f'id="reconnect-{account.id}"' in page


def test_the_disconnect_confirmation_says_what_is_revoked_deleted_and_left_unsent(
    dashboard: Dashboard, tmp_path: Path
) -> None:
    harness = dashboard.harness
    clip = make_video(tmp_path / "clip.mp4")
    for _ in range(2):
        later = harness.clock() + timedelta(days=1)
        create_post(
            harness.ctx, harness.user, harness.account_id, video_post(clip, publish_at=later)
        )

    page = dashboard.get(f"/accounts/{harness.account_id}/disconnect")

    assert page.status_code == 200
    text = text_of(page.text)
    assert "Revokes Autoposter's access at TikTok." in text
    assert "Deletes the account's tokens and profile here" in text
    assert "2 posts waiting to go out (drafts and scheduled) will not be sent" in text
    assert "stay on TikTok and in your history here" in text
    assert 'id="disconnect-confirm"' in page.text
    assert get_account(harness.ctx, harness.user, harness.account_id)  # nothing happened yet


def test_disconnecting_revokes_at_tiktok_and_deletes_the_account(dashboard: Dashboard) -> None:
    harness = dashboard.harness

    answer = dashboard.post(f"/accounts/{harness.account_id}/disconnect")

    assert answer.status_code == 303
    page = dashboard.get("/accounts").text
    assert "Disconnected @sunny.studio: its access was revoked at TikTok" in page
    assert list_accounts(harness.ctx, harness.user) == []
    creator = harness.sandbox.world.creator_by_key("public")
    assert creator is not None and creator.open_id not in harness.sandbox.world.grants
    assert 'id="no-accounts"' in page


@pytest.mark.parametrize("path", ["/disconnect", "/videos"])
def test_a_second_user_gets_404_for_someone_elses_account(dashboard: Dashboard, path: str) -> None:
    other = create_user(dashboard.harness.ctx, "mallory", "another good password")
    client, _ = signed_in_client(dashboard.harness, other)

    answer = client.get(f"/accounts/{dashboard.harness.account_id}{path}")

    assert answer.status_code == 404
    assert "There is no TikTok account" in answer.text


def test_a_second_user_cannot_disconnect_someone_elses_account(dashboard: Dashboard) -> None:
    other = create_user(dashboard.harness.ctx, "mallory", "another good password")
    client, csrf = signed_in_client(dashboard.harness, other)

    answer = client.post(
        f"/accounts/{dashboard.harness.account_id}/disconnect", data={"csrf_token": csrf}
    )

    assert answer.status_code == 404
    assert list_accounts(dashboard.harness.ctx, dashboard.harness.user) != []
