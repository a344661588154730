"""``post --wait`` in local mode: send the post from this process when it is due.

Whether a worker runs (its heartbeat, :mod:`autoposter.posts.workers`) changes only what the
command says (``post_flow.warn_without_worker``: with none, this command is what sends the
post), never what it does: the post is claimed with the engine's own compare-and-set
(``scheduled → queued``) and sent by the engine's :func:`~autoposter.posts.run_post` under
the post's database lease, so whether this process or a worker wins, the post goes out once
(DESIGN "A post's life"). Sending here does not check in as a worker: it sends this one
post only, and only while the command waits.

Photo posts are pulled by TikTok from this installation's signed media links (§4.4, §4.6);
when no web app answers at ``AUTOPOSTER_PUBLIC_URL``, one is started here for the duration.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from ..accounts import Context
from ..posts import get_post, run_post
from ..posts.machine import ACTIVE, FINAL, transition
from ..posts.pipeline import allow_running, request_stop
from ..store.models import QUEUED, SCHEDULED, User
from .backend import UploadProgress
from .clients import ReportingClient
from .output import say

if TYPE_CHECKING:
    from ..web import RunningServer

log = logging.getLogger("autoposter.cli")

# Like the dispatcher's: the reconciler leaves a post claimed here alone this long, and takes
# it over afterwards if this process died before sending it.
DELIVERY_GRACE = timedelta(minutes=2)
IDLE_WAIT = 0.5  # seconds between looks while a worker elsewhere holds the post
MAX_WAIT = 1.0  # never sleep longer than this: the person may press Ctrl-C
STOP_TIMEOUT = 20.0


@contextmanager
def send_here(ctx: Context, user: User, post_id: int, progress: UploadProgress) -> Iterator[None]:
    """Send the post from a background thread while the caller watches it."""
    template = ctx.tiktok
    ctx.tiktok_client = ReportingClient(template, progress)
    template.close()
    web = _media_links_for(ctx) if get_post(ctx, user, post_id).kind == "photo" else None
    sender = _Sender(ctx, user, post_id)
    allow_running()
    sender.start()
    try:
        yield
    finally:
        sender.stop()
        if web is not None:
            web.stop()


class _Sender:
    def __init__(self, ctx: Context, user: User, post_id: int) -> None:
        self.ctx, self.user, self.post_id = ctx, user, post_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cli-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Hand the post back promptly (a worker resumes it) and wait for the thread."""
        self._stop.set()
        request_stop()
        self._thread.join(timeout=STOP_TIMEOUT)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                pause = self._step()
            except Exception:  # the database hiccuped: look again shortly
                log.exception("post %d: sending from the CLI failed; retrying", self.post_id)
                pause = MAX_WAIT
            if pause is None:
                return
            self._stop.wait(pause)

    def _step(self) -> float | None:
        """Advance the post once; how long to pause before the next look (None: it ended)."""
        post = get_post(self.ctx, self.user, self.post_id)
        now = self.ctx.now()
        if post.status in FINAL:
            return None
        if post.status == SCHEDULED and post.publish_at is not None and post.publish_at <= now:
            self._claim()
            return 0.0
        due = post.next_attempt_at is None or post.next_attempt_at <= now
        if post.status in ACTIVE and due:
            ran = run_post(self.ctx, self.post_id)
            return IDLE_WAIT if ran is None else 0.0  # None: a worker holds it
        waits_for = post.next_attempt_at if post.status in ACTIVE else post.publish_at
        if waits_for is None:
            return MAX_WAIT
        return min(MAX_WAIT, max(0.01, (waits_for - now).total_seconds()))

    def _claim(self) -> None:
        now = self.ctx.now()
        with self.ctx.db.session() as session:
            transition(
                session,
                self.post_id,
                SCHEDULED,
                QUEUED,
                now,
                detail="Due: sent by `autoposter post --wait`.",
                values={"lease_owner": None, "lease_until": now + DELIVERY_GRACE},
            )


def _media_links_for(ctx: Context) -> RunningServer | None:
    """The web app serving signed media links, started here if none answers (see above)."""
    public_url = ctx.settings.public_url.rstrip("/")
    try:
        httpx.get(f"{public_url}/healthz", timeout=2.0)
        return None  # something answers there: the dashboard or `autoposter serve`
    except httpx.TransportError:
        pass
    from ..web import create_app, start_in_thread

    parts = urlsplit(public_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    try:
        return start_in_thread(create_app(ctx), host, port)
    except OSError as exc:
        say(
            f"Note: TikTok downloads the photos from {public_url}/media/, where nothing "
            f"answers and this command cannot listen ({exc.strerror}): start `autoposter "
            "serve` there, or the post will fail."
        )
        return None
