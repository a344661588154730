"""``accounts connect`` in local mode: this command answers Login Kit's redirect itself.

TikTok sends the browser back to the configured redirect URI (§1.2), which is
``AUTOPOSTER_PUBLIC_URL``'s ``/accounts/callback`` by default. While nothing else listens
there, the command serves that one address with a tiny HTTP server for one request,
finishes the connect with the query parameters (the same service the dashboard calls), and
answers the browser with a short page. When the address is taken (the dashboard runs
there), the dashboard's own callback finishes the connect, and the command only waits for
the new account to appear.
"""

from __future__ import annotations

import html
import threading
import time
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from ..accounts import AccountsError, ConnectResult, finish_connect, start_connect
from .backend import BackendError, Record
from .local import account_record

if TYPE_CHECKING:
    from .local import LocalBackend

LOOK_EVERY = 1.0  # seconds between looks for an account the dashboard connected
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Autoposter</title></head>
<body style="font-family: sans-serif; margin: 3em"><h1>{title}</h1><p>{body}</p></body></html>
"""

Finish = Callable[[dict[str, str]], ConnectResult]


def connect_locally(
    backend: LocalBackend, *, say: Callable[[str], None], open_browser: bool, timeout: float
) -> Record:
    ctx, user = backend.ctx, backend.user
    before = {a["id"]: a["connected_at"] for a in backend.accounts()}
    start = start_connect(ctx, user)
    redirect = ctx.settings.callback_uri
    server, why_not = listen(redirect, lambda params: finish_connect(ctx, user, params))
    say("Open this address in a browser and authorize the TikTok account:")
    say(start.authorize_url)
    if open_browser:
        webbrowser.open(start.authorize_url)
    if server is None:
        say(
            f"TikTok will send the browser back to {redirect}, which this command cannot "
            f"serve ({why_not}); the Autoposter dashboard seems to run there. Finish in a "
            f"browser signed in to the dashboard as {user.username}: it completes the "
            "connection, and this command shows the account once it appears."
        )
        return _wait_for_account(backend, before, timeout)
    say(f"Waiting for TikTok to send the browser back to {redirect} …")
    result = server.wait(timeout)
    if result.reconnected:
        say("That account was connected already: its authorization is renewed.")
    if result.missing_scopes:
        say(
            "Note: the account did not grant " + ", ".join(result.missing_scopes) + ", so "
            "what needs it will be refused: connect it again and keep every permission ticked."
        )
    return account_record(result.account, ctx.settings, ctx.now())


def listen(redirect_uri: str, finish: Finish) -> tuple[OneCallback | None, str]:
    """A server for ``redirect_uri``, or None and why it cannot be served here."""
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http":
        return None, "it is not a plain http:// address on this machine"
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    try:
        return OneCallback(host, port, parts.path or "/", finish), ""
    except OSError as exc:
        return None, f"{host}:{port}: {exc.strerror or exc}"


class OneCallback:
    """Serves one redirect URI path for a single successful callback."""

    def __init__(self, host: str, port: int, path: str, finish: Finish) -> None:
        self.path = path
        self._finish = finish
        self._done = threading.Event()
        self._result: ConnectResult | None = None
        self._error: AccountsError | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def wait(self, timeout: float) -> ConnectResult:
        """The connect's result once the browser came back; BackendError otherwise."""
        try:
            if not self._done.wait(timeout):
                raise BackendError(
                    f"TikTok did not send the browser back within {timeout:.0f} s, so nothing "
                    "was connected: run `autoposter accounts connect` again and authorize in "
                    "time."
                )
            if self._error is not None:
                raise BackendError(str(self._error), code=type(self._error).__name__)
            assert self._result is not None
            return self._result
        finally:
            self._server.shutdown()
            self._server.server_close()

    def handle(self, target: str) -> tuple[int, str, str]:
        """(HTTP status, title, text) for a GET of ``target``."""
        parts = urlsplit(target)
        if parts.path != self.path:
            return 404, "Not found", "This address only finishes connecting a TikTok account."
        with self._lock:  # one callback at a time; the first that is handled ends it
            if self._done.is_set():
                return 410, "Already done", "This connect has finished: close this tab."
            try:
                self._result = self._finish(dict(parse_qsl(parts.query)))
            except AccountsError as exc:
                self._error = exc
            self._done.set()
        if self._error is not None:
            return 400, "Not connected", str(self._error)
        assert self._result is not None
        account = self._result.account
        return 200, "Connected", f"{account.label} is connected to Autoposter: close this tab."

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, title, text = owner.handle(self.path)
                page = PAGE.format(title=html.escape(title), body=html.escape(text))
                body = page.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the query holds the authorization code: never print or log it

        return Handler


def _wait_for_account(backend: LocalBackend, before: dict[int, str], timeout: float) -> Record:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for account in backend.accounts():
            if before.get(account["id"], "") != account["connected_at"]:
                return account  # new, or connected again just now
        time.sleep(LOOK_EVERY)
    raise BackendError(
        f"No account was connected within {timeout:.0f} s: finish in the dashboard, or run "
        "`autoposter accounts connect` again."
    )
