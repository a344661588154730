"""The dashboard's frame: sign-in required, CSRF enforced, static assets served."""

from __future__ import annotations

import httpx

from tests.pages.conftest import Dashboard


def test_the_stylesheet_is_served(dashboard: Dashboard) -> None:
    response = httpx.get(f"{dashboard.url}/static/app.css")
    assert response.status_code == 200
    assert "--accent" in response.text


def test_a_missing_page_is_an_html_page_not_json(dashboard: Dashboard) -> None:
    response = dashboard.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not found" in response.text


def test_an_unreadable_address_is_an_html_page(dashboard: Dashboard) -> None:
    response = dashboard.get("/posts/not-a-number")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_machine_paths_keep_json_errors(dashboard: Dashboard) -> None:
    response = dashboard.get("/api/v1/no-such-endpoint")
    assert response.headers["content-type"].startswith("application/json")


def test_the_openapi_schema_describes_the_api_only(dashboard: Dashboard) -> None:
    paths = dashboard.get("/openapi.json").json()["paths"]
    assert paths and all(p.startswith("/api/v1/") for p in paths), sorted(paths)


def test_a_favicon_is_served(dashboard: Dashboard) -> None:
    response = dashboard.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
