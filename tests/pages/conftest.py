"""The dashboard's fixtures: a running engine (tests/engine.py) on SQLite, and a browser-like
HTTP client signed in to it as the harness's user."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
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
from tests.media import make_image, make_video


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


@dataclass(frozen=True)
class PostMedia:
    """Real media for the post pages' tests, made once per session with PyAV."""

    clip: Path  # 2 s, 540×960 H.264: within every rule
    long_clip: Path  # 61 s: over the `short` creator's 60-second limit
    photos: tuple[Path, ...]  # two JPEGs and a WebP


@pytest.fixture(scope="session")
def post_media(tmp_path_factory: pytest.TempPathFactory) -> PostMedia:
    folder = tmp_path_factory.mktemp("page-media")
    return PostMedia(
        clip=make_video(folder / "clip.mp4", seconds=2.0),
        long_clip=make_video(folder / "long.mp4", width=360, height=360, fps=23, seconds=61),
        photos=(
            make_image(folder / "one.jpg", width=1080, height=1350),
            make_image(folder / "two.jpg", width=1080, height=1080),
            make_image(folder / "three.webp", width=1080, height=1080),
        ),
    )
