"""Who is calling: the ``Authorization: Bearer apt_…`` API token, checked on every request.

A missing, unknown or revoked token is a 401 with a message saying where tokens come from;
everything after that acts as the token's owner, and the services show that user only what
is theirs (another user's object is a 404, exactly like a missing one).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ...accounts import Context
from ...accounts.users import api_token_owner, note_api_token_use
from ...store.models import User
from ..reads import read_in_thread
from .errors import ApiError

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description=(
        "An API token (`apt_…`): make one with `autoposter tokens create NAME`, on the "
        "dashboard, or with POST /api/v1/tokens."
    ),
)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def context(request: Request) -> Context:
    # async: it does no I/O, and FastAPI runs a plain ``def`` dependency in a worker thread,
    # a hop on every API request for one attribute read.
    ctx = request.app.state.ctx
    assert isinstance(ctx, Context)
    return ctx


async def current_user(
    request: Request,
    ctx: Annotated[Context, Depends(context)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None:
        raise ApiError(
            401,
            "unauthorized",
            "Send an API token as 'Authorization: Bearer apt_…'. Make one with `autoposter "
            "tokens create NAME` or on the dashboard.",
            headers=_CHALLENGE,
        )
    # The read with the other hot reads (web/reads.py); the "last used" write, at most
    # once a minute, apart from them.
    owner = await read_in_thread(request, api_token_owner, ctx, credentials.credentials)
    if owner is None:
        raise ApiError(
            401,
            "unauthorized",
            "This API token is unknown or was revoked: make a new one with `autoposter tokens "
            "create NAME` or on the dashboard.",
            headers=_CHALLENGE,
        )
    if owner.use_to_note(ctx.now()):
        await run_in_threadpool(note_api_token_use, ctx, owner)
    return owner.user


Ctx = Annotated[Context, Depends(context)]
CurrentUser = Annotated[User, Depends(current_user)]
