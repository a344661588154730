"""Sign-in throttling: 5 failures in 5 minutes per username, 20 per client address, one limit
for every dashboard process on the database."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from autoposter.posts import clean_up
from autoposter.web import RunningServer, create_app, start_in_thread
from tests.accounts.support import context_for
from tests.engine import free_port
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


@pytest.fixture
def second_dashboard(dashboard: Dashboard) -> Iterator[RunningServer]:
    """Another dashboard process on the same database: its own context, its own server."""
    harness, settings = dashboard.harness, dashboard.harness.ctx.settings
    ctx = context_for(
        harness.sandbox,
        settings.database,
        settings.data_dir,
        harness.clock,
        public_url=settings.public_url,
        queue_url=settings.queue_url,
        queue_name=settings.queue_name,
    )
    server = start_in_thread(create_app(ctx), port=free_port())
    yield server
    server.stop()
    ctx.close()


def test_failures_at_one_dashboard_process_count_at_every_other(
    dashboard: Dashboard, second_dashboard: RunningServer
) -> None:
    name = dashboard.harness.user.username
    fail(Visitor(dashboard.url), name, 3)
    fail(Visitor(second_dashboard.url), name, 2)

    response = attempt(Visitor(second_dashboard.url), name, PASSWORD)

    assert response.status_code == 429


def test_the_failures_table_names_no_username_or_address(dashboard: Dashboard) -> None:
    name = dashboard.harness.user.username
    fail(Visitor(dashboard.url), name, 1)

    with dashboard.harness.ctx.db.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT subject FROM sign_in_failures").all()

    assert len(rows) == 2  # one against the username, one against the address
    assert not any(name in subject or "127.0.0.1" in subject for (subject,) in rows)


def test_failures_older_than_the_window_are_deleted_by_the_clean_up(dashboard: Dashboard) -> None:
    fail(Visitor(dashboard.url), dashboard.harness.user.username, 2)
    ctx = dashboard.harness.ctx
    assert clean_up(ctx).sign_in_failures_forgotten == 0

    dashboard.harness.clock.advance(301)

    assert clean_up(ctx).sign_in_failures_forgotten == 4
