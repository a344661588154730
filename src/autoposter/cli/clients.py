"""The TikTok client as the CLI's local mode uses it: reporting uploads, remembering
creator_info for the length of one import.

Both are the ordinary client with one call extended, swapped into the command's Context
before the services use it; nothing else changes about how they talk to TikTok.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ..tiktok import CreatorInfo, TikTokClient
from ..tiktok.chunks import ChunkPlan
from ..tiktok.models import AccessToken, bearer_token
from ..tiktok.upload import ProgressCallback, UploadResult
from .backend import UploadProgress

# §6: creator_info allows 20 queries a minute per token. An import checks, then stores, each
# row, each with a creator_info of its account; remembering one for this long keeps a large
# import within the limit. The worker checks again with a fresh one when it sends (§8 1).
REMEMBER_CREATOR_INFO = 60.0


class ReportingClient(TikTokClient):
    """Reports every upload's progress to ``progress`` (the pipeline asks for none)."""

    def __init__(self, template: TikTokClient, progress: UploadProgress) -> None:
        super().__init__(template.config)
        self._progress = progress

    def upload_file(
        self,
        upload_url: str,
        path: Path | str,
        plan: ChunkPlan,
        content_type: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> UploadResult:
        def report(sent: int, total: int) -> None:
            self._progress(sent, total, "upload to TikTok")
            if on_progress is not None:
                on_progress(sent, total)

        return super().upload_file(upload_url, path, plan, content_type, report)


class RememberingClient(TikTokClient):
    """Answers creator_info from memory for :data:`REMEMBER_CREATOR_INFO` seconds."""

    def __init__(self, template: TikTokClient) -> None:
        super().__init__(template.config)
        self._remembered: dict[str, tuple[float, CreatorInfo]] = {}
        self._lock = threading.Lock()

    def creator_info(self, token: AccessToken) -> CreatorInfo:
        key = bearer_token(token)
        with self._lock:
            found = self._remembered.get(key)
        if found is not None and time.monotonic() - found[0] < REMEMBER_CREATOR_INFO:
            return found[1]
        info = super().creator_info(token)
        with self._lock:
            self._remembered[key] = (time.monotonic(), info)
        return info
