"""Session cookies: their flags, their signature, and the ways to end them (sign out
everywhere, changing the password)."""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import httpx
import pytest

from autoposter.accounts import authenticate, create_user, get_user, rotate_vault_key
from autoposter.web.pages.session import CSRF_COOKIE, SESSION_COOKIE
from tests.pages.conftest import Dashboard, signed_in_client
from tests.pages.visitor import BareDashboard, Visitor, bare_dashboard

PASSWORD = "correct horse battery"


def session_cookie_of(response: httpx.Response) -> SimpleCookie:
    cookies = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(SESSION_COOKIE + "="):
            cookies.load(header)
    assert SESSION_COOKIE in cookies, "no session cookie was set"
    return cookies


@pytest.fixture
def https_dashboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BareDashboard]:
    with bare_dashboard(tmp_path, monkeypatch, public_url="https://autoposter.example") as d:
        create_user(d.ctx, "ana", PASSWORD)
        yield d


def test_the_session_cookie_is_http_only_and_same_site_lax(dashboard: Dashboard) -> None:
    visitor = Visitor(dashboard.url)

    response = visitor.sign_in(dashboard.harness.user.username, PASSWORD)

    cookie = session_cookie_of(response)[SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "lax"
    assert not cookie["secure"]  # served over plain http in this test
    assert cookie["path"] == "/"


def test_the_session_cookie_is_secure_when_the_dashboard_is_served_over_https(
    https_dashboard: BareDashboard,
) -> None:
    visitor = Visitor(https_dashboard.url)
    page = visitor.get("/signin")
    # This test talks plain http to a dashboard configured for https, where a client keeps
    # Secure cookies to itself: hand the CSRF cookie back as a browser on https would.
    csrf_cookie = SimpleCookie(page.headers["set-cookie"])[CSRF_COOKIE]
    assert csrf_cookie["secure"] is True
    visitor.client.cookies.set(CSRF_COOKIE, csrf_cookie.value)

    response = visitor.client.post(
        "/signin", data={"csrf_token": visitor.csrf, "username": "ana", "password": PASSWORD}
    )

    assert response.status_code == 303
    assert session_cookie_of(response)[SESSION_COOKIE]["secure"] is True


def test_the_session_cookie_holds_no_password_or_secret(dashboard: Dashboard) -> None:
    response = Visitor(dashboard.url).sign_in(dashboard.harness.user.username, PASSWORD)

    value = session_cookie_of(response)[SESSION_COOKIE].value
    assert PASSWORD not in value
    assert dashboard.harness.user.password_hash not in value


def test_a_tampered_session_cookie_is_refused(dashboard: Dashboard) -> None:
    value = dashboard.client.cookies[SESSION_COOKIE]
    payload, _, mac = value.partition(".")
    forged = httpx.Client(base_url=dashboard.url)
    # Another payload under the old signature, and the old payload under a changed one.
    for bad in (payload[:-2] + "xx" + "." + mac, payload + "." + mac[:-2] + "AA", "garbage"):
        forged.cookies.set(SESSION_COOKIE, bad)
        response = forged.get("/settings")
        assert response.status_code == 303, bad
        assert response.headers["location"].startswith("/signin")


def test_signing_out_everywhere_voids_every_older_cookie(dashboard: Dashboard) -> None:
    other_browser, _ = signed_in_client(dashboard.harness)
    assert other_browser.get("/settings").status_code == 200

    response = dashboard.post("/settings/sessions/end")

    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    assert dashboard.get("/settings").status_code == 303
    assert other_browser.get("/settings").status_code == 303


def test_signing_in_again_after_signing_out_everywhere_works(dashboard: Dashboard) -> None:
    dashboard.post("/settings/sessions/end")
    visitor = Visitor(dashboard.url)

    visitor.sign_in(dashboard.harness.user.username, PASSWORD)

    assert visitor.get("/settings").status_code == 200


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    dashboard: Dashboard,
) -> None:
    other_browser, _ = signed_in_client(dashboard.harness)
    visitor = Visitor(dashboard.url, client=dashboard.client)

    response = visitor.submit(
        "/settings/password",
        "password-form",
        current_password=PASSWORD,
        new_password="a brand new passphrase",
        new_password_confirm="a brand new passphrase",
    )

    assert response.status_code == 303
    assert "Your password is changed" in visitor.get("/settings").text
    assert visitor.get("/settings").status_code == 200
    assert other_browser.get("/settings").status_code == 303
    ctx, name = dashboard.harness.ctx, dashboard.harness.user.username
    assert authenticate(ctx, name, "a brand new passphrase") is not None
    assert authenticate(ctx, name, PASSWORD) is None


def test_a_wrong_current_password_changes_nothing(dashboard: Dashboard) -> None:
    visitor = Visitor(dashboard.url, client=dashboard.client)

    response = visitor.submit(
        "/settings/password",
        "password-form",
        current_password="not it",
        new_password="a brand new passphrase",
        new_password_confirm="a brand new passphrase",
    )

    assert response.status_code == 400
    assert "The current password is not right" in response.text
    assert authenticate(dashboard.harness.ctx, dashboard.harness.user.username, PASSWORD)


def test_two_different_new_passwords_are_refused(dashboard: Dashboard) -> None:
    visitor = Visitor(dashboard.url, client=dashboard.client)

    response = visitor.submit(
        "/settings/password",
        "password-form",
        current_password=PASSWORD,
        new_password="a brand new passphrase",
        new_password_confirm="a different passphrase",
    )

    assert response.status_code == 400
    assert "The two new passwords differ" in response.text
    assert authenticate(dashboard.harness.ctx, dashboard.harness.user.username, PASSWORD)


def test_rotating_the_vault_key_keeps_users_signed_in_and_their_open_forms_valid(
    dashboard: Dashboard,
) -> None:
    before = dashboard.harness.ctx.keyring.current_key_id

    report = rotate_vault_key(dashboard.harness.ctx)

    assert report.new_key_id != before
    assert dashboard.get("/settings").status_code == 200
    # The form was rendered before the rotation; its token names the retired key.
    changed = dashboard.post("/settings/time-zone", {"time_zone": "Europe/Lisbon"})
    assert changed.status_code == 303
    assert changed.headers["location"].startswith("/settings")
    user = get_user(dashboard.harness.ctx, dashboard.harness.user.id)
    assert user.time_zone == "Europe/Lisbon"


def test_a_session_cookie_signed_with_a_key_this_installation_never_had_is_refused(
    dashboard: Dashboard,
) -> None:
    payload, _, signature = dashboard.client.cookies[SESSION_COOKIE].partition(".")
    _, _, mac = signature.partition(".")
    forged = httpx.Client(base_url=dashboard.url)
    forged.cookies.set(SESSION_COOKIE, f"{payload}.k000000000000.{mac}")

    assert forged.get("/settings").status_code == 303
