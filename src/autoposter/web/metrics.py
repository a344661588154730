"""``GET /metrics``: Prometheus' text exposition format (version 0.0.4), read from the
database and the queue at scrape time, so every web process reports the same numbers and
nothing is lost when one restarts.

- ``autoposter_posts{status}``: posts in each state of their life (DESIGN "A post's life").
- ``autoposter_queue_depth``: tasks waiting in the queue for a worker.
- ``autoposter_tiktok_errors{code}``: failed posts by TikTok's error code (``fail_code``).
- ``autoposter_uploaded_bytes``: media bytes of the posts TikTok has received.
- ``autoposter_accounts{status}``: connected TikTok accounts by state.
- ``autoposter_workers_alive``: worker processes whose heartbeat is fresh (they beat every
  15 s and count for 60 s, ``posts/workers.py``); 0 means posts wait and nothing sends them.

All are gauges: they are counts of what the database holds now (deleting a post lowers
them), not counters of events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from sqlalchemy import func, select

from ..accounts import Context
from ..posts.workers import count_alive_workers
from ..store.models import (
    ACCOUNT_STATUSES,
    FAILED,
    IN_INBOX,
    POST_STATUSES,
    PROCESSING,
    PUBLISHED,
    Post,
    PostMedia,
    TikTokAccount,
)
from .health import queue_of

router = APIRouter()

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# TikTok has the bytes once a post is processing, and keeps them after.
RECEIVED = (PROCESSING, PUBLISHED, IN_INBOX)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request) -> PlainTextResponse:
    ctx: Context = request.app.state.ctx
    queue = queue_of(request)
    text = await run_in_threadpool(lambda: exposition(ctx, queue.pending_count()))
    return PlainTextResponse(text, media_type=CONTENT_TYPE)


def exposition(ctx: Context, queue_depth: int) -> str:
    with ctx.db.session() as session:
        posts = _counts(session.execute(select(Post.status, func.count()).group_by(Post.status)))
        errors = _counts(
            session.execute(
                select(Post.fail_code, func.count())
                .where(Post.status == FAILED, Post.fail_code.is_not(None))
                .group_by(Post.fail_code)
            )
        )
        uploaded = session.scalar(
            select(func.coalesce(func.sum(PostMedia.size_bytes), 0))
            .join(Post, Post.id == PostMedia.post_id)
            .where(Post.status.in_(RECEIVED))
        )
        accounts = _counts(
            session.execute(
                select(TikTokAccount.status, func.count()).group_by(TikTokAccount.status)
            )
        )
    lines = [
        *_family("autoposter_posts", "Posts by status.", "status", posts, POST_STATUSES),
        *_family("autoposter_queue_depth", "Tasks waiting in the queue for a worker."),
        f"autoposter_queue_depth {queue_depth}",
        *_family(
            "autoposter_tiktok_errors", "Failed posts by TikTok's error code.", "code", errors
        ),
        *_family("autoposter_uploaded_bytes", "Media bytes of the posts TikTok received."),
        f"autoposter_uploaded_bytes {int(uploaded or 0)}",
        *_family(
            "autoposter_accounts",
            "TikTok accounts by status.",
            "status",
            accounts,
            ACCOUNT_STATUSES,
        ),
        *_family("autoposter_workers_alive", "Worker processes with a fresh heartbeat."),
        f"autoposter_workers_alive {count_alive_workers(ctx)}",
    ]
    return "\n".join(lines) + "\n"


def _counts(rows: Iterable[Any]) -> dict[Any, int]:
    return {key: int(count) for key, count in rows}


def _family(
    name: str,
    help_text: str,
    label: str | None = None,
    values: Mapping[Any, int] | None = None,
    always: Iterable[str] = (),
) -> list[str]:
    """A gauge's HELP and TYPE lines, and its samples when it has a label (every value in
    ``always`` is shown, as 0 when absent, so a graph does not have gaps)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    if label is None or values is None:
        return lines
    keys = [*always, *sorted(str(k) for k in values if k is not None and k not in always)]
    for key in keys:
        lines.append(f'{name}{{{label}="{_escape(key)}"}} {int(values.get(key, 0))}')
    return lines


def _escape(value: str) -> str:
    """A label value as the text format writes it: backslash, quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
