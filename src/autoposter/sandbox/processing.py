"""What happens after TikTok has the bytes (§4.0, §4.7, §4.9). Interface fixed here."""

from __future__ import annotations

from .state import Publish, World


def start_processing(world: World, publish: Publish) -> None:
    """Called once all bytes are in (last chunk uploaded, or PULL_FROM_URL download done)."""
    raise NotImplementedError
