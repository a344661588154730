"""PULL_FROM_URL: the sandbox downloads the media from the app's verified URL (§4.6).

A download runs as a task on the server's event loop. It follows no redirects (a 3xx is an
invalid URL, §4.6), counts ``downloaded_bytes`` as bytes arrive (§4.7), gives up one sandbox
hour after it started, and can be cancelled while it runs (§4.8). When every file is in, the
publish is handed to processing.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import httpx

from . import processing
from .state import Publish, World

log = logging.getLogger("autoposter.sandbox")

PULL_TIMEOUT = 3600.0  # §4.6: a download times out 1 hour after it starts.
READ_TIMEOUT = 30.0  # a silent server is given up on sooner than that, in real seconds


class PullFailed(Exception):
    """The URL could not be downloaded as TikTok requires."""


def pull_fail_reason(publish: Publish) -> str:
    return "photo_pull_failed" if publish.media == "photo" else "video_pull_failed"


def is_verified(world: World, url: str) -> bool:
    """§4.6: a verified URL prefix covers exactly the URLs that start with it."""
    return any(url.startswith(prefix) for prefix in world.verified_url_prefixes)


def source_urls(publish: Publish) -> list[str]:
    if publish.media == "photo":
        return [str(url) for url in publish.source_info.get("photo_images", [])]
    return [str(publish.source_info["video_url"])]


def start_pull(world: World, publish: Publish) -> None:
    """Start downloading in the background; must be called on the server's event loop."""
    task = asyncio.get_running_loop().create_task(_pull(world, publish))
    world.pull_tasks[publish.publish_id] = task
    task.add_done_callback(lambda _: _forget_task(world, publish.publish_id, task))
    world.scheduler.after(PULL_TIMEOUT, lambda: _time_out(world, publish))


def is_downloading(world: World, publish: Publish) -> bool:
    return publish.publish_id in world.pull_tasks and publish.status == "PROCESSING_DOWNLOAD"


def cancel_pull(world: World, publish: Publish) -> None:
    """§4.8: stop the download; the publish fails with ``publish_cancelled``."""
    task = world.pull_tasks.pop(publish.publish_id, None)
    if task is not None:
        task.cancel()
    processing.fail_publish(world, publish, "publish_cancelled")


def _forget_task(world: World, publish_id: str, task: asyncio.Task[None]) -> None:
    if world.pull_tasks.get(publish_id) is task:
        del world.pull_tasks[publish_id]


def _time_out(world: World, publish: Publish) -> None:
    task = world.pull_tasks.pop(publish.publish_id, None)
    if task is None:
        return  # finished, failed or cancelled already
    task.cancel()
    log.info("pull of %s timed out after %.0f s", publish.publish_id, PULL_TIMEOUT)
    processing.fail_publish(world, publish, pull_fail_reason(publish))


async def _pull(world: World, publish: Publish) -> None:
    paths: list[Path] = []
    handed_over = False
    try:
        await _download_all(world, publish, paths)
        if publish.status != "PROCESSING_DOWNLOAD":
            return
        # Downloaded: from here on the publish is processing and can no longer be cancelled.
        world.pull_tasks.pop(publish.publish_id, None)
        publish.media_paths = paths
        handed_over = True
        _hand_to_processing(world, publish)
    except (PullFailed, httpx.HTTPError, OSError) as exc:
        log.info("pull of %s failed: %s", publish.publish_id, exc)
        world.pull_tasks.pop(publish.publish_id, None)
        processing.fail_publish(world, publish, pull_fail_reason(publish))
    finally:
        if not handed_over:
            for path in paths:
                path.unlink(missing_ok=True)


def _hand_to_processing(world: World, publish: Publish) -> None:
    try:
        processing.start_processing(world, publish)
    except Exception:
        # A TikTok-side failure is "internal" and retryable (§4.9).
        log.exception("processing of %s could not start", publish.publish_id)
        processing.fail_publish(world, publish, "internal")


async def _download_all(world: World, publish: Publish, paths: list[Path]) -> None:
    # No redirects (§4.6) and no proxies from the environment: the sandbox talks to the URL.
    client = httpx.AsyncClient(
        follow_redirects=False, timeout=httpx.Timeout(READ_TIMEOUT), trust_env=False
    )
    async with client:
        for index, url in enumerate(source_urls(publish)):
            path = world.data_dir / f"{publish.publish_id}.{index}{_suffix(url)}"
            paths.append(path)
            await _download_one(client, publish, url, path)


async def _download_one(client: httpx.AsyncClient, publish: Publish, url: str, path: Path) -> None:
    async with client.stream("GET", url) as response:
        if response.is_redirect:
            raise PullFailed(f"{url} redirects (HTTP {response.status_code}); §4.6 forbids that")
        if response.status_code != 200:
            raise PullFailed(f"{url} answered HTTP {response.status_code}")
        with path.open("wb") as out:
            async for piece in response.aiter_bytes():
                out.write(piece)
                publish.downloaded_bytes += len(piece)


def _suffix(url: str) -> str:
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return suffix if suffix.isascii() and 1 < len(suffix) <= 6 and suffix[1:].isalnum() else ".bin"
