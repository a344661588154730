"""What the commands ask of an Autoposter instance, local or remote, in one interface.

:class:`~.local.LocalBackend` calls the services on a Context (the database on this machine);
:class:`~.remote.RemoteBackend` calls the REST API (``--url``/``--token``). Both answer with
the same plain dicts, shaped like the REST API's JSON (accounts, posts, tokens…), so the
output code and ``--json`` are shared and a script sees the same fields either way.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

Record = dict[str, Any]

# Where a command reports an upload's progress: (bytes so far, total bytes, file name).
UploadProgress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of a request, in the service's field names."""

    field: str
    message: str

    def as_dict(self) -> Record:
        return {"field": self.field, "message": self.message}


class BackendError(Exception):
    """The instance refused or could not do what was asked; the message says what to do.

    ``exit_code`` 1 is a refused or failed operation, 2 a command line that cannot work
    (a missing option, a bad setting).
    """

    def __init__(
        self,
        message: str,
        *,
        fields: list[FieldProblem] | None = None,
        code: str = "failed",
        exit_code: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or []
        self.code = code
        self.exit_code = exit_code


@dataclass(frozen=True)
class PostDraft:
    """A post as the command line or a CSV row describes it, with the account resolved.

    The field names are the service's and the REST API's; ``publish_at`` is aware (UTC) or
    None for "now".
    """

    account_id: int
    kind: str  # "video" | "photo"
    mode: str  # "direct" | "inbox"
    files: tuple[Path, ...]
    title: str = ""
    description: str = ""
    privacy_level: str | None = None
    allow_comment: bool = False
    allow_duet: bool = False
    allow_stitch: bool = False
    brand_organic: bool = False
    brand_content: bool = False
    is_aigc: bool = False
    publish_at: datetime | None = None
    extra: Record = field(default_factory=dict)

    def settings(self) -> Record:
        """Every field but the files, as the REST API's JSON body takes them."""
        return {
            "account_id": self.account_id,
            "kind": self.kind,
            "mode": self.mode,
            "title": self.title,
            "description": self.description,
            "privacy_level": self.privacy_level,
            "allow_comment": self.allow_comment,
            "allow_duet": self.allow_duet,
            "allow_stitch": self.allow_stitch,
            "brand_organic": self.brand_organic,
            "brand_content": self.brand_content,
            "is_aigc": self.is_aigc,
            "publish_at": self.publish_at.isoformat() if self.publish_at else None,
        }


@dataclass(frozen=True)
class PostFilters:
    account_id: int | None = None
    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50


class Backend(Protocol):
    """One Autoposter instance as one user sees it (see the module docstring)."""

    # Whether ``sending`` sends the post from this process (local) or leaves it to the
    # instance's workers (remote).
    sends_while_waiting: bool

    def close(self) -> None: ...

    def workers_alive(self) -> int | None:
        """How many of the instance's workers have a fresh heartbeat; None when it cannot
        be told (an older instance, or one that does not answer)."""
        ...

    def me(self) -> Record:
        """``{"id", "username", "time_zone", "is_admin"}``."""
        ...

    def accounts(self) -> list[Record]: ...

    def connect(self, *, say: Callable[[str], None], open_browser: bool, timeout: float) -> Record:
        """Start connecting a TikTok account, tell the person where to go (``say``), and
        return the account once connected; BackendError after ``timeout`` seconds."""
        ...

    def disconnect(self, account_id: int) -> Record: ...

    def check_post(self, draft: PostDraft) -> list[FieldProblem]:
        """Every problem found without storing anything; an empty list means go."""
        ...

    def submit_post(self, draft: PostDraft, progress: UploadProgress) -> Record:
        """Store and confirm the post: ``{"post": Post, "warnings": [...]}``."""
        ...

    def posts(self, filters: PostFilters) -> list[Record]: ...

    def post(self, post_id: int) -> Record:
        """The post with its ``history``."""
        ...

    def cancel_post(self, post_id: int) -> Record: ...

    def sending(self, post_id: int, progress: UploadProgress) -> AbstractContextManager[None]:
        """While ``--wait`` watches the post: the local backend sends it from this process
        when it is due (reporting the upload to TikTok to ``progress``); the remote one
        leaves that to the instance's workers."""
        ...

    def batch(self) -> AbstractContextManager[None]:
        """Around many posts at once (an import): the local backend remembers each account's
        creator_info for a minute instead of asking TikTok twice per row (§6)."""
        ...

    def export(self) -> Record: ...

    def erase(self, confirm_username: str) -> Record: ...

    def tokens(self) -> list[Record]: ...

    def create_token(self, name: str) -> Record: ...

    def revoke_token(self, token_id: int) -> None: ...
