"""/healthz, /readyz (the database and the queue answer, or which does not) and /metrics
(Prometheus' text format, counted from the database at scrape time)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from autoposter.accounts import Context
from autoposter.config import Settings
from autoposter.store import Database
from autoposter.store.models import Post
from autoposter.web import RunningServer, create_app, start_in_thread
from tests.api.conftest import Api
from tests.api.listing import insert_posts


def test_ready_when_the_database_and_the_queue_answer(api: Api) -> None:
    response = httpx.get(f"{api.harness.web.url}/readyz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["checks"]) == ("ok", {"database": "ok", "queue": "ok"})


def serve(settings: Settings) -> RunningServer:
    return start_in_thread(create_app(Context(settings, Database(settings.database))))


def test_not_ready_when_the_database_is_gone(api: Api, tmp_path: Path) -> None:
    gone = "postgresql+psycopg://nobody:secret@127.0.0.1:9/gone"  # nothing listens on 9
    queue = api.harness.ctx.settings.queue_url
    server = serve(Settings(data_dir=tmp_path, database_url=gone, queue_url=queue))
    try:
        response = httpx.get(f"{server.url}/readyz")
        health = httpx.get(f"{server.url}/healthz")
    finally:
        server.stop()
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["queue"] == "ok"
    assert "the database does not answer" in checks["database"]
    assert "DATABASE_URL" in checks["database"] and "secret" not in response.text
    assert health.status_code == 503


def test_not_ready_when_the_queue_is_gone(api: Api, tmp_path: Path) -> None:
    settings = api.harness.ctx.settings
    server = serve(
        Settings(
            data_dir=tmp_path, database_url=settings.database, queue_url="redis://127.0.0.1:9/0"
        )
    )
    try:
        response = httpx.get(f"{server.url}/readyz")
    finally:
        server.stop()
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert "the queue does not answer" in checks["queue"] and "QUEUE_URL" in checks["queue"]


def sample(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} missing from:\n{text}"
    return float(match.group(1))


def test_metrics_count_posts_queue_errors_and_uploaded_bytes(api: Api, clip: Path) -> None:
    ctx, ana = api.harness.ctx, api.ana
    media = api.ana.http.post("/media", files={"file": (clip.name, clip.read_bytes())}).json()
    body = {"account_id": ana.account_id, "media_ids": [media["id"]], "privacy_level": "SELF_ONLY"}
    published = api.ana.http.post("/posts", json=body).json()["post"]["id"]
    api.harness.finish(published)
    now = api.harness.clock()
    failed = insert_posts(
        ctx, ana.user.id, ana.account_id, [now, now], status="failed", created_at=now
    )
    with ctx.db.session() as session:
        for post_id, code in zip(failed, ["spam_risk_too_many_posts", 'odd"code'], strict=True):
            session.get(Post, post_id).fail_code = code  # type: ignore[union-attr]
    insert_posts(ctx, ana.user.id, ana.account_id, [None], status="draft", created_at=now)

    response = httpx.get(f"{api.harness.web.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.text
    assert "# TYPE autoposter_posts gauge" in text
    assert sample(text, 'autoposter_posts{status="published"}') == 1
    assert sample(text, 'autoposter_posts{status="failed"}') == 2
    assert sample(text, 'autoposter_posts{status="draft"}') == 1
    assert sample(text, 'autoposter_posts{status="expired"}') == 0
    assert sample(text, "autoposter_queue_depth") == 0
    assert sample(text, 'autoposter_tiktok_errors{code="spam_risk_too_many_posts"}') == 1
    assert sample(text, 'autoposter_tiktok_errors{code="odd\\"code"}') == 1  # escaped
    assert sample(text, "autoposter_uploaded_bytes") == clip.stat().st_size
    assert sample(text, 'autoposter_accounts{status="connected"}') == 2


def test_the_queue_depth_is_what_waits_for_a_worker(api: Api) -> None:
    api.harness.engine.enqueue(12345)  # a task no worker has taken yet
    text = httpx.get(f"{api.harness.web.url}/metrics").text
    assert sample(text, "autoposter_queue_depth") == 1
