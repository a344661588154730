"""What ``post`` and ``posts list|show`` do once they run (the commands are in
:mod:`.posting`, which ``--help`` imports without any of this)."""

from __future__ import annotations

from datetime import datetime

import typer

from . import output
from .backend import Backend, BackendError, PostFilters, Record
from .drafts import Choices, draft_from, resolve_account
from .runtime import backend_for
from .watch import DELIVERED, follow, outcome_line, transfers

INTERRUPTED = 130  # what shells report for Ctrl-C


def post_one(ctx: typer.Context, choices: Choices, *, wait: bool, as_json: bool) -> None:
    """Check, store (uploading with a progress bar), and with ``wait`` follow to the end."""
    with output.reported_errors(), backend_for(ctx) as backend:
        zone = backend.me()["time_zone"]
        draft = draft_from(choices, backend.accounts(), zone)
        problems = backend.check_post(draft)
        if problems:
            raise BackendError(
                "The post cannot be sent as it is; nothing was stored or uploaded.",
                fields=problems,
            )
        with transfers() as report:
            created = backend.submit_post(draft, report)
        post, warnings = created["post"], created.get("warnings") or []
        if not as_json:
            output.say(_stored_line(post, zone, wait=wait))
            output.warnings(warnings)
        warn_without_worker(backend, [int(post["id"])], waiting=wait)
        if not wait:
            if as_json:
                output.emit_json(created)
            return
        try:
            final = follow(backend, int(post["id"]), zone)
        except KeyboardInterrupt:
            raise typer.Exit(INTERRUPTED) from None
        if as_json:
            output.emit_json({"post": final, "warnings": warnings})
        else:
            typer.echo(outcome_line(final))
        if final["status"] not in DELIVERED:
            raise typer.Exit(1)


def _stored_line(post: Record, zone: str, *, wait: bool) -> str:
    when = output.parse_time(post.get("publish_at"))
    later = when is not None and when > datetime.now(when.tzinfo)
    shown = output.local(when, zone)
    if wait:
        pending = f"it goes out at {shown} ({zone}); waiting until then." if later else ""
        return f"Post {post['id']} is {post['status']}; {pending or 'sending it now.'}".strip()
    if later:
        return (
            f"Post {post['id']} is scheduled for {shown} ({zone}); a worker sends it then "
            "(`autoposter run` or `autoposter worker` must be running)."
        )
    return (
        f"Post {post['id']} is {post['status']} and due now: a running worker sends it "
        "(`autoposter worker`), or post with --wait to send it from this command."
    )


def warn_without_worker(backend: Backend, post_ids: list[int], *, waiting: bool) -> None:
    """On standard error (also with --json): no worker has a fresh heartbeat, so the posts
    just stored wait — not lost, queued until one runs. Silent when the instance cannot
    tell (an older version)."""
    if not post_ids or backend.workers_alive() != 0:
        return
    start = "start `autoposter worker` (or `autoposter run`)"
    if waiting and backend.sends_while_waiting:  # sending.py: this command sends it
        output.say(
            f"Note: no worker is running, so this command sends post {post_ids[0]} itself "
            f"while it waits; if you stop it first, the post waits for a worker: {start}."
        )
        return
    which = f"post {post_ids[0]} is" if len(post_ids) == 1 else f"{len(post_ids)} posts are"
    output.say(
        f"Warning: no worker is running: {which} queued and will go out once a worker "
        f"runs — {start}."
    )


def list_posts(
    ctx: typer.Context,
    account: str | None,
    statuses: tuple[str, ...],
    since: str | None,
    until: str | None,
    limit: int,
    *,
    as_json: bool,
) -> None:
    with output.reported_errors(), backend_for(ctx) as backend:
        zone = backend.me()["time_zone"]
        accounts = backend.accounts()
        account_id = int(resolve_account(account, accounts)["id"]) if account else None
        filters = PostFilters(
            account_id=account_id,
            statuses=statuses,
            since=_moment(since, zone, "--since"),
            until=_moment(until, zone, "--until"),
            limit=limit,
        )
        posts = backend.posts(filters)
        if as_json:
            output.emit_json({"items": posts})
        else:
            output.posts_table(posts, zone, _labels(accounts))


def show_post(ctx: typer.Context, post_id: int, *, as_json: bool) -> None:
    with output.reported_errors(), backend_for(ctx) as backend:
        post = backend.post(post_id)
        if as_json:
            output.emit_json(post)
            return
        output.post_details(post, backend.me()["time_zone"], _labels(backend.accounts()))


def _labels(accounts: list[Record]) -> dict[int, str]:
    return {int(a["id"]): output.account_label(a) for a in accounts}


def _moment(text: str | None, zone: str, option: str) -> datetime | None:
    if not text:
        return None
    from ..posts.compose import PostInputError, parse_local_time

    try:
        return parse_local_time(text, zone, field=option)
    except PostInputError as exc:
        raise BackendError(str(exc), exit_code=2) from None
