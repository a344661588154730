"""The dashboard's frame: sign-in required, CSRF enforced, static assets served."""

from __future__ import annotations

import httpx

from tests.pages.conftest import Dashboard


def test_the_stylesheet_is_served(dashboard: Dashboard) -> None:
    response = httpx.get(f"{dashboard.url}/static/app.css")
    assert response.status_code == 200
    assert "--accent" in response.text
