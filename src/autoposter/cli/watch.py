"""Progress on screen: upload bars, and ``--wait`` following a post until TikTok's last word.

Everything here goes to standard error, so ``--json`` output on standard output stays
clean for scripts.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from .backend import Backend, Record
from .output import local, say, stderr

# A post's final states (DESIGN "A post's life"); the first two mean TikTok has it.
DELIVERED = ("published", "in_inbox")
FINAL = (*DELIVERED, "failed", "cancelled", "expired")
LOOK_EVERY = 0.25  # seconds between looks at the post while waiting


class Transfers:
    """A Rich progress bar per file (or per upload), fed ``(sent, total, name)``."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def __call__(self, sent: int, total: int, name: str) -> None:
        with self._lock:
            task = self._tasks.get(name)
            if task is None:
                task = self._progress.add_task(name, total=total or None)
                self._tasks[name] = task
            self._progress.update(task, completed=sent, total=total or None)


@contextmanager
def transfers() -> Iterator[Transfers]:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=stderr,
    )
    with progress:
        yield Transfers(progress)


def follow(backend: Backend, post_id: int, zone: str) -> Record:
    """Show each step of the post's history as it happens, until it ends; the final post.

    Ctrl-C stops watching, not the post: it goes on with a worker.
    """
    shown = 0
    try:
        with stopped_by_sigterm(), transfers() as report, backend.sending(post_id, report):
            while True:
                post = backend.post(post_id)
                history = post.get("history") or []
                for entry in history[shown:]:
                    say(f"{local(entry['at'], zone)}  {entry['to_status']:<10} {entry['detail']}")
                shown = len(history)
                if post["status"] in FINAL:
                    return post
                time.sleep(LOOK_EVERY)
    except KeyboardInterrupt:
        say(
            f"Stopped watching. Post {post_id} goes on without this command (a worker sends "
            f"it: `autoposter worker`); see it with `autoposter posts show {post_id}`."
        )
        raise


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM (a service manager, ``kill``) stops watching as Ctrl-C does, so a post this
    command is sending is handed back cleanly instead of waiting for its lease to run out."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def outcome_line(post: Record) -> str:
    """One sentence on how the post ended, with TikTok's reason when it failed."""
    status = post["status"]
    if status == "published":
        where = f": {post['post_url']}" if post.get("post_url") else ""
        return f"Post {post['id']} is published on TikTok{where}."
    if status == "in_inbox":
        return (
            f"Post {post['id']} is in the creator's TikTok inbox: they finish and post it "
            "in the TikTok app."
        )
    if status == "failed":
        reason = f" (TikTok: {post['fail_reason']})" if post.get("fail_reason") else ""
        return f"Post {post['id']} failed{reason}. {post.get('fail_message') or ''}".strip()
    return f"Post {post['id']} is {status}."
