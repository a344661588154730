"""Serve the web app: in the foreground for ``autoposter serve``, in a thread for ``run`` and
the tests."""

from __future__ import annotations

import gc
import signal
import socket
import threading
import time
from dataclasses import dataclass
from types import FrameType

import uvicorn
from fastapi import FastAPI


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def _config(app: FastAPI, log_level: str) -> uvicorn.Config:
    # log_config=None: uvicorn's records go to the handlers logs.setup_logging installed
    # (file, stderr, redaction) instead of uvicorn's own.
    return uvicorn.Config(
        app, log_level=log_level, lifespan="on", timeout_keep_alive=30, log_config=None
    )


class _Stop(Exception):
    """Raised by the stop signals' handlers once uvicorn has shut down gracefully."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop()


def serve(app: FastAPI, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM, then return normally.

    uvicorn shuts down gracefully on either signal, then raises it again for the handler it
    found: ours turns that into a normal return, so the caller's clean-up runs and the exit
    status is 0 (the default handler would kill the process, skipping both).
    """
    server = uvicorn.Server(_config(app, "info"))
    # Everything imported so far lives as long as the process: moving it out of the
    # collector's sight keeps full collections (tens of ms each, bench/web.py's p99 tail)
    # from walking it again and again under load.
    gc.collect()
    gc.freeze()
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[bind(host, port)])
    except _Stop:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@dataclass
class RunningServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_in_thread(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve ``app`` in a background thread (port 0: a free one) once it answers."""
    sock = bind(host, port)
    url = f"http://{host}:{sock.getsockname()[1]}"
    server = uvicorn.Server(_config(app, "warning"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="web", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the web app did not start on {url}")
        time.sleep(0.01)
    return RunningServer(url, server, thread)
