"""What happens after TikTok has the bytes (§4.0, §4.7, §4.9, §4.10, §9).

The media checks and the content hash run in a worker thread (probing and hashing a large
file would stall every other request on the event loop). Their outcome is applied after
``processing_delay`` sandbox seconds by the scheduler, on the event loop, so every state
change of a publish happens in one place. Before each transition the publish's status is
checked again: a publish cancelled or failed meanwhile is never brought back, and one whose
creator revoked the app's access meanwhile fails with ``auth_removed`` (§4.9).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from . import media, webhooks
from .state import Publish, Video, World

log = logging.getLogger("autoposter.sandbox")

PROCESSING_STATUSES = frozenset({"PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD"})
HASH_BLOCK = 1 << 20

# Tasks waiting for a worker thread; asyncio keeps only weak references to tasks.
_running: set[asyncio.Task[None]] = set()


@dataclass(frozen=True)
class Outcome:
    """The result of examining a publish's media: what was measured and what failed."""

    info: media.MediaInfo | None
    fail_reason: str | None
    content_hash: str | None


def start_processing(world: World, publish: Publish) -> None:
    """Called once all bytes are in (last chunk uploaded, or PULL_FROM_URL download done).

    On the sandbox's event loop the examination is handed to a worker thread; from any other
    thread (which is already off that loop) it runs right there. Either way the outcome is handed to
    the scheduler, whose heap push is one C call under the GIL, so that is safe off the loop.
    """
    started = world.now()
    if not world.scheduler.on_own_loop():
        _conclude(world, publish, started, examine(world, publish))
        return
    task = asyncio.get_running_loop().create_task(_examine_in_thread(world, publish, started))
    _running.add(task)
    task.add_done_callback(_running.discard)


async def _examine_in_thread(world: World, publish: Publish, started: float) -> None:
    outcome = await asyncio.to_thread(examine, world, publish)
    _conclude(world, publish, started, outcome)


def _conclude(world: World, publish: Publish, started: float, outcome: Outcome) -> None:
    publish.content_hash = outcome.content_hash
    if outcome.info is not None:
        publish.probed = {
            "width": outcome.info.width,
            "height": outcome.info.height,
            "duration": outcome.info.duration or 0.0,
        }
    due = started + world.config.processing_delay
    world.scheduler.at(due, lambda: _finish(world, publish, outcome))


def media_files(publish: Publish) -> list[Path]:
    """Downloaded files (PULL_FROM_URL) or the one uploaded file (FILE_UPLOAD)."""
    if publish.media_paths:
        return list(publish.media_paths)
    return [publish.upload.path] if publish.upload is not None else []


def examine(world: World, publish: Publish) -> Outcome:
    """Probe, check, hash, then delete the media: the sandbox keeps only the hash (§9)."""
    paths = media_files(publish)
    try:
        if publish.media == "photo":
            info, reason = media.inspect_photos(paths)
        elif paths:
            info, reason = media.inspect_video(paths[0], _max_duration(world, publish))
        else:
            info, reason = None, media.FORMAT_FAILED
        return Outcome(info, reason, content_hash(paths))
    except Exception:
        # §4.9: a failure on TikTok's side is "internal", which tells the client to retry.
        log.exception("examining the media of %s failed", publish.publish_id)
        return Outcome(None, "internal", None)
    finally:
        for path in paths:
            path.unlink(missing_ok=True)


def _max_duration(world: World, publish: Publish) -> int:
    creator = world.creators.get(publish.open_id)
    if creator is None:
        return media.API_MAX_DURATION_SEC
    return creator.seed.max_video_post_duration_sec


def content_hash(paths: list[Path]) -> str:
    """SHA-256 of the media bytes, files in order, read in blocks to keep memory flat."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as file:
            while block := file.read(HASH_BLOCK):
                digest.update(block)
    return digest.hexdigest()


def publish_type(publish: Publish) -> str:
    """§7.2: direct posts report DIRECT_PUBLISH, inbox shares INBOX_SHARE."""
    return "DIRECT_PUBLISH" if publish.mode == "DIRECT_POST" else "INBOX_SHARE"


def _finish(world: World, publish: Publish, outcome: Outcome) -> None:
    if publish.status not in PROCESSING_STATUSES:
        return  # cancelled, revoked or failed while processing: leave it be
    if world.config.faults.stuck_processing:
        return  # the fault: processing never ends
    if world.grants.get(publish.open_id) is None:
        # §4.9: the creator revoked the app's access while the media was processing.
        fail_publish(world, publish, "auth_removed")
    elif outcome.fail_reason is not None:
        fail_publish(world, publish, outcome.fail_reason)
    elif publish.mode == "DIRECT_POST":
        _complete_direct_post(world, publish)
    else:
        _deliver_to_inbox(world, publish)


def fail_publish(world: World, publish: Publish, reason: str) -> None:
    """Move a publish to FAILED once, and tell the app through ``post.publish.failed``."""
    if publish.final:
        return
    publish.status = "FAILED"
    publish.fail_reason = reason
    publish.finished_at = world.now()
    content = {
        "publish_id": publish.publish_id,
        "reason": reason,
        "publish_type": publish_type(publish),
    }
    webhooks.emit(world, "post.publish.failed", publish.open_id, content)


def _complete_direct_post(world: World, publish: Publish) -> None:
    publish.status = "PUBLISH_COMPLETE"
    publish.finished_at = world.now()
    content = {"publish_id": publish.publish_id, "publish_type": publish_type(publish)}
    webhooks.emit(world, "post.publish.complete", publish.open_id, content)
    add_post(world, publish)


def _deliver_to_inbox(world: World, publish: Publish) -> None:
    # §4.0: the draft waits in the creator's inbox until they finish it in the app.
    publish.status = "SEND_TO_USER_INBOX"
    content = {"publish_id": publish.publish_id, "publish_type": "INBOX_SHARE"}
    webhooks.emit(world, "post.publish.inbox_delivered", publish.open_id, content)


def goes_public(world: World, privacy_level: str | None) -> bool:
    """Only PUBLIC_TO_EVERYONE posts become public, and never for an unaudited app (§6, §9)."""
    return privacy_level == "PUBLIC_TO_EVERYONE" and world.config.audited


def add_post(world: World, publish: Publish, privacy_level: str | None = None) -> Video | None:
    """Put a post made from ``publish`` on the creator's profile.

    A public post becomes visible, with its id in ``publicaly_available_post_id`` and a
    ``post.publish.publicly_available`` webhook, only after ``moderation_delay`` (§4.0,
    §4.7). The posting room also calls this when an inbox draft is completed, passing the
    privacy the creator chose in the app.
    """
    creator = world.creators.get(publish.open_id)
    if creator is None:
        return None
    title = str(publish.post_info.get("title") or "")
    video = Video(
        id=world.ids.digits(19),
        create_time=int(world.now()),
        title=title,
        video_description=str(publish.post_info.get("description") or title),
        duration=round(publish.probed.get("duration", 0.0)),
        width=int(publish.probed.get("width", 0)),
        height=int(publish.probed.get("height", 0)),
        public=False,
    )
    creator.videos.append(video)
    if goes_public(world, privacy_level or publish.privacy_level):
        world.scheduler.after(
            world.config.moderation_delay, lambda: _pass_moderation(world, publish, video)
        )
    return video


def _pass_moderation(world: World, publish: Publish, video: Video) -> None:
    if publish.status != "PUBLISH_COMPLETE":
        return
    video.public = True
    post_id = int(video.id)
    if post_id not in publish.post_ids:
        publish.post_ids.append(post_id)
    content = {
        "publish_id": publish.publish_id,
        "post_id": video.id,  # §7.2: a string in webhooks, a number in status/fetch
        "publish_type": publish_type(publish),
    }
    webhooks.emit(world, "post.publish.publicly_available", publish.open_id, content)
