"""The remote backend: a running Autoposter through its REST API (``/api/v1``).

It speaks the API's contract (docs: ``/docs`` on the instance): bearer API token, JSON
errors ``{"error": {"code", "message", "fields"}}``, posts made from uploaded media ids.
A post is checked as far as possible *before* its media are uploaded: the files are probed
here (the same rules the instance applies) and the other settings go through a
``dry_run``; then the files are uploaded with a progress bar and the post is created.
"""

from __future__ import annotations

import mimetypes
import time
import webbrowser
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext, suppress
from pathlib import Path
from typing import IO, Any

import httpx

from .backend import (
    BackendError,
    FieldProblem,
    PostDraft,
    PostFilters,
    Record,
    UploadProgress,
)

API = "/api/v1"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
UPLOAD_TIMEOUT = httpx.Timeout(300.0, connect=10.0)
CONNECT_POLL = 1.0  # seconds between looks for the newly connected account
PAGE_SIZE = 100
# Fields the dry run before the upload cannot judge, since the media are not there yet.
MEDIA_FIELDS = ("media", "media_ids", "files", "photo_cover_index", "cover_timestamp_ms")


class RemoteBackend:
    sends_while_waiting = False  # the instance's workers send posts

    def __init__(self, url: str, token: str, *, http: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/")
        self._http = http or httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=TIMEOUT,
        )

    def close(self) -> None:
        self._http.close()

    def workers_alive(self) -> int | None:
        """The count ``/readyz`` gives (it answers 503 with the count too)."""
        try:
            alive = self._http.get("/readyz").json()["workers"]["alive"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            return None
        return alive if isinstance(alive, int) else None

    # --- Plumbing ---------------------------------------------------------------------------

    def _call(self, method: str, path: str, **options: Any) -> Any:
        try:
            response = self._http.request(method, API + path, **options)
        except httpx.TransportError as exc:
            raise BackendError(
                f"Autoposter at {self.url} cannot be reached ({exc}): check --url "
                "(AUTOPOSTER_URL) and that the instance is running."
            ) from None
        if response.is_success:
            return response.json() if response.content else None
        raise self._refusal(response)

    def _refusal(self, response: httpx.Response) -> BackendError:
        try:
            error = response.json()["error"]
            message, code = str(error["message"]), str(error["code"])
            fields = [FieldProblem(f["field"], f["message"]) for f in error.get("fields") or []]
        except (ValueError, KeyError, TypeError):
            message, code, fields = "", f"http_{response.status_code}", []
            message = (
                f"{self.url} answered {response.status_code} to {response.request.url.path}, "
                "which is not Autoposter's API: check --url (the instance's address, without "
                "/api/v1)."
            )
        if response.status_code == 401:
            message += " Check --token (AUTOPOSTER_TOKEN): make one on the instance with "
            message += "`autoposter tokens create NAME`."
        return BackendError(message, fields=fields, code=code)

    # --- Accounts ---------------------------------------------------------------------------

    def me(self) -> Record:
        found: Record = self._call("GET", "/me")
        return found

    def accounts(self) -> list[Record]:
        return list(self._call("GET", "/accounts")["items"])

    def connect(self, *, say: Callable[[str], None], open_browser: bool, timeout: float) -> Record:
        before = {a["id"]: a.get("connected_at") for a in self.accounts()}
        started = self._call("POST", "/accounts/connect")
        url = str(started["authorize_url"])
        say("Open this address in a browser signed in to the Autoposter dashboard as you, and")
        say("authorize the TikTok account there (the dashboard finishes the connection):")
        say(url)
        if open_browser:
            webbrowser.open(url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for account in self.accounts():
                if before.get(account["id"], "") != account.get("connected_at"):
                    return account  # new, or connected again just now
            time.sleep(CONNECT_POLL)
        raise BackendError(
            f"No account was connected within {timeout:.0f} s: run `autoposter accounts "
            "connect` again and finish on TikTok in time."
        )

    def disconnect(self, account_id: int) -> Record:
        found: Record = self._call("DELETE", f"/accounts/{account_id}")
        return found

    # --- Posts ------------------------------------------------------------------------------

    def check_post(self, draft: PostDraft) -> list[FieldProblem]:
        problems = probe_media(draft)
        body = {**draft.settings(), "media_ids": [], "confirm": True}
        try:
            self._call("POST", "/posts", params={"dry_run": "true"}, json=body)
        except BackendError as exc:
            if exc.code in ("post_rejected", "invalid_input"):
                problems += [p for p in exc.fields if not p.field.startswith(MEDIA_FIELDS)]
            else:
                raise
        return problems

    def submit_post(self, draft: PostDraft, progress: UploadProgress) -> Record:
        media_ids: list[int] = []
        try:
            for path in draft.files:
                media_ids.append(int(self._upload(path, progress)["id"]))
            body = {**draft.settings(), "media_ids": media_ids, "confirm": True}
            created: Record = self._call("POST", "/posts", json=body)
        except BaseException:
            self._forget_media(media_ids)
            raise
        return created

    def _upload(self, path: Path, progress: UploadProgress) -> Record:
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        with path.open("rb") as file:
            reader = ProgressReader(file, path.stat().st_size, path.name, progress)
            files = {"file": (path.name, reader, content_type)}
            found: Record = self._call("POST", "/media", files=files, timeout=UPLOAD_TIMEOUT)
            return found

    def _forget_media(self, media_ids: list[int]) -> None:
        """Uploaded media no post took (the post was refused): delete them, best effort."""
        for media_id in media_ids:
            with suppress(BackendError):  # the instance expires unused uploads on its own
                self._call("DELETE", f"/media/{media_id}")

    def posts(self, filters: PostFilters) -> list[Record]:
        params: list[tuple[str, str | int]] = [("status", s) for s in filters.statuses]
        if filters.account_id is not None:
            params.append(("account_id", filters.account_id))
        for name, moment in (("since", filters.since), ("until", filters.until)):
            if moment is not None:
                params.append((name, moment.isoformat()))
        found: list[Record] = []
        cursor: str | None = None
        while len(found) < filters.limit:
            page_params = [*params, ("limit", min(PAGE_SIZE, filters.limit - len(found)))]
            if cursor:
                page_params.append(("cursor", cursor))
            try:
                page = self._call("GET", "/posts", params=page_params)
            except BackendError as exc:
                if exc.code == "invalid_input":  # a filter the instance cannot read
                    exc.exit_code = 2
                raise
            found += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return found[: filters.limit]

    def post(self, post_id: int) -> Record:
        found: Record = self._call("GET", f"/posts/{post_id}")
        return found

    def cancel_post(self, post_id: int) -> Record:
        found: Record = self._call("POST", f"/posts/{post_id}/cancel")
        return found

    def sending(self, post_id: int, progress: UploadProgress) -> AbstractContextManager[None]:
        return nullcontext()

    def batch(self) -> AbstractContextManager[None]:
        return nullcontext()

    # --- The user's data and API tokens -----------------------------------------------------

    def export(self) -> Record:
        found: Record = self._call("GET", "/export")
        return found

    def erase(self, confirm_username: str) -> Record:
        found: Record = self._call("POST", "/erase", json={"confirm": confirm_username})
        return found

    def tokens(self) -> list[Record]:
        found = self._call("GET", "/tokens")
        return list(found["items"] if isinstance(found, dict) else found)

    def create_token(self, name: str) -> Record:
        found: Record = self._call("POST", "/tokens", json={"name": name})
        return found

    def revoke_token(self, token_id: int) -> None:
        self._call("DELETE", f"/tokens/{token_id}")


class ProgressReader:
    """A binary file that reports how much of it was read: the multipart body is streamed
    from it piece by piece, so reads are the upload's progress."""

    def __init__(self, file: IO[bytes], total: int, name: str, progress: UploadProgress) -> None:
        self._file, self._total, self._name, self._progress = file, total, name, progress
        self._sent = 0

    def read(self, size: int = -1) -> bytes:
        piece = self._file.read(size)
        self._sent += len(piece)
        self._progress(min(self._sent, self._total), self._total, self._name)
        return piece

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self._file.seek(offset, whence)
        self._sent = position
        return position

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()


def probe_media(draft: PostDraft) -> list[FieldProblem]:
    """The media rules checked here before uploading (the instance checks them again, with
    the creator's own video length limit)."""
    from ..media import inspect_image, inspect_video

    problems: list[FieldProblem] = []
    if draft.kind == "video":
        for path in draft.files:
            _, found = inspect_video(path, None)
            problems += [FieldProblem("media", p.message) for p in found]
        return problems
    for index, path in enumerate(draft.files):
        _, found = inspect_image(path)
        problems += [FieldProblem(f"media[{index}]", p.message) for p in found]
    return problems
