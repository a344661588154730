"""Display API v2: ``/v2/user/info/``, ``/v2/video/list/``, ``/v2/video/query/`` (§3, §2).

Every call goes through ``auth.authorize`` (token, then scope, then the 600/min limit) before
its parameters are looked at; answers use the v2 envelope (§0.2).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .auth import authorize
from .avatars import AVATAR_SIZES, avatar_url, cover_url
from .envelope import envelope
from .errors import ApiError
from .state import Creator, Grant, Video, World

router = APIRouter()

# §3.1: the scope each user field needs (after the Feb-2024 migration, §2).
USER_FIELDS: dict[str, str] = {
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "avatar_url_100": "user.info.basic",
    "avatar_large_url": "user.info.basic",
    "display_name": "user.info.basic",
    "bio_description": "user.info.profile",
    "profile_deep_link": "user.info.profile",
    "profile_web_link": "user.info.profile",
    "is_verified": "user.info.profile",
    "username": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}
USER_SCOPES = ("user.info.basic", "user.info.profile", "user.info.stats")
# §3.4 Video Object.
VIDEO_FIELDS = (
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
)
DEFAULT_MAX_COUNT = 10
MAX_COUNT = 20  # §3.2, and §3.3's limit on video_ids


@router.get("/v2/user/info/")
async def user_info(request: Request) -> JSONResponse:
    world, grant = authorize(request, *USER_SCOPES)
    wanted = _requested_fields(request, USER_FIELDS)
    missing = [f for f in wanted if USER_FIELDS[f] not in grant.scopes]
    if missing:
        needed = sorted({USER_FIELDS[f] for f in missing})
        raise ApiError(
            400,
            "scope_permission_missed",
            f"The fields {', '.join(missing)} need the scope {', '.join(needed)}, which the "
            "user did not grant. Request the scope at authorization or drop these fields.",
        )
    values = _user_values(world, _creator_of(world, grant))
    return envelope(world, {"user": {f: values[f] for f in wanted}})


@router.post("/v2/video/list/")
async def video_list(request: Request) -> JSONResponse:
    """§3.2: public videos, newest first, paged by a millisecond cursor."""
    world, grant = authorize(request, "video.list")
    wanted = _requested_fields(request, VIDEO_FIELDS)
    body = await _json_body(request)
    cursor = _int_param(body, "cursor", default=None, low=0)
    max_count = _int_param(body, "max_count", default=DEFAULT_MAX_COUNT, low=1, high=MAX_COUNT)
    creator = _creator_of(world, grant)
    ordered = _newest_first(creator)
    if cursor is not None:
        ordered = [(key, v) for key, v in ordered if key < cursor]
    page = ordered[:max_count]
    next_cursor = page[-1][0] if page else (cursor or 0)
    videos = [_video_object(world, creator, v, wanted) for _, v in page]
    data = {"videos": videos, "cursor": next_cursor, "has_more": len(ordered) > len(page)}
    return envelope(world, data)


@router.post("/v2/video/query/")
async def video_query(request: Request) -> JSONResponse:
    """§3.3: the caller's own public videos by id; others are left out silently [UNK]."""
    world, grant = authorize(request, "video.list")
    wanted = _requested_fields(request, VIDEO_FIELDS)
    body = await _json_body(request)
    ids = _video_ids(body)
    creator = _creator_of(world, grant)
    owned = {v.id: v for v in creator.videos if v.public}
    videos = [_video_object(world, creator, owned[i], wanted) for i in ids if i in owned]
    return envelope(world, {"videos": videos, "cursor": 0, "has_more": False})


def _requested_fields(request: Request, known: dict[str, str] | tuple[str, ...]) -> list[str]:
    raw = request.query_params.get("fields", "")
    wanted = list(dict.fromkeys(f.strip() for f in raw.split(",") if f.strip()))
    if not wanted:
        raise ApiError(
            400,
            "invalid_params",
            "The fields query parameter is required: a comma-separated list of fields.",
        )
    unknown = [f for f in wanted if f not in known]
    if unknown:
        raise ApiError(
            400,
            "invalid_params",
            f"Unknown field: {', '.join(unknown)}. Known fields: {', '.join(known)}.",
        )
    return wanted


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "invalid_params", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_params", "The request body must be a JSON object.")
    return body


def _int_param(
    body: dict[str, Any], name: str, *, default: int | None, low: int, high: int | None = None
) -> int | None:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ApiError(400, "invalid_params", f"{name} must be an integer of at least {low}.")
    if high is not None and value > high:
        raise ApiError(400, "invalid_params", f"{name} must be between {low} and {high}.")
    return value


def _video_ids(body: dict[str, Any]) -> list[str]:
    filters = body.get("filters")
    ids = filters.get("video_ids") if isinstance(filters, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ApiError(
            400,
            "invalid_params",
            'Send {"filters": {"video_ids": ["<id>", ...]}} with ids as strings.',
        )
    if not 1 <= len(ids) <= MAX_COUNT:
        raise ApiError(
            400,
            "invalid_params",
            f"video_ids must hold 1 to {MAX_COUNT} ids, not {len(ids)}.",
        )
    return ids


def _creator_of(world: World, grant: Grant) -> Creator:
    creator = world.creators.get(grant.open_id)
    if creator is None:
        raise ApiError(401, "access_token_invalid", "The account behind this token is gone.")
    return creator


def _newest_first(creator: Creator) -> list[tuple[int, Video]]:
    """Public videos with their cursor keys, newest first.

    The key is ``create_time`` in milliseconds plus the video's rank within its second, so
    videos posted in the same second still page cleanly with a strict ``key < cursor``.
    """
    keyed: list[tuple[int, Video]] = []
    seen_in_second: dict[int, int] = {}
    for video in sorted(creator.videos, key=lambda v: v.create_time):
        rank = seen_in_second.get(video.create_time, 0)
        seen_in_second[video.create_time] = rank + 1
        if video.public:
            keyed.append((video.create_time * 1000 + min(rank, 999), video))
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    return keyed


def _user_values(world: World, creator: Creator) -> dict[str, Any]:
    seed = creator.seed
    profile = f"https://www.tiktok.com/@{seed.username}"
    values: dict[str, Any] = {
        "open_id": creator.open_id,
        "union_id": creator.union_id,
        "display_name": seed.display_name,
        "bio_description": seed.bio_description,
        "profile_deep_link": profile,
        "profile_web_link": profile,
        "is_verified": seed.is_verified,
        "username": seed.username,
        "follower_count": seed.follower_count,
        "following_count": seed.following_count,
        "likes_count": seed.likes_count,
        "video_count": sum(1 for v in creator.videos if v.public),
    }
    for name, size in AVATAR_SIZES.items():
        values[name] = avatar_url(world, creator, size)
    return values


def _video_object(
    world: World, creator: Creator, video: Video, wanted: list[str]
) -> dict[str, Any]:
    username = creator.seed.username
    page = f"https://www.tiktok.com/@{username}/video/{video.id}"
    tracking = urlencode({"utm_campaign": "tt4d_open_api", "utm_source": world.config.client_key})
    values: dict[str, Any] = {
        "id": video.id,
        "create_time": video.create_time,
        "share_url": f"{page}?{tracking}",
        "embed_link": f"https://www.tiktok.com/static/profile-video?id={video.id}"
        f"&hide_author=1&{tracking}",
        "embed_html": _embed_html(page, username, video.id),
        "title": video.title,
        "video_description": video.video_description,
        "duration": video.duration,
        "width": video.width,
        "height": video.height,
        "like_count": video.like_count,
        "comment_count": video.comment_count,
        "share_count": video.share_count,
        "view_count": video.view_count,
    }
    if "cover_image_url" in wanted:
        values["cover_image_url"] = cover_url(world, video)
    return {f: values[f] for f in wanted}


def _embed_html(page: str, username: str, video_id: str) -> str:
    handle = escape(f"@{username}")
    return (
        f'<blockquote class="tiktok-embed" cite="{escape(page)}" data-video-id="{video_id}" '
        'style="max-width: 605px; min-width: 325px;"><section>'
        f'<a target="_blank" title="{handle}" href="https://www.tiktok.com/{handle}?refer=embed">'
        f"{handle}</a></section></blockquote>"
        '<script async src="https://www.tiktok.com/embed.js"></script>'
    )
