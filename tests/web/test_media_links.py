"""Signed media links (§4.6): TikTok downloads a photo while its link is valid; a forged,
expired or used-up link gets nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select

from autoposter.posts import cancel_post, create_post
from autoposter.posts.media_store import signed_url
from autoposter.store.models import PostMedia
from tests.engine import Harness
from tests.posts.support import photo_post


def link_for(harness: Harness, photos: tuple[Path, ...]) -> tuple[int, str]:
    post = create_post(harness.ctx, harness.user, harness.account_id, photo_post(photos[:1]))
    with harness.ctx.db.session() as session:
        media = session.scalars(select(PostMedia).where(PostMedia.post_id == post.post.id)).one()
    return post.post.id, signed_url(harness.ctx, media.id, ".jpg", harness.clock())


def test_a_signed_link_serves_the_photo(harness: Harness, photos: tuple[Path, ...]) -> None:
    _, url = link_for(harness, photos)
    assert url.startswith(f"{harness.ctx.settings.public_url}/media/")
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content == photos[0].read_bytes()


def test_a_tampered_link_is_refused(harness: Harness, photos: tuple[Path, ...]) -> None:
    _, url = link_for(harness, photos)
    media_id, rest = url.rsplit("/", 1)[1].split(".", 1)
    forged = url.replace(f"/{media_id}.{rest}", f"/{int(media_id) + 1}.{rest}")
    assert httpx.get(forged).status_code == 403
    assert httpx.get(url[:-8] + "AAAA.jpg").status_code == 403
    assert httpx.get(f"{harness.web.url}/media/not-a-link").status_code == 403


def test_an_expired_link_is_refused(harness: Harness, photos: tuple[Path, ...]) -> None:
    _, url = link_for(harness, photos)
    harness.clock.advance(harness.ctx.settings.media_url_ttl + 1)
    response = httpx.get(url)
    assert response.status_code == 403
    assert "expired" in response.json()["error"]


def test_a_link_to_deleted_media_is_gone(harness: Harness, photos: tuple[Path, ...]) -> None:
    post_id, url = link_for(harness, photos)
    cancel_post(harness.ctx, harness.user, post_id)  # deletes the media
    assert httpx.get(url).status_code == 404


def test_the_health_check_answers(harness: Harness) -> None:
    response = httpx.get(f"{harness.web.url}/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
