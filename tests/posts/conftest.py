"""Media for the post tests, made once per session with PyAV (small and quick to probe)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.media import make_image, make_video


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("post-media")


@pytest.fixture(scope="session")
def clip(media_dir: Path) -> Path:
    """A 2-second 540×960 H.264 MP4 at 30 fps: within every rule."""
    return make_video(media_dir / "clip.mp4", width=540, height=960, fps=30, seconds=2.0)


@pytest.fixture(scope="session")
def photos(media_dir: Path) -> tuple[Path, ...]:
    """Three photos TikTok takes: two JPEGs and a WebP."""
    return (
        make_image(media_dir / "one.jpg", width=1080, height=1350),
        make_image(media_dir / "two.jpg", width=1920, height=1080),
        make_image(media_dir / "three.webp", width=1080, height=1080),
    )


@pytest.fixture(scope="session")
def png(media_dir: Path) -> Path:
    return make_image(media_dir / "screenshot.png", width=800, height=600)
