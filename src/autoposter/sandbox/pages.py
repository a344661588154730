"""HTML pages of the sandbox (consent page, error page, inspection page): rendering helpers.

The pages are plain server-rendered HTML that works without JavaScript: someone trying the
sandbox in a browser, or a test with httpx, sees the same thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .state import DAY, Creator, World

TEMPLATES_DIR = Path(__file__).parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})


def posts_last_24h(world: World, creator: Creator) -> int:
    since = world.now() - DAY
    return sum(1 for t in creator.post_times if t > since)


def describe_case(creator: Creator) -> str:
    """One line saying which case a seeded creator covers, read from its settings."""
    seed = creator.seed
    notes = []
    if seed.banned:
        notes.append("banned from posting: every post is refused")
    if seed.posts_today >= seed.daily_post_cap:
        notes.append(f"already at the daily cap of {seed.daily_post_cap} posts")
    if seed.private_account:
        notes.append("private account: followers, friends or only-me audiences")
    # A private account has duet and stitch off anyway (§4.1), so only say so for public ones.
    switched_off = [
        name
        for name, off in (
            ("comments", seed.comment_disabled),
            ("duets", seed.duet_disabled and not seed.private_account),
            ("stitches", seed.stitch_disabled and not seed.private_account),
        )
        if off
    ]
    if switched_off:
        notes.append(_join_words(switched_off) + " turned off")
    if seed.max_video_post_duration_sec < 600:
        notes.append(f"videos up to {seed.max_video_post_duration_sec} seconds")
    if not notes:
        return "Public account with no restrictions: the everyday case."
    text = "; ".join(notes)
    return text[0].upper() + text[1:] + "."


def _join_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
