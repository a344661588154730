"""The dashboard's fixtures: a running engine (tests/engine.py) on SQLite, and a browser-like
HTTP client signed in to it as the harness's user."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from autoposter.web.pages.session import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_token_for,
    session_cookie_for,
)
from tests.engine import Backend, Harness, MakeHarness, backend_for


@pytest.fixture
def backend(tmp_path: Any) -> Iterator[Backend]:
    """Pages are adapters: one database is enough for them (the engine tests run both)."""
    yield from backend_for("sqlite", tmp_path)


@dataclass
class Dashboard:
    """The harness plus an HTTP client holding a session cookie and a CSRF cookie."""

    harness: Harness
    client: httpx.Client
    csrf: str

    @property
    def url(self) -> str:
        return self.harness.web.url

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        """A form POST carrying the CSRF token, as the page's form would send it."""
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


def signed_in_client(harness: Harness, user: Any = None) -> tuple[httpx.Client, str]:
    ctx = harness.ctx
    seed = secrets.token_urlsafe(16)
    client = httpx.Client(base_url=harness.web.url, timeout=30)
    client.cookies.set(SESSION_COOKIE, session_cookie_for(ctx, user or harness.user))
    client.cookies.set(CSRF_COOKIE, seed)
    return client, csrf_token_for(ctx, seed)


@pytest.fixture
def dashboard(make_harness: MakeHarness) -> Iterator[Dashboard]:
    harness = make_harness(processing_delay=0.0, moderation_delay=0.0)
    client, csrf = signed_in_client(harness)
    with client:
        yield Dashboard(harness, client, csrf)
