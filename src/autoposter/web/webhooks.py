"""``POST /webhooks/tiktok``: TikTok's webhook deliveries (§7).

The signature is checked against the raw body with the app's client secret (§7.3), and a
replayed delivery is refused. A verified delivery is answered 200 at once — TikTok retries
anything slower or different for up to 72 hours (§7) — and handled right after the answer
went out: ``authorization.removed`` revokes the account here, ``post.publish.*`` moves the
post on. Deliveries are at least once, so both handlers are idempotent.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse, Response

from ..accounts import Context, handle_authorization_removed
from ..posts import apply_webhook
from ..tiktok import (
    SIGNATURE_HEADER,
    AuthorizationRemoved,
    PostEvent,
    ReplayGuard,
    WebhookError,
    WebhookEvent,
    WebhookReplayed,
    parse_event,
    verify_signature,
)

log = logging.getLogger("autoposter.web")

router = APIRouter()


@router.post("/webhooks/tiktok")
async def tiktok_webhook(request: Request, background: BackgroundTasks) -> Response:
    ctx: Context = request.app.state.ctx
    guard: ReplayGuard = request.app.state.replay_guard
    body = await request.body()
    try:
        verify_signature(
            request.headers.get(SIGNATURE_HEADER),
            body,
            ctx.settings.client_secret,
            now=ctx.now().timestamp(),  # the engine's clock, which tests may scale
            replay_guard=guard,
        )
        event = parse_event(body)
    except WebhookReplayed:
        return Response(status_code=200)  # already accepted and handled once
    except WebhookError as exc:
        log.warning("refused a webhook delivery: %s", exc.code)
        return JSONResponse({"error": exc.code, "message": exc.advice}, status_code=400)
    if event.client_key and event.client_key != ctx.settings.client_key:
        log.warning("ignored a webhook for another app (client_key %s)", event.client_key)
        return Response(status_code=200)
    background.add_task(handle_event, ctx, event)  # runs after the 200 is sent
    return Response(status_code=200)


def handle_event(ctx: Context, event: WebhookEvent) -> None:
    try:
        if isinstance(event, AuthorizationRemoved):
            changed = handle_authorization_removed(ctx, event)
            log.info("authorization.removed: %d account(s) revoked", changed)
        elif isinstance(event, PostEvent):
            moved = apply_webhook(ctx, event)
            log.info(
                "%s for %s: %s", event.event, event.publish_id, "applied" if moved else "no change"
            )
        else:
            log.info("webhook %s needs no action", event.event)
    except Exception:  # TikTok has its 200; the poller or a later delivery catches up
        log.exception("handling webhook %s failed", event.event)
