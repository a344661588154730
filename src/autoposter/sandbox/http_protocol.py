"""uvicorn's HTTP protocol, handing request bodies to the app without copying them.

Stock uvicorn feeds every received byte to httptools, which copies each body piece into a
new ``bytes`` for ``on_body``; uvicorn appends that to a ``bytearray`` and copies it again
into the message ``receive()`` returns. For the upload endpoint (§4.5, up to 4 GB per
video) those copies, and the fresh memory behind them, were most of the gap between the
sandbox and a plain sink in bench/sandbox_upload.py. Here a body reaches the app as the
very ``bytes`` objects the event loop read from the socket:

- The parser sees a body's first piece only. Once a request with a ``Content-Length``
  body is past its headers, what the socket delivers goes straight to the app, counted
  down to the declared length (RFC 9112 §6.3: that many bytes, exactly, are the body).
  At the body's end the message is finished by hand and a fresh parser takes whatever
  follows, so keep-alive and pipelined requests work as before. Chunked bodies, upgrades
  and unclear lengths stay on the parser's path.
- A piece waiting for the app is kept as is (``receive()`` does ``bytes(x)``, which is
  ``x`` itself for a ``bytes``); pieces are joined only when several arrive before the
  app asks, which flow control makes rare.
- A connection bringing a body larger than ``RECEIVE_BUFFER_BYTES`` gets a socket receive
  buffer that large, so the client keeps sending while a piece is written to disk (the
  kernel's autotuning grows it to 0.5-2 MB only as each connection goes; the bench went
  from about 1350 to 1460 MiB/s, median, with it). Setting it turns autotuning off for
  the socket and Linux caps it at ``net.core.rmem_max``, so it is set only where that
  cap allows the full size.

Flow control is uvicorn's: reading pauses while more than ``HIGH_WATER_LIMIT`` bytes wait
for the app, and resumes when it calls ``receive()``. uvicorn is pinned in pyproject.toml
(this class leans on its callbacks); every upload test runs through it.
"""

from __future__ import annotations

import contextlib
import functools
import socket
from pathlib import Path
from typing import Any, cast

import httptools
from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

RECEIVE_BUFFER_BYTES = 4 << 20


class ZeroCopyBodyProtocol(HttpToolsProtocol):
    """Pass ``http=ZeroCopyBodyProtocol`` to ``uvicorn.Config``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Bytes of the current request's Content-Length body not received yet.
        self._body_left = 0
        # True while those bytes go to the app without passing through the parser.
        self._bypassing = False

    def data_received(self, data: bytes) -> None:
        if not self._bypassing:
            super().data_received(data)
            self._bypass_rest_of_body()
            return
        self._unset_keepalive_if_required()
        if len(data) < self._body_left:
            self._body_left -= len(data)
            self._deliver(data)
            return
        # The body ends in this piece; a slice of a whole bytes object is that object.
        body, rest = data[: self._body_left], data[self._body_left :]
        self._body_left = 0
        self._deliver(body)
        self._end_bypassed_body()
        if rest:
            self.data_received(rest)  # a pipelined request: back to the parser

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        upgrade = self.parser.should_upgrade()
        self._body_left = 0 if upgrade else declared_body_length(self.headers)

    def on_body(self, body: bytes) -> None:
        self._body_left = max(0, self._body_left - len(body))
        self._deliver(body)

    def on_message_complete(self) -> None:
        self._body_left = 0
        super().on_message_complete()

    def _deliver(self, body: bytes) -> None:
        """uvicorn's ``on_body``, keeping a lone piece as the ``bytes`` it already is."""
        cycle = self.cycle
        if (self.parser.should_upgrade() and self._should_upgrade()) or cycle.response_complete:
            return
        # uvicorn types the buffer as a bytearray; a bytes object serves receive() the same.
        cycle.body = cast(bytearray, cycle.body + body if cycle.body else body)
        if len(cycle.body) > HIGH_WATER_LIMIT:
            self.flow.pause_reading()
        cycle.message_event.set()

    def _bypass_rest_of_body(self) -> None:
        """Past the headers with body bytes still to come: let them skip the parser.

        Not after a request that closes the connection: uvicorn's parser ignores whatever
        follows one, and keeps doing so if it reads the body itself.
        """
        if self._body_left <= 0 or self.transport.is_closing():
            return
        if not self.parser.should_keep_alive():
            return
        self._bypassing = True
        if self._body_left > RECEIVE_BUFFER_BYTES:
            self._widen_receive_buffer()

    def _widen_receive_buffer(self) -> None:
        sock = self.transport.get_extra_info("socket")
        if sock is not None and kernel_allows_receive_buffer(RECEIVE_BUFFER_BYTES):
            with contextlib.suppress(OSError):  # a tuning only; the upload works without it
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)

    def _end_bypassed_body(self) -> None:
        """Do what the parser would at the body's end: finish the message.

        The old parser still waits for the body it never saw, so a fresh one, set up as
        uvicorn sets up its own, reads the next request on the connection.
        """
        self._bypassing = False
        self.parser = httptools.HttpRequestParser(self)
        self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
        self.on_message_complete()


def declared_body_length(headers: list[tuple[bytes, bytes]]) -> int:
    """The Content-Length body's size; 0 when the body is chunked or its length unclear,
    which leaves it to the parser (and its errors)."""
    lengths = [value.strip() for name, value in headers if name == b"content-length"]
    chunked = any(name == b"transfer-encoding" for name, _ in headers)
    if chunked or len(lengths) != 1 or not lengths[0].isdigit():
        return 0
    return int(lengths[0])


@functools.cache
def kernel_allows_receive_buffer(size: int) -> bool:
    """Whether Linux lets a socket's receive buffer be ``size`` bytes (``SO_RCVBUF`` is
    silently capped at ``net.core.rmem_max``, and a capped buffer is worse than autotuning)."""
    try:
        return int(Path("/proc/sys/net/core/rmem_max").read_text()) >= size
    except (OSError, ValueError):
        return False  # not Linux, or not readable: leave the kernel's defaults alone
