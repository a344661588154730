"""uvicorn's HTTP protocol, handing request bodies to the app without copying them twice.

Stock uvicorn appends every body piece the parser produces to a ``bytearray`` and, when the
app calls ``receive()``, copies that into a new ``bytes``: two copies of every uploaded byte
plus a fresh large allocation per piece. For the upload endpoint (§4.5, up to 4 GB per
video) that is most of the CPU an upload costs; bench/sandbox_upload.py measures it.

Here the first piece that waits is kept as the very ``bytes`` object the parser made, and
uvicorn's ``receive()`` hands it over unchanged (``bytes(x)`` of a ``bytes`` is ``x``). Only
when more pieces arrive before the app asks are they joined, as uvicorn would. Flow control
(pausing the socket above ``HIGH_WATER_LIMIT``) is unchanged. The class overrides one method
of ``HttpToolsProtocol``; uvicorn is pinned in pyproject.toml, and every upload test runs
through it.
"""

from __future__ import annotations

from typing import cast

from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class ZeroCopyBodyProtocol(HttpToolsProtocol):
    """Pass ``http=ZeroCopyBodyProtocol`` to ``uvicorn.Config``."""

    def on_body(self, body: bytes) -> None:
        cycle = self.cycle
        if (self.parser.should_upgrade() and self._should_upgrade()) or cycle.response_complete:
            return
        # uvicorn types the buffer as a bytearray; a bytes object serves receive() the same.
        cycle.body = cast(bytearray, cycle.body + body if cycle.body else body)
        if len(cycle.body) > HIGH_WATER_LIMIT:
            self.flow.pause_reading()
        cycle.message_event.set()
