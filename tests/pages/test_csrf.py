"""Every state-changing route of the sign-in, accounts and settings pages refuses a request
without the form's CSRF token (or with a forged one) with 403, and changes nothing."""

from __future__ import annotations

import httpx

from autoposter.accounts import create_api_token, get_user, list_accounts, list_api_tokens
from tests.pages.conftest import Dashboard

PASSWORD = "correct horse battery"

ROUTES = [
    "/signin",
    "/signup",
    "/signout",
    "/settings/password",
    "/settings/sessions/end",
    "/settings/time-zone",
    "/settings/tokens",
    "/settings/tokens/{token}/revoke",
    "/settings/export",
    "/settings/erase",
    "/accounts/connect",
    "/accounts/{account}/disconnect",
]


def form_for(dashboard: Dashboard, route: str) -> tuple[str, dict[str, str]]:
    """The route with real ids, and a form that would succeed with a valid token."""
    user = dashboard.harness.user
    token = create_api_token(dashboard.harness.ctx, user, "script")
    path = route.format(token=token.id, account=dashboard.harness.account_id)
    data = {
        "username": user.username,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "current_password": PASSWORD,
        "new_password": "a brand new passphrase",
        "new_password_confirm": "a brand new passphrase",
        "time_zone": "Europe/Paris",
        "name": "another",
        "confirm_username": user.username,
    }
    return path, data


def test_every_route_refuses_a_post_without_the_csrf_token(dashboard: Dashboard) -> None:
    for route in ROUTES:
        path, data = form_for(dashboard, route)

        response = dashboard.client.post(path, data=data)

        assert response.status_code == 403, path
        assert "This form has expired" in response.text, path


def test_every_route_refuses_a_forged_csrf_token(dashboard: Dashboard) -> None:
    for route in ROUTES:
        path, data = form_for(dashboard, route)

        response = dashboard.client.post(path, data={**data, "csrf_token": "x" + dashboard.csrf})

        assert response.status_code == 403, path


def test_a_token_valid_for_another_browser_is_refused(dashboard: Dashboard) -> None:
    """The token is bound to the browser's own CSRF cookie: one copied from another visitor's
    page does not work with this browser's cookie."""
    other = httpx.Client(base_url=dashboard.url)
    other.get("/signin")
    stranger_page = other.get("/signin").text
    stolen = stranger_page.split('name="csrf_token" value="')[1].split('"')[0]

    response = dashboard.client.post("/settings/sessions/end", data={"csrf_token": stolen})

    assert response.status_code == 403


def test_refused_requests_change_nothing(dashboard: Dashboard) -> None:
    harness = dashboard.harness
    epoch = get_user(harness.ctx, harness.user.id).session_epoch
    for route in ROUTES:
        path, data = form_for(dashboard, route)
        dashboard.client.post(path, data=data)

    user = get_user(harness.ctx, harness.user.id)
    assert user.session_epoch == epoch
    assert user.time_zone == "UTC"
    assert len(list_accounts(harness.ctx, harness.user)) == 1
    assert all(t.revoked_at is None for t in list_api_tokens(harness.ctx, harness.user))
    assert dashboard.get("/settings").status_code == 200
