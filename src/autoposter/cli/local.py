"""The local backend: the services on this machine's database, as one dashboard user.

Every call goes through the same services the web app uses, so ownership and validation
are theirs; this module only translates their views and errors into the REST API's shapes
(see :mod:`.backend`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..accounts import (
    AccountsError,
    AccountView,
    Context,
    create_api_token,
    disconnect,
    erase_user,
    export_user_data,
    list_accounts,
    list_api_tokens,
    revoke_api_token,
    token_health,
)
from ..config import Settings
from ..posts import (
    InvalidStatus,
    PostInputError,
    PostRejected,
    PostRequest,
    PostsError,
    PostView,
    cancel_post,
    check_post,
    create_and_confirm,
    get_post,
    list_posts_page,
    post_history,
)
from ..store.models import User
from .backend import BackendError, FieldProblem, PostDraft, PostFilters, Record, UploadProgress

MAX_LISTED_USERS = 20


class LocalBackend:
    """See the module docstring; ``ctx`` is closed by :meth:`close`."""

    sends_while_waiting = True  # see sending.py

    def __init__(self, ctx: Context, user: User) -> None:
        self.ctx = ctx
        self.user = user

    @classmethod
    def for_user(cls, ctx: Context, username: str | None) -> LocalBackend:
        return cls(ctx, pick_user(ctx, username))

    def close(self) -> None:
        self.ctx.close()

    def workers_alive(self) -> int | None:
        from ..posts.workers import count_alive_workers

        return count_alive_workers(self.ctx)

    # --- Accounts ---------------------------------------------------------------------------

    def me(self) -> Record:
        return {
            "id": self.user.id,
            "username": self.user.username,
            "time_zone": self.user.time_zone or "UTC",
            "is_admin": bool(getattr(self.user, "is_admin", False)),
        }

    def accounts(self) -> list[Record]:
        now = self.ctx.now()
        views = list_accounts(self.ctx, self.user)
        return [account_record(view, self.ctx.settings, now) for view in views]

    def connect(self, *, say: Callable[[str], None], open_browser: bool, timeout: float) -> Record:
        from .callback import connect_locally

        with translated():
            return connect_locally(self, say=say, open_browser=open_browser, timeout=timeout)

    def disconnect(self, account_id: int) -> Record:
        with translated():
            result = disconnect(self.ctx, self.user, account_id)
        return {
            "account_id": result.account_id,
            "revoked_at_tiktok": result.revoked_at_tiktok,
            "revoke_error": result.revoke_error,
        }

    # --- Posts ------------------------------------------------------------------------------

    def check_post(self, draft: PostDraft) -> list[FieldProblem]:
        try:
            request = request_of(draft)
            with translated():
                check_post(self.ctx, self.user, draft.account_id, request)
        except PostInputError as exc:
            return [FieldProblem(e.field, e.message) for e in exc.errors]
        except BackendError as exc:
            if not exc.fields:
                raise
            return exc.fields
        return []

    def submit_post(self, draft: PostDraft, progress: UploadProgress) -> Record:
        total = sum(path.stat().st_size for path in draft.files if path.is_file())
        name = ", ".join(path.name for path in draft.files)
        progress(0, total, name)  # the copy into the media directory has no finer steps
        try:
            request = request_of(draft)
        except PostInputError as exc:
            problems = [FieldProblem(e.field, e.message) for e in exc.errors]
            raise BackendError("The post cannot be sent as it is.", fields=problems) from None
        with translated():
            composed = create_and_confirm(self.ctx, self.user, draft.account_id, request)
        progress(total, total, name)
        return {
            "post": self.post_record(composed.post),
            "warnings": [{"code": w.code, "message": w.message} for w in composed.warnings],
        }

    def posts(self, filters: PostFilters) -> list[Record]:
        views: list[PostView] = []
        cursor: str | None = None
        while len(views) < filters.limit:
            try:
                page = list_posts_page(
                    self.ctx,
                    self.user,
                    account_id=filters.account_id,
                    status=filters.statuses or None,
                    since=filters.since,
                    until=filters.until,
                    limit=filters.limit - len(views),
                    cursor=cursor,
                )
            except InvalidStatus as exc:
                raise BackendError(f"--status: {exc}", exit_code=2) from None
            views += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
        usernames = self._usernames()
        return [post_record(v, usernames.get(v.account_id or 0)) for v in views]

    def post(self, post_id: int) -> Record:
        with translated():
            record = self.post_record(get_post(self.ctx, self.user, post_id))
            record["history"] = [
                {
                    "at": iso(entry.at),
                    "from_status": entry.from_status,
                    "to_status": entry.to_status,
                    "detail": entry.detail,
                }
                for entry in post_history(self.ctx, self.user, post_id)
            ]
        return record

    def cancel_post(self, post_id: int) -> Record:
        with translated():
            return self.post_record(cancel_post(self.ctx, self.user, post_id))

    def sending(self, post_id: int, progress: UploadProgress) -> AbstractContextManager[None]:
        from .sending import send_here

        return send_here(self.ctx, self.user, post_id, progress)

    @contextmanager
    def batch(self) -> Iterator[None]:
        from .clients import RememberingClient

        template = self.ctx.tiktok
        self.ctx.tiktok_client = RememberingClient(template)
        template.close()
        yield

    def post_record(self, view: PostView) -> Record:
        return post_record(view, self._usernames().get(view.account_id or 0))

    def _usernames(self) -> dict[int, str | None]:
        return {view.id: view.username for view in list_accounts(self.ctx, self.user)}

    # --- The user's data and API tokens -----------------------------------------------------

    def export(self) -> Record:
        with translated():
            return export_user_data(self.ctx, self.user)

    def erase(self, confirm_username: str) -> Record:
        if confirm_username != self.user.username:
            raise BackendError(
                f"The confirmation {confirm_username!r} is not the username "
                f"{self.user.username!r}: nothing was erased."
            )
        with translated():
            report = erase_user(self.ctx, self.user)
        return {
            "user_id": report.user_id,
            "accounts_deleted": report.accounts_deleted,
            "revocation_failures": report.revocation_failures,
        }

    def tokens(self) -> list[Record]:
        return [
            {
                "id": t.id,
                "name": t.name,
                "created_at": iso(t.created_at),
                "last_used_at": iso(t.last_used_at),
                "revoked_at": iso(t.revoked_at),
            }
            for t in list_api_tokens(self.ctx, self.user)
        ]

    def create_token(self, name: str) -> Record:
        with translated():
            made = create_api_token(self.ctx, self.user, name)
        return {"id": made.id, "name": made.name, "token": made.token}

    def revoke_token(self, token_id: int) -> None:
        with translated():
            revoke_api_token(self.ctx, self.user, token_id)


# --- Who acts -------------------------------------------------------------------------------


def pick_user(ctx: Context, username: str | None) -> User:
    """``--user``'s user, else the only one; otherwise a usage error listing the choices."""
    with ctx.db.session() as session:
        if username:
            user = session.scalars(select(User).where(User.username == username.strip())).first()
            if user is not None:
                return user
        users = list(session.scalars(select(User).order_by(User.id).limit(MAX_LISTED_USERS + 1)))
    names = ", ".join(u.username for u in users[:MAX_LISTED_USERS])
    names += ", …" if len(users) > MAX_LISTED_USERS else ""
    if username:
        raise BackendError(
            f"There is no user {username!r}"
            + (f" (the users are {names})" if users else "")
            + f": pass one of them with --user, or create it with `autoposter users create "
            f"{username}`.",
            exit_code=2,
        )
    if not users:
        raise BackendError(
            "There is no user yet: create your login with `autoposter users create NAME`.",
            exit_code=2,
        )
    if len(users) > 1:
        raise BackendError(
            f"There are several users ({names}): say which one acts with --user NAME or "
            "AUTOPOSTER_USER.",
            exit_code=2,
        )
    return users[0]


# --- Translation to the REST API's shapes ---------------------------------------------------


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def account_record(view: AccountView, settings: Settings, now: datetime) -> Record:
    return {
        "id": view.id,
        "username": view.username,
        "nickname": view.nickname,
        "avatar_url": view.avatar_url,
        "scopes": list(view.scopes),
        "status": view.status,
        "status_reason": view.status_reason,
        "token_health": token_health(view, now),
        "connected_at": iso(view.connected_at),
    }


def post_record(view: PostView, username: str | None) -> Record:
    """The post as the REST API's Post: every field of the view but its owner."""
    record: dict[str, Any] = {}
    for item in dataclasses.fields(view):
        value = getattr(view, item.name)
        if item.name == "user_id":
            continue
        if isinstance(value, datetime):
            value = value.isoformat()
        record[item.name] = value
    record["tiktok_post_ids"] = list(view.tiktok_post_ids)
    record["media"] = [dataclasses.asdict(m) for m in view.media]
    record["post_url"] = view.tiktok_url(username)
    return record


def request_of(draft: PostDraft) -> PostRequest:
    """The service's request; PostInputError for values it cannot read."""
    return PostRequest(
        kind=draft.kind,  # type: ignore[arg-type]  # PostRequest converts and checks it
        mode=draft.mode,  # type: ignore[arg-type]
        media=draft.files,
        title=draft.title,
        description=draft.description,
        privacy_level=draft.privacy_level,
        allow_comment=draft.allow_comment,
        allow_duet=draft.allow_duet,
        allow_stitch=draft.allow_stitch,
        commercial_content=draft.brand_organic or draft.brand_content,
        brand_organic=draft.brand_organic,
        brand_content=draft.brand_content,
        is_aigc=draft.is_aigc,
        publish_at=draft.publish_at,
    )


@contextmanager
def translated() -> Iterator[None]:
    """The services' errors as BackendErrors, keeping their messages and fields."""
    try:
        yield
    except PostRejected as exc:
        problems = [FieldProblem(e.field, e.message) for e in exc.errors]
        raise BackendError("The post cannot be sent as it is.", fields=problems) from None
    except (AccountsError, PostsError) as exc:
        raise BackendError(str(exc), code=type(exc).__name__) from None
