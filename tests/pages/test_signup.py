"""Signing up: the first user administers the installation; later sign-ups follow the
AUTOPOSTER_SIGNUPS_OPEN setting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoposter.accounts import authenticate, count_users
from tests.pages.visitor import BareDashboard, Visitor, bare_dashboard

StartDashboard = Callable[..., BareDashboard]


@pytest.fixture
def start_dashboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StartDashboard]:
    with ExitStack() as stack:
        yield lambda **settings: stack.enter_context(
            bare_dashboard(tmp_path, monkeypatch, **settings)
        )


def sign_up(
    visitor: Visitor, username: str, password: str = "a long passphrase", **extra: Any
) -> httpx.Response:
    fields = {"username": username, "password": password, "password_confirm": password, **extra}
    return visitor.submit("/signup", "signup-form", **fields)


def test_the_first_user_becomes_the_admin_and_lands_on_accounts(
    start_dashboard: StartDashboard,
) -> None:
    dashboard = start_dashboard()
    visitor = Visitor(dashboard.url)
    page = visitor.get("/signup")
    assert 'id="first-user-note"' in page.text

    response = sign_up(visitor, "ana")

    assert response.status_code == 303
    assert response.headers["location"] == "/accounts"
    user = authenticate(dashboard.ctx, "ana", "a long passphrase")
    assert user is not None and user.is_admin
    assert "Welcome, ana" in visitor.get("/accounts").text


def test_the_second_user_is_not_an_admin(start_dashboard: StartDashboard) -> None:
    dashboard = start_dashboard()
    sign_up(Visitor(dashboard.url), "ana")

    response = sign_up(Visitor(dashboard.url), "ben")

    assert response.status_code == 303
    ben = authenticate(dashboard.ctx, "ben", "a long passphrase")
    assert ben is not None and not ben.is_admin


def test_the_first_user_can_sign_up_even_when_sign_ups_are_closed(
    start_dashboard: StartDashboard,
) -> None:
    dashboard = start_dashboard(signups_open=False)

    response = sign_up(Visitor(dashboard.url), "ana")

    assert response.status_code == 303
    assert count_users(dashboard.ctx) == 1


def test_closed_sign_ups_refuse_later_users_with_a_clear_page(
    start_dashboard: StartDashboard,
) -> None:
    dashboard = start_dashboard(signups_open=False)
    sign_up(Visitor(dashboard.url), "ana")
    visitor = Visitor(dashboard.url)

    page = visitor.get("/signup")
    assert page.status_code == 403
    assert "Sign-ups are closed" in page.text
    assert 'id="signup-link"' not in visitor.get("/signin").text

    visitor.get("/signin")  # a page with a form, for a valid CSRF token
    password = "x" * 12
    forced = visitor.client.post(
        "/signup",
        data={
            "csrf_token": visitor.csrf,
            "username": "eve",
            "password": password,
            "password_confirm": password,
        },
    )
    assert forced.status_code == 403
    assert count_users(dashboard.ctx) == 1


def test_open_sign_ups_link_from_the_sign_in_page(start_dashboard: StartDashboard) -> None:
    dashboard = start_dashboard()
    sign_up(Visitor(dashboard.url), "ana")

    page = Visitor(dashboard.url).get("/signin")

    assert 'href="/signup"' in page.text


def test_two_different_passwords_are_refused(start_dashboard: StartDashboard) -> None:
    dashboard = start_dashboard()

    response = sign_up(Visitor(dashboard.url), "ana", password_confirm="something else")

    assert response.status_code == 400
    assert "The two passwords differ" in response.text
    assert 'value="ana"' in response.text  # the username is kept
    assert count_users(dashboard.ctx) == 0


def test_a_short_password_is_refused_with_the_minimum(start_dashboard: StartDashboard) -> None:
    dashboard = start_dashboard()

    response = sign_up(Visitor(dashboard.url), "ana", password="short")

    assert response.status_code == 400
    assert "at least 8 characters" in response.text


def test_a_taken_username_is_refused(start_dashboard: StartDashboard) -> None:
    dashboard = start_dashboard()
    sign_up(Visitor(dashboard.url), "ana")

    response = sign_up(Visitor(dashboard.url), "ana")

    assert response.status_code == 400
    assert "already taken" in response.text
    assert count_users(dashboard.ctx) == 1


def test_a_signed_in_user_opening_sign_up_goes_to_their_posts(
    start_dashboard: StartDashboard,
) -> None:
    dashboard = start_dashboard()
    visitor = Visitor(dashboard.url)
    sign_up(visitor, "ana")

    response = visitor.get("/signup")

    assert response.status_code == 303
    assert response.headers["location"] == "/posts"
