"""Database reads on the web app's hot paths — the session and API token checks, the post
lists — run in a worker thread one at a time when the database is SQLite (issue 6).

Why: Python's sqlite3 lets go of the GIL around every row it steps through, so threads
reading at once hand the GIL back and forth row by row. Measured with 20 concurrent list
requests on 2 cores, each request cost about twice the CPU (7.6 against 3.8 ms) and the
app answered 40 % fewer of them than with the reads taken one at a time. One at a time
costs no waiting that matters: Python runs one thread at a time anyway, and SQLite readers
in WAL mode never wait for a lock. Only reads come here: a write may queue for the writer
lock, and must not hold up every other request meanwhile. With PostgreSQL a query waits on
the network with the GIL free, so reads there share FastAPI's thread pool as before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread
from starlette.requests import Request

from ..accounts import Context

P = ParamSpec("P")
T = TypeVar("T")


async def read_in_thread(
    request: Request, read: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """``read(*args, **kwargs)`` in a worker thread, one such read at a time on SQLite."""
    return await to_thread.run_sync(partial(read, *args, **kwargs), limiter=_readers(request))


def _readers(request: Request) -> CapacityLimiter | None:
    """The app's limiter of reading threads (made on first use, in the app's event loop);
    None, FastAPI's shared pool, for a database other than SQLite."""
    state = request.app.state
    if not hasattr(state, "sqlite_readers"):
        ctx = state.ctx
        assert isinstance(ctx, Context)
        state.sqlite_readers = CapacityLimiter(1) if ctx.db.dialect == "sqlite" else None
    readers: CapacityLimiter | None = state.sqlite_readers
    return readers
