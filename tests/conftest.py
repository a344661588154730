"""Shared fixtures: a real sandbox on a free port, driven over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from autoposter.sandbox import RunningSandbox, SandboxConfig, start_in_thread
from tests.fileserver import MediaServer

StartSandbox = Callable[..., RunningSandbox]


@pytest.fixture
def start_sandbox(tmp_path: Path) -> Iterator[StartSandbox]:
    """Start sandboxes with any config; each is stopped when the test ends.

    Tests default to instant processing and moderation so they need not wait.
    """
    running: list[RunningSandbox] = []

    def start(**overrides: object) -> RunningSandbox:
        overrides.setdefault("processing_delay", 0.0)
        overrides.setdefault("moderation_delay", 0.0)
        overrides.setdefault("data_dir", tmp_path / f"sandbox-{len(running)}")
        sandbox = start_in_thread(SandboxConfig(**overrides))  # type: ignore[arg-type]
        running.append(sandbox)
        return sandbox

    yield start
    for sandbox in running:
        sandbox.stop()


@pytest.fixture
def sandbox(start_sandbox: StartSandbox) -> RunningSandbox:
    return start_sandbox()


@pytest.fixture
def media_server(tmp_path: Path) -> Iterator[MediaServer]:
    """A local media host for PULL_FROM_URL; pass ``verified_url_prefixes=[media_server.url]``."""
    with MediaServer(tmp_path / "media-host") as server:
        yield server


# The publishing engine's fixtures (backend, make_harness, harness: see tests/engine.py), and
# the post tests' media, for the engine tests outside tests/posts.
from tests.engine import backend, harness, make_harness  # noqa: E402, F401
from tests.posts.conftest import clip, media_dir, photos, png  # noqa: E402, F401
