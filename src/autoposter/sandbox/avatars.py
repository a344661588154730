"""Images the sandbox serves itself: creator avatars and video covers, as small SVGs.

Their URLs carry ``x-expires`` and ``x-signature`` the way TikTok's CDN links do (§3.4: cover
links live 6 hours; §4.1: avatar links 2 hours). An expired or altered link answers 403, so a
client learns to fetch fresh links (``video/query`` exists to refresh covers, §3.3) instead
of storing them.
"""

from __future__ import annotations

import hashlib
import hmac
from html import escape
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from .envelope import world_of
from .state import Creator, Video, World

COVER_TTL = 6 * 3600  # §3.4
AVATAR_TTL = 2 * 3600  # §4.1 creator_avatar_url
AVATAR_SIZES = {"avatar_url": 168, "avatar_url_100": 100, "avatar_large_url": 720}

router = APIRouter()


def avatar_url(world: World, creator: Creator, size: int = 168) -> str:
    """A signed link to the creator's avatar, valid for two hours."""
    return _signed_url(world, f"/sandbox/avatars/{creator.open_id}.svg", AVATAR_TTL, size=size)


def cover_url(world: World, video: Video) -> str:
    """A signed link to a video's cover image, valid for six hours (§3.4)."""
    return _signed_url(world, f"/sandbox/covers/{video.id}.svg", COVER_TTL)


def initials(name: str) -> str:
    words = [w for w in name.split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def colour_for(key: str) -> str:
    """A stable, readable background colour derived from ``key``."""
    hue = int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % 360
    return f"hsl({hue}, 55%, 42%)"


@router.get("/sandbox/avatars/{open_id}.svg")
async def serve_avatar(request: Request, open_id: str) -> Response:
    world = world_of(request)
    refusal = _check_link(world, request)
    if refusal is not None:
        return refusal
    creator = world.creators.get(open_id)
    if creator is None:
        return PlainTextResponse(f"No creator has the open_id {open_id!r}.", status_code=404)
    size = _clamp(request.query_params.get("size"), default=168)
    return _svg(_avatar_svg(creator, size))


@router.get("/sandbox/covers/{video_id}.svg")
async def serve_cover(request: Request, video_id: str) -> Response:
    world = world_of(request)
    refusal = _check_link(world, request)
    if refusal is not None:
        return refusal
    video = next((v for c in world.creators.values() for v in c.videos if v.id == video_id), None)
    if video is None:
        return PlainTextResponse(f"No video has the id {video_id!r}.", status_code=404)
    return _svg(_cover_svg(video))


def _signed_url(world: World, path: str, ttl: int, **extra: int) -> str:
    expires = int(world.now()) + ttl
    query = {**extra, "x-expires": expires, "x-signature": _signature(world, path, expires)}
    return f"{world.config.public_url}{path}?{urlencode(query)}"


def _signature(world: World, path: str, expires: int) -> str:
    key = world.config.client_secret.encode()
    return hmac.new(key, f"{path}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def _check_link(world: World, request: Request) -> Response | None:
    """Refuse links that are unsigned, altered or past ``x-expires``, as a CDN would."""
    raw_expires = request.query_params.get("x-expires", "")
    signature = request.query_params.get("x-signature", "")
    if not raw_expires.isdigit() or not signature:
        return _forbidden("This link is not signed. Use the URL the API returned, unchanged.")
    expected = _signature(world, request.url.path, int(raw_expires))
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return _forbidden("This link's signature does not match. Use the URL the API returned.")
    if int(raw_expires) <= world.now():
        return _forbidden(
            "This link has expired. Fetch a fresh URL from the API "
            "(POST /v2/video/query/ refreshes cover URLs)."
        )
    return None


def _forbidden(message: str) -> Response:
    return PlainTextResponse(message, status_code=403)


def _clamp(raw: str | None, *, default: int) -> int:
    if raw is None or not raw.isdigit():
        return default
    return max(16, min(int(raw), 1080))


def _svg(body: str) -> Response:
    return Response(body, media_type="image/svg+xml", headers={"cache-control": "no-store"})


def _avatar_svg(creator: Creator, size: int) -> str:
    label = escape(initials(creator.seed.display_name))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" role="img" aria-label="{escape(creator.seed.display_name)}">'
        f'<circle cx="50" cy="50" r="50" fill="{colour_for(creator.key)}"/>'
        f'<text x="50" y="50" dy="0.35em" text-anchor="middle" fill="#fff" '
        f'font-family="sans-serif" font-size="40" font-weight="600">{label}</text></svg>'
    )


def _cover_svg(video: Video) -> str:
    title = video.title if len(video.title) <= 28 else video.title[:27] + "…"
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="270" height="480" '
        f'viewBox="0 0 270 480" role="img" aria-label="{escape(video.title)}">'
        f'<rect width="270" height="480" fill="{colour_for(video.id)}"/>'
        '<polygon points="115,200 115,280 175,240" fill="#fff" fill-opacity="0.85"/>'
        f'<text x="135" y="420" text-anchor="middle" fill="#fff" font-family="sans-serif" '
        f'font-size="15">{escape(title)}</text>'
        f'<text x="135" y="445" text-anchor="middle" fill="#fff" fill-opacity="0.8" '
        f'font-family="sans-serif" font-size="13">{video.duration} s</text></svg>'
    )
