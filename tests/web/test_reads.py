"""The web app's hot database reads (``web/reads.py``): one at a time on SQLite, where threads
reading at once cost more CPU than they overlap; side by side on PostgreSQL, whose queries
wait on the network with the GIL free."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from fastapi import FastAPI
from starlette.requests import Request

from autoposter.accounts import Context
from autoposter.config import load_settings
from autoposter.store import Database
from autoposter.web.reads import read_in_thread

# How long a read waits for a second one to start beside it; a read alone waits all of it.
COMPANY_WAIT = 0.1
T = TypeVar("T")


def run(make: Callable[[], Awaitable[T]]) -> T:
    """``make()`` on an event loop of its own thread (this one may hold another test's)."""

    async def main() -> T:
        return await make()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def most_reads_at_once(database_url: str, tmp_path: Path) -> int:
    """Two reads started together on an app whose database is ``database_url`` (never
    connected to: the reads touch no database)."""
    settings = load_settings(data_dir=str(tmp_path / "data"), database_url=database_url)
    app = FastAPI()
    app.state.ctx = Context(settings, Database(database_url))
    request = Request({"type": "http", "app": app})
    running, most = 0, 0
    lock, two_running = threading.Lock(), threading.Event()

    def read() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            if running == 2:
                two_running.set()
        two_running.wait(COMPANY_WAIT)
        with lock:
            running -= 1

    async def two_reads() -> None:
        await asyncio.gather(read_in_thread(request, read), read_in_thread(request, read))

    try:
        run(two_reads)
    finally:
        app.state.ctx.db.dispose()
    return most


def test_reads_take_turns_on_sqlite(tmp_path: Path) -> None:
    assert most_reads_at_once(f"sqlite:///{tmp_path / 'autoposter.db'}", tmp_path) == 1


def test_reads_run_side_by_side_on_postgresql(tmp_path: Path) -> None:
    url = "postgresql+psycopg://autoposter:autoposter@127.0.0.1:1/never_connected"
    assert most_reads_at_once(url, tmp_path) == 2


def test_a_read_gets_its_arguments_and_gives_back_its_result(tmp_path: Path) -> None:
    settings = load_settings(data_dir=str(tmp_path / "data"))
    app = FastAPI()
    app.state.ctx = Context(settings, Database(settings.database))
    request = Request({"type": "http", "app": app})

    def join(first: str, second: str, *, between: str) -> str:
        return first + between + second

    assert run(lambda: read_in_thread(request, join, "a", "b", between="-")) == "a-b"
