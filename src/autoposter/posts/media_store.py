"""Where a post's media wait until TikTok has them, and the signed links TikTok pulls from.

Files are copied into ``<data dir>/media/<random>/<position><suffix>`` when a post is
composed (the original may be moved or deleted afterwards) and deleted as soon as TikTok has
them: after the last upload chunk for videos, once TikTok's download is over for photos
(DESIGN: "media files are kept only until TikTok confirms receipt"). What a failed, cancelled
or expired post left behind goes in the periodic clean-up.

Photo posts can only be sent as URLs on a prefix verified for the app (§4.4, §4.6), so each
photo gets a signed, expiring link under ``<public_url>/media/``::

    <public_url>/media/<media id>.<expires>.<key id>.<signature><suffix>

The signature is an HMAC-SHA256 of ``<media id>.<expires>`` under a key derived from the
vault key named by ``<key id>``, so links signed before a key rotation keep working until they
expire. The suffix keeps the file's type visible to whoever downloads it.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select, update

from ..accounts import Context
from ..config import Settings
from ..media import MediaError, probe_image, probe_video
from ..store.models import PostMedia
from ..vault import VaultError
from .compose import PostKind

log = logging.getLogger("autoposter.posts")

URL_PURPOSE = "media-url"
MEDIA_PATH = "/media/"
_PHOTO_TYPES = {"jpeg": ("image/jpeg", ".jpg"), "webp": ("image/webp", ".webp")}
_VIDEO_SUFFIXES = {"video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm"}


class MediaLinkInvalid(Exception):
    """A media link whose signature does not verify or that has expired (HTTP 403)."""


class MediaGone(Exception):
    """A media link to a file that no longer exists (HTTP 404)."""


@dataclass(frozen=True)
class StoredFile:
    position: int
    stored_path: str  # relative to Settings.media_dir
    original_name: str
    size_bytes: int
    content_type: str


def store_files(settings: Settings, kind: PostKind, sources: Sequence[Path]) -> list[StoredFile]:
    """Copy a validated post's media into the media directory; all or nothing."""
    folder = secrets.token_hex(8)
    target_dir = settings.media_dir / folder
    target_dir.mkdir(parents=True, exist_ok=True)
    stored: list[StoredFile] = []
    try:
        for position, source in enumerate(sources):
            content_type, suffix = _type_of(kind, source)
            relative = f"{folder}/{position}{suffix}"
            shutil.copyfile(source, settings.media_dir / relative)
            size = (settings.media_dir / relative).stat().st_size
            stored.append(StoredFile(position, relative, source.name, size, content_type))
    except BaseException:
        shutil.rmtree(target_dir, ignore_errors=True)
        raise
    return stored


def _type_of(kind: PostKind, source: Path) -> tuple[str, str]:
    """The Content-Type and suffix of an already validated file, read from its content."""
    try:
        if kind is PostKind.VIDEO:
            content_type = probe_video(source).content_type or "video/mp4"
            return content_type, _VIDEO_SUFFIXES.get(content_type, ".mp4")
        return _PHOTO_TYPES.get(probe_image(source).format, ("image/jpeg", ".jpg"))
    except MediaError:
        # Validation probed it a moment ago; a file changed since fails at TikTok instead.
        return ("video/mp4", ".mp4") if kind is PostKind.VIDEO else ("image/jpeg", ".jpg")


def path_of(settings: Settings, stored_path: str) -> Path:
    return settings.media_dir / stored_path


def remove_stored(settings: Settings, stored_paths: Sequence[str]) -> None:
    """Delete stored files (and their folders once empty); missing files are fine."""
    for relative in stored_paths:
        path = path_of(settings, relative)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty yet, or already gone
            path.parent.rmdir()


def delete_post_media(ctx: Context, post_id: int) -> int:
    """Delete the post's stored files now (TikTok has them, or they are no longer needed)."""
    now = ctx.now()
    with ctx.db.session() as session:
        query = select(PostMedia).where(
            PostMedia.post_id == post_id, PostMedia.deleted_at.is_(None)
        )
        rows = list(session.scalars(query))
        session.execute(
            update(PostMedia)
            .where(PostMedia.id.in_([row.id for row in rows]))
            .values(deleted_at=now)
        )
    remove_stored(ctx.settings, [row.stored_path for row in rows])
    if rows:
        log.info("deleted %d media file(s) of post %d", len(rows), post_id)
    return len(rows)


# --- Signed links ---------------------------------------------------------------------------


def media_prefix(settings: Settings) -> str:
    """The URL prefix to verify for the app in TikTok's developer portal (§4.6)."""
    return settings.public_url.rstrip("/") + MEDIA_PATH


def signed_url(ctx: Context, media_id: int, suffix: str, now: datetime) -> str:
    expires = int((now + timedelta(seconds=ctx.settings.media_url_ttl)).timestamp())
    key_id, signature = ctx.keyring.sign(URL_PURPOSE, _signed_part(media_id, expires))
    return f"{media_prefix(ctx.settings)}{media_id}.{expires}.{key_id}.{signature}{suffix}"


def verify_link(ctx: Context, signed: str) -> int:
    """The media id a link grants, or :class:`MediaLinkInvalid`."""
    parts = signed.split(".")
    if len(parts) not in (4, 5) or not parts[0].isdigit() or not parts[1].isdigit():
        raise MediaLinkInvalid("this is not a media link Autoposter made")
    media_id, expires, key_id, signature = int(parts[0]), int(parts[1]), parts[2], parts[3]
    try:
        genuine = ctx.keyring.verify(
            URL_PURPOSE, _signed_part(media_id, expires), key_id, signature
        )
    except VaultError:
        raise MediaLinkInvalid("this media link was signed with a key no longer known") from None
    if not genuine:
        raise MediaLinkInvalid("this media link's signature does not match")
    if ctx.now().timestamp() > expires:
        raise MediaLinkInvalid("this media link has expired")
    return media_id


def open_link(ctx: Context, signed: str) -> tuple[Path, str]:
    """The file and Content-Type behind a valid link; MediaLinkInvalid or MediaGone."""
    media_id = verify_link(ctx, signed)
    with ctx.db.session() as session:
        media = session.get(PostMedia, media_id)
        if media is None or media.deleted_at is not None:
            raise MediaGone("this media file was deleted: TikTok already has it, or the post ended")
        path, content_type = path_of(ctx.settings, media.stored_path), media.content_type
    if not path.is_file():
        raise MediaGone("this media file is missing from the media directory")
    return path, content_type


def _signed_part(media_id: int, expires: int) -> bytes:
    return f"{media_id}.{expires}".encode("ascii")


def suffix_of(stored_path: str) -> str:
    return Path(stored_path).suffix


# --- The verified prefix --------------------------------------------------------------------


def photo_url_problem(settings: Settings) -> str | None:
    """Why TikTok could not pull photos from this installation, with the fix; None if it can.

    §4.6: TikTok downloads from an https URL under a prefix verified for the app, and a
    prefix's host must not be an IP address. The built-in sandbox is exempt: it is told the
    prefix when it starts.
    """
    if settings.uses_sandbox:
        return None
    prefix = media_prefix(settings)
    parsed = urlsplit(prefix)
    host = parsed.hostname or ""
    reachable = (
        parsed.scheme == "https"
        and host not in ("localhost", "")
        and not host.replace(".", "").isdigit()
    )
    if reachable:
        return None
    return (
        f"Photo posts are sent to TikTok as links under {prefix}, which TikTok cannot use: "
        "it downloads only from https addresses whose host is a name, not an IP (§4.6). Set "
        "AUTOPOSTER_PUBLIC_URL to this server's public https address, then verify that URL "
        "prefix for your app (see verification_steps)."
    )


def verification_steps(settings: Settings) -> str:
    """What the operator does in TikTok's developer portal so photo links are accepted."""
    prefix = media_prefix(settings)
    return (
        f"TikTok only downloads photos from URL prefixes verified for your app. In the TikTok "
        f"developer portal open your app, go to URL properties, add the URL prefix {prefix} "
        "and verify it: TikTok gives you a signature file to serve under that prefix. Once it "
        "shows as verified, post the photos again."
    )
