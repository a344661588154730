"""The TikTok client: every call of the OAuth, Display and Content Posting APIs (and the
chunked upload, §4.5) in one object."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from types import TracebackType

import httpx

from .config import TikTokConfig
from .display import DisplayApi
from .oauth import OAuthApi
from .posting import PostingApi
from .transport import Transport
from .upload import UploadApi


class TikTokClient(OAuthApi, DisplayApi, PostingApi, UploadApi):
    """Synchronous, thread-safe client of one TikTok app.

    Use it as a context manager, or call :meth:`close`. ``http`` may be a preconfigured
    ``httpx.Client`` (proxies, custom transports); ``sleep``/``rng`` drive retry backoff.
    """

    def __init__(
        self,
        config: TikTokConfig,
        *,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._transport = Transport(config, http, sleep=sleep, rng=rng)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> TikTokClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
