"""Signing in and out: the right password opens a session and goes back where the visitor
was headed, but only to a page of this site."""

from __future__ import annotations

import pytest

from tests.pages.conftest import Dashboard
from tests.pages.visitor import Visitor

PASSWORD = "correct horse battery"  # the engine harness's user's


@pytest.fixture
def visitor(dashboard: Dashboard) -> Visitor:
    return Visitor(dashboard.url)


def test_the_right_password_signs_in_and_opens_the_posts(
    dashboard: Dashboard, visitor: Visitor
) -> None:
    response = visitor.sign_in(dashboard.harness.user.username, PASSWORD)

    assert response.headers["location"] == "/posts"
    assert visitor.get("/settings").status_code == 200


def test_a_wrong_password_is_refused_without_a_session(
    dashboard: Dashboard, visitor: Visitor
) -> None:
    response = visitor.submit(
        "/signin", "signin-form", username=dashboard.harness.user.username, password="nope"
    )

    assert response.status_code == 400
    assert "The username or password is not right" in response.text
    assert "autoposter_session" not in response.headers.get("set-cookie", "")
    assert visitor.get("/settings").status_code == 303


def test_an_unknown_username_gets_the_same_answer_as_a_wrong_password(
    visitor: Visitor,
) -> None:
    response = visitor.submit("/signin", "signin-form", username="nobody", password=PASSWORD)

    assert response.status_code == 400
    assert "The username or password is not right" in response.text


def test_a_page_that_needs_sign_in_comes_back_after_it(
    dashboard: Dashboard, visitor: Visitor
) -> None:
    asked = visitor.get("/settings/erase")
    assert asked.status_code == 303
    assert asked.headers["location"] == "/signin?next=/settings/erase"

    page = visitor.get(asked.headers["location"])
    form_next = 'name="next" value="/settings/erase"'
    assert form_next in page.text
    form = visitor.client.post(
        "/signin",
        data={
            "csrf_token": visitor.csrf,
            "next": "/settings/erase",
            "username": dashboard.harness.user.username,
            "password": PASSWORD,
        },
    )
    assert form.headers["location"] == "/settings/erase"


OFF_SITE = [
    "https://evil.example/",
    "//evil.example/path",
    "/\\evil.example",
    "javascript:alert(1)",
    "settings",
]


def test_next_never_leads_off_the_site(dashboard: Dashboard) -> None:
    for target in OFF_SITE:
        visitor = Visitor(dashboard.url)
        visitor.get("/signin")

        response = visitor.client.post(
            "/signin",
            data={
                "csrf_token": visitor.csrf,
                "next": target,
                "username": dashboard.harness.user.username,
                "password": PASSWORD,
            },
        )

        assert response.status_code == 303, target
        assert response.headers["location"] == "/posts", target


def test_the_home_page_sends_visitors_to_sign_in_and_users_to_their_posts(
    dashboard: Dashboard, visitor: Visitor
) -> None:
    assert visitor.get("/").headers["location"] == "/signin"
    assert dashboard.get("/").headers["location"] == "/posts"


def test_a_signed_in_user_opening_sign_in_goes_on(dashboard: Dashboard) -> None:
    response = dashboard.get("/signin?next=/accounts")

    assert response.status_code == 303
    assert response.headers["location"] == "/accounts"


def test_signing_out_ends_the_session(dashboard: Dashboard, visitor: Visitor) -> None:
    visitor.sign_in(dashboard.harness.user.username, PASSWORD)
    visitor.get("/settings")

    out = visitor.client.post("/signout", data={"csrf_token": visitor.csrf})

    assert out.status_code == 303
    assert out.headers["location"] == "/signin"
    assert visitor.get("/settings").status_code == 303
    assert "You are signed out." in visitor.get("/signin").text
