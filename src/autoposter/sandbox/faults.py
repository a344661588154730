"""Fault injection for the API endpoints: 5xx answers, lost responses and latency.

A lost response is the dangerous case for clients: the sandbox does the work (an init is
accepted, a token is rotated) and then drops the connection before answering, so a client
that blindly retries would post twice. Upload-specific faults live in ``upload.py``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .state import World


class ConnectionDropped(Exception):
    """Raised after a response has started, which makes the server close the connection."""


class FaultMiddleware:
    def __init__(self, app: ASGIApp, world: World) -> None:
        self.app = app
        self.world = world

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not self._faultable(path):
            await self.app(scope, receive, send)
            return
        faults = self.world.config.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if self._draw(faults.error_5xx_rate):
            await self._send_5xx(path, send)
            return
        if path.startswith("/v2/") and self._draw(faults.reset_rate):
            await self._run_then_drop(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _faultable(path: str) -> bool:
        return (path.startswith("/v2/") and not path.startswith("/v2/auth/")) or path.startswith(
            "/upload/"
        )

    def _draw(self, rate: float) -> bool:
        return rate > 0 and self.world.rng.random() < rate

    async def _send_5xx(self, path: str, send: Send) -> None:
        log_id = self.world.log_id()
        body: dict[str, Any]
        if path.startswith("/v2/oauth/"):
            body = {
                "error": "server_error",
                "error_description": "Injected fault.",
                "log_id": log_id,
            }
        elif path.startswith("/upload/"):
            body = {}
        else:
            body = {
                "data": {},
                "error": {"code": "internal_error", "message": "Injected fault.", "log_id": log_id},
            }
        payload = json.dumps(body).encode() if body else b""
        headers = [(b"content-type", b"application/json"), (b"x-tt-logid", log_id.encode())]
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def _run_then_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def swallow(message: Message) -> None:
            return None

        await self.app(scope, receive, swallow)
        # Promise a body that never comes: the server closes the connection mid-response.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"1000")],
            }
        )
        raise ConnectionDropped("injected: response lost after the request took effect")
