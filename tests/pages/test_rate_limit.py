"""Sign-in throttling: 5 failures in 5 minutes per username, 20 per client address."""

from __future__ import annotations

import httpx

from tests.pages.conftest import Dashboard
from tests.pages.visitor import Visitor

PASSWORD = "correct horse battery"


def attempt(visitor: Visitor, username: str, password: str) -> httpx.Response:
    return visitor.submit("/signin", "signin-form", username=username, password=password)


def fail(visitor: Visitor, username: str, times: int) -> None:
    for _ in range(times):
        assert attempt(visitor, username, "wrong password").status_code == 400


def test_the_sixth_failure_in_five_minutes_is_answered_429_with_when_to_retry(
    dashboard: Dashboard,
) -> None:
    visitor, name = Visitor(dashboard.url), dashboard.harness.user.username
    fail(visitor, name, 5)

    response = attempt(visitor, name, "wrong password")

    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 300
    assert "Too many failed sign-ins from this username" in response.text
    assert "Wait 5 minutes, then try again" in response.text


def test_even_the_right_password_is_refused_while_the_username_is_blocked(
    dashboard: Dashboard,
) -> None:
    visitor, name = Visitor(dashboard.url), dashboard.harness.user.username
    fail(visitor, name, 5)

    response = attempt(visitor, name, PASSWORD)

    assert response.status_code == 429
    assert "autoposter_session" not in response.headers.get("set-cookie", "")


def test_the_block_lifts_once_the_failures_are_five_minutes_old(dashboard: Dashboard) -> None:
    visitor, name = Visitor(dashboard.url), dashboard.harness.user.username
    fail(visitor, name, 5)

    dashboard.harness.clock.advance(301)

    assert attempt(visitor, name, PASSWORD).status_code == 303


def test_the_username_is_blocked_whatever_its_case_or_spaces(dashboard: Dashboard) -> None:
    visitor, name = Visitor(dashboard.url), dashboard.harness.user.username
    fail(visitor, name, 5)

    response = attempt(visitor, f"  {name.upper()} ", "wrong password")

    assert response.status_code == 429


def test_a_successful_sign_in_forgets_the_usernames_failures(dashboard: Dashboard) -> None:
    visitor, name = Visitor(dashboard.url), dashboard.harness.user.username
    fail(visitor, name, 4)
    assert attempt(visitor, name, PASSWORD).status_code == 303

    fresh = Visitor(dashboard.url)
    fail(fresh, name, 4)  # would have been blocked at the 6th failure otherwise

    assert attempt(fresh, name, "wrong password").status_code == 400


def test_twenty_failures_from_one_address_block_every_username_from_it(
    dashboard: Dashboard,
) -> None:
    visitor = Visitor(dashboard.url)
    for n in range(5):
        fail(visitor, f"nobody{n}", 4)

    response = attempt(visitor, dashboard.harness.user.username, PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-ins from your network address" in response.text
