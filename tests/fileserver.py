"""A tiny media host on 127.0.0.1 for PULL_FROM_URL tests: what an app's verified server is.

Paths: ``/files/<name>`` serves a file; ``/redirect/<name>`` answers 302 to it (§4.6 says a
redirect makes the pull fail); ``/stall/<name>`` sends the first ``STALL_BYTES`` and then waits
until :meth:`MediaServer.release` (or a few seconds), so a download can be caught mid-way.
Anything else is 404.
"""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

STALL_BYTES = 1000
STALL_LIMIT_SECONDS = 5.0


class MediaServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.requests: list[str] = []
        self._released = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/"

    def __enter__(self) -> MediaServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def add(self, name: str, content: bytes | Path) -> str:
        """Publish ``content`` as ``name``; returns its direct URL."""
        data = content.read_bytes() if isinstance(content, Path) else content
        (self.root / name).write_bytes(data)
        return self.file_url(name)

    def file_url(self, name: str) -> str:
        return f"{self.url}files/{name}"

    def redirect_url(self, name: str) -> str:
        return f"{self.url}redirect/{name}"

    def stall_url(self, name: str) -> str:
        return f"{self.url}stall/{name}"

    def release(self) -> None:
        """Let stalled downloads finish."""
        self._released.set()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                kind, _, name = self.path.lstrip("/").partition("/")
                path = server.root / name
                if not name or "/" in name or not path.is_file():
                    self._answer(404, b"not found")
                elif kind == "files":
                    self._answer(200, path.read_bytes())
                elif kind == "redirect":
                    self.send_response(302)
                    self.send_header("Location", server.file_url(name))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif kind == "stall":
                    self._answer_stalled(path.read_bytes())
                else:
                    self._answer(404, b"not found")

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _answer_stalled(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body[:STALL_BYTES])
                    self.wfile.flush()
                    server._released.wait(STALL_LIMIT_SECONDS)
                    self.wfile.write(body[STALL_BYTES:])

            def log_message(self, format: str, *args: object) -> None:
                return None  # keep test output quiet

        return Handler
