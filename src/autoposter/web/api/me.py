"""``/api/v1/me``, the caller's API tokens, and their data rights (export, erase)."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from ...accounts import (
    create_api_token,
    erase_user,
    export_user_data,
    list_api_tokens,
    revoke_api_token,
)
from .auth import Ctx, CurrentUser
from .errors import api_router, invalid_input, responses
from .schemas import EraseIn, ErasureOut, IdPath, Me, NewTokenIn, NewTokenOut, Token, TokenList

router = api_router(tags=["me"])


@router.get("/me", response_model=Me, responses=responses())
def me(user: CurrentUser) -> Me:
    return Me(
        id=user.id,
        username=user.username,
        time_zone=user.time_zone or "UTC",
        is_admin=bool(user.is_admin),
    )


@router.get("/export", response_model=dict[str, Any], responses=responses())
def export(ctx: Ctx, user: CurrentUser) -> dict[str, Any]:
    """Everything Autoposter holds about you, as one JSON document (no tokens)."""
    return export_user_data(ctx, user)


@router.post("/erase", response_model=ErasureOut, responses=responses())
def erase(ctx: Ctx, user: CurrentUser, body: EraseIn) -> ErasureOut:
    """Delete your user and everything of yours (accounts revoked at TikTok first). The
    token used here stops working."""
    if body.confirm != user.username:
        raise invalid_input(
            "confirm", "type your username exactly to confirm: erasing cannot be undone"
        )
    report = erase_user(ctx, user)
    return ErasureOut(
        user_id=report.user_id,
        accounts_deleted=report.accounts_deleted,
        revocation_failures=report.revocation_failures,
    )


@router.get("/tokens", response_model=TokenList, responses=responses())
def tokens_list(ctx: Ctx, user: CurrentUser) -> TokenList:
    return TokenList(
        items=[
            Token(
                id=t.id,
                name=t.name,
                created_at=t.created_at,
                last_used_at=t.last_used_at,
                revoked_at=t.revoked_at,
            )
            for t in list_api_tokens(ctx, user)
        ]
    )


@router.post("/tokens", status_code=201, response_model=NewTokenOut, responses=responses())
def token_create(ctx: Ctx, user: CurrentUser, body: NewTokenIn) -> NewTokenOut:
    made = create_api_token(ctx, user, body.name)
    return NewTokenOut(id=made.id, name=made.name, token=made.token)


@router.delete("/tokens/{token_id}", status_code=204, responses=responses(404))
def token_revoke(ctx: Ctx, user: CurrentUser, token_id: IdPath) -> Response:
    revoke_api_token(ctx, user, token_id)
    return Response(status_code=204)
