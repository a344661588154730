"""Look inside the sandbox and steer it: a JSON API under ``/sandbox/api/`` and a page at
``/sandbox/``.

No authentication: the sandbox is a local tool, and tests use this to check what TikTok
"saw" (publishes, webhook deliveries) and to move the clock or inject faults. The client
secret is never shown.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields, replace
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from . import avatars, grants, webhooks
from .config import FaultConfig
from .envelope import world_of
from .pages import describe_case, posts_last_24h, render
from .state import Creator, Publish, WebhookDelivery, World

router = APIRouter()
router.include_router(avatars.router)

# §7.2 authorization.removed reasons.
REMOVAL_REASONS = {
    0: "unknown",
    1: "user disconnected the app",
    2: "account deleted",
    3: "age changed",
    4: "account banned",
    5: "developer revoked",
}


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@router.get("/sandbox/api/creators")
async def list_creators(request: Request) -> JSONResponse:
    world = world_of(request)
    return JSONResponse({"creators": [creator_json(world, c) for c in world.creators.values()]})


@router.get("/sandbox/api/publishes")
async def list_publishes(request: Request) -> JSONResponse:
    world = world_of(request)
    return JSONResponse({"publishes": [publish_json(world, p) for p in world.publishes.values()]})


@router.get("/sandbox/api/publishes/{publish_id}")
async def show_publish(request: Request, publish_id: str) -> JSONResponse:
    world = world_of(request)
    publish = world.publishes.get(publish_id)
    if publish is None:
        return _problem(404, f"No publish has the id {publish_id!r}. See /sandbox/api/publishes.")
    return JSONResponse(publish_json(world, publish))


@router.get("/sandbox/api/webhooks")
async def list_webhooks(request: Request) -> JSONResponse:
    world = world_of(request)
    return JSONResponse({"webhooks": [webhook_json(d) for d in world.webhooks]})


@router.get("/sandbox/api/clock")
async def show_clock(request: Request) -> JSONResponse:
    return JSONResponse(clock_json(world_of(request)))


@router.post("/sandbox/api/clock/advance")
async def advance_clock(request: Request) -> JSONResponse:
    world = world_of(request)
    try:
        seconds = _number(await _json_object(request), "seconds")
    except ControlError as exc:
        return _problem(exc.status, exc.message)
    world.clock.advance(seconds)
    # Run what came due now, so the caller sees its effects without waiting for a tick.
    await world.scheduler.run_due()
    return JSONResponse(clock_json(world))


@router.get("/sandbox/api/faults")
async def show_faults(request: Request) -> JSONResponse:
    return JSONResponse(asdict(world_of(request).config.faults))


@router.post("/sandbox/api/faults")
async def change_faults(request: Request) -> JSONResponse:
    """Apply a partial FaultConfig; all of it or, on any bad entry, none of it."""
    world = world_of(request)
    try:
        changes = await _json_object(request)
        _apply_faults(world, changes)
    except ControlError as exc:
        return _problem(exc.status, exc.message)
    return JSONResponse(asdict(world.config.faults))


@router.post("/sandbox/api/tokens/invalidate")
async def invalidate_tokens(request: Request) -> JSONResponse:
    world = world_of(request)
    try:
        body = await _json_object(request)
    except ControlError as exc:
        return _problem(exc.status, exc.message)
    open_id = body.get("open_id")
    if open_id is not None and (not isinstance(open_id, str) or open_id not in world.creators):
        return _problem(404, f"No creator has the open_id {open_id!r}.")
    return JSONResponse({"invalidated": grants.invalidate_access_tokens(world, open_id)})


@router.get("/sandbox/api/url-prefixes")
async def list_url_prefixes(request: Request) -> JSONResponse:
    return JSONResponse({"prefixes": world_of(request).verified_url_prefixes})


@router.post("/sandbox/api/url-prefixes")
async def add_url_prefix(request: Request) -> JSONResponse:
    world = world_of(request)
    try:
        prefix = (await _json_object(request)).get("prefix")
    except ControlError as exc:
        return _problem(exc.status, exc.message)
    if not isinstance(prefix, str) or not prefix.startswith(("http://", "https://")):
        return _problem(400, 'Send {"prefix": "https://..."}: an http(s) URL prefix.')
    if prefix not in world.verified_url_prefixes:
        world.verified_url_prefixes.append(prefix)
    return JSONResponse({"prefixes": world.verified_url_prefixes})


@router.post("/sandbox/api/creators/{key}/deauthorize")
async def deauthorize(request: Request, key: str) -> JSONResponse:
    """The creator removes the app in TikTok: the grant goes, then the webhook (§7.2)."""
    world = world_of(request)
    try:
        body = await _json_object(request)
    except ControlError as exc:
        return _problem(exc.status, exc.message)
    reason = body.get("reason", 1)
    if not isinstance(reason, int) or isinstance(reason, bool) or reason not in REMOVAL_REASONS:
        return _problem(400, f"reason must be one of {sorted(REMOVAL_REASONS)} (§7.2).")
    creator = world.creator_by_key(key)
    if creator is None:
        return _problem(404, f"No creator has the key {key!r}. See /sandbox/api/creators.")
    grant = world.grants.get(creator.open_id)
    if grant is None:
        return _problem(409, f"Creator {key!r} has not authorized the app; nothing to remove.")
    grants.revoke(world, grant)
    delivery = webhooks.emit(world, "authorization.removed", creator.open_id, {"reason": reason})
    return JSONResponse({"revoked": True, "webhook_id": delivery.id})


@router.get("/sandbox/")
async def overview_page(request: Request) -> Response:
    world = world_of(request)
    return render(
        "inspection.html",
        creators=[
            {
                **creator_json(world, c),
                "avatar": avatars.avatar_url(world, c, 64),
                "case": describe_case(c),
            }
            for c in world.creators.values()
        ],
        publishes=[publish_json(world, p) for p in reversed(world.publishes.values())],
        webhooks=[webhook_json(d) for d in reversed(world.webhooks)],
        faults=asdict(world.config.faults),
        clock=clock_json(world),
        prefixes=world.verified_url_prefixes,
        client_key=world.config.client_key,
        redirect_uris=world.config.redirect_uris,
        webhook_url=world.config.webhook_url,
    )


def creator_json(world: World, creator: Creator) -> dict[str, Any]:
    seed = creator.seed
    grant = world.grants.get(creator.open_id)
    return {
        "key": creator.key,
        "open_id": creator.open_id,
        "union_id": creator.union_id,
        "username": seed.username,
        "nickname": seed.display_name,
        "private": seed.private_account,
        "comment_disabled": seed.comment_disabled,
        "duet_disabled": seed.duet_disabled,
        "stitch_disabled": seed.stitch_disabled,
        "max_video_post_duration_sec": seed.max_video_post_duration_sec,
        "banned": seed.banned,
        "daily_post_cap": seed.daily_post_cap,
        "posts_last_24h": posts_last_24h(world, creator),
        "authorized_scopes": list(grant.scopes) if grant and not grant.revoked else [],
        "video_count": len(creator.videos),
    }


def publish_json(world: World, publish: Publish) -> dict[str, Any]:
    creator = world.creators.get(publish.open_id)
    return {
        "publish_id": publish.publish_id,
        "creator_key": creator.key if creator else None,
        "open_id": publish.open_id,
        "media": publish.media,
        "mode": publish.mode,
        "source": publish.source,
        "privacy_level": publish.privacy_level,
        "status": publish.status,
        "fail_reason": publish.fail_reason,
        "uploaded_bytes": publish.uploaded_bytes,
        "downloaded_bytes": publish.downloaded_bytes,
        "post_ids": [str(i) for i in publish.post_ids],
        "content_hash": publish.content_hash,
        "times_published": _times_published(world, publish.content_hash),
        "created_at": publish.created_at,
    }


def webhook_json(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event": delivery.event,
        "body": delivery.body,
        "payload": json.loads(delivery.body),
        "created_at": delivery.created_at,
        "attempts": delivery.attempts,
        "delivered": delivery.delivered,
        "given_up": delivery.given_up,
    }


def clock_json(world: World) -> dict[str, Any]:
    now = world.now()
    return {
        "now": now,
        "iso": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds"),
        "scale": world.clock.scale,
        "pending_events": world.scheduler.pending(),
    }


def _times_published(world: World, content_hash: str | None) -> int:
    """How many publishes of the same bytes reached PUBLISH_COMPLETE (duplicate detector)."""
    if content_hash is None:
        return 0
    return sum(
        1
        for p in world.publishes.values()
        if p.content_hash == content_hash and p.status == "PUBLISH_COMPLETE"
    )


def _apply_faults(world: World, changes: dict[str, Any]) -> None:
    known = [f.name for f in fields(FaultConfig)]
    unknown = [name for name in changes if name not in known]
    if unknown:
        raise ControlError(
            400, f"Unknown fault {', '.join(unknown)}. Known faults: {', '.join(known)}."
        )
    trial = replace(world.config.faults)
    try:
        trial.update(changes)
    except (TypeError, ValueError) as exc:
        raise ControlError(400, f"A fault value has the wrong type: {exc}.") from None
    rates = {n: v for n, v in asdict(trial).items() if n.endswith("_rate")}
    bad = [n for n, v in rates.items() if not 0.0 <= v <= 1.0]
    if bad:
        raise ControlError(400, f"{', '.join(bad)} must be a probability between 0 and 1.")
    world.config.faults.update(changes)
    if "rate_limit_burst" in changes:
        world.limiter.burst_remaining = world.config.faults.rate_limit_burst


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError(400, "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ControlError(400, "The body must be a JSON object.")
    return body


def _number(body: dict[str, Any], name: str) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ControlError(400, f'Send {{"{name}": N}} with N a number of seconds, 0 or more.')
    return float(value)


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
