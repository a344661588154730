"""Run the sandbox: in the foreground for ``autoposter sandbox``, or in a thread for tests."""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from .app import create_app
from .config import SandboxConfig
from .faults import ConnectionDropped
from .http_protocol import ZeroCopyBodyProtocol
from .state import World


class _HideInjectedDrops(logging.Filter):
    """Injected dropped connections are intended; keep them out of the error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


logging.getLogger("uvicorn.error").addFilter(_HideInjectedDrops())


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _uvicorn_config(app: FastAPI, *, log_level: str, access_log: bool) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
        timeout_keep_alive=30,
        h11_max_incomplete_event_size=64 * 1024,
        http=ZeroCopyBodyProtocol,  # uploads: bodies reach the app uncopied (http_protocol.py)
    )


def serve(config: SandboxConfig, host: str, port: int, *, access_log: bool = True) -> None:
    """Serve in the foreground until interrupted."""
    sock = bind(host, port)
    config.public_url = f"http://{host}:{sock.getsockname()[1]}"
    server = uvicorn.Server(
        _uvicorn_config(create_app(config), log_level="info", access_log=access_log)
    )
    server.run(sockets=[sock])


@dataclass
class RunningSandbox:
    url: str
    world: World
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_in_thread(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    """Start a sandbox in a background thread (port 0: a free one) and wait until it answers."""
    config = config or SandboxConfig()
    sock = bind(host, port)
    url = f"http://{host}:{sock.getsockname()[1]}"
    config.public_url = url
    world = World(config)
    server = uvicorn.Server(
        _uvicorn_config(create_app(world=world), log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the sandbox did not start")
        time.sleep(0.01)
    return RunningSandbox(url=url, world=world, server=server, thread=thread)
