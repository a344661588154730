"""Whether any worker runs, as operators see it: ``/readyz`` counts the workers with a fresh
heartbeat (and says how to start one when none has) without ever answering 503 for it, and
``/metrics`` has the gauge ``autoposter_workers_alive``."""

from __future__ import annotations

from pathlib import Path

import httpx

from autoposter.config import Settings
from autoposter.posts.workers import STALE_AFTER, deregister, register
from tests.api.test_health_and_metrics import sample, serve
from tests.engine import Harness


def test_readyz_is_ready_without_a_worker_and_says_how_to_start_one(harness: Harness) -> None:
    response = httpx.get(f"{harness.web.url}/readyz")

    assert response.status_code == 200  # the web process is ready; posts just wait
    body = response.json()
    assert body["status"] == "ok"
    assert body["workers"]["alive"] == 0
    assert "no worker has checked in for 60 s" in body["workers"]["warning"]
    assert "`autoposter worker`" in body["workers"]["warning"]


def test_readyz_counts_the_workers_whose_heartbeat_is_fresh(harness: Harness) -> None:
    first = register(harness.ctx, threads=2)
    register(harness.ctx, threads=4)

    assert httpx.get(f"{harness.web.url}/readyz").json()["workers"] == {"alive": 2}
    deregister(harness.ctx, first.id)
    assert httpx.get(f"{harness.web.url}/readyz").json()["workers"] == {"alive": 1}
    harness.clock.advance(STALE_AFTER.total_seconds() + 1)  # the other stopped beating
    assert httpx.get(f"{harness.web.url}/readyz").json()["workers"]["alive"] == 0


def test_readyz_cannot_count_workers_without_its_database(harness: Harness, tmp_path: Path) -> None:
    gone = "postgresql+psycopg://nobody:secret@127.0.0.1:9/gone"  # nothing listens on 9
    queue = harness.ctx.settings.queue_url
    server = serve(Settings(data_dir=tmp_path, database_url=gone, queue_url=queue))
    try:
        response = httpx.get(f"{server.url}/readyz")
    finally:
        server.stop()

    assert response.status_code == 503  # for the database, not for the workers
    workers = response.json()["workers"]
    assert workers["alive"] is None
    assert "cannot tell whether a worker runs" in workers["warning"]
    assert "DATABASE_URL" in workers["warning"] and "secret" not in response.text


def test_metrics_gauge_the_workers_alive(harness: Harness) -> None:
    text = httpx.get(f"{harness.web.url}/metrics").text
    assert "# TYPE autoposter_workers_alive gauge" in text
    assert sample(text, "autoposter_workers_alive") == 0

    register(harness.ctx, threads=2)

    assert sample(httpx.get(f"{harness.web.url}/metrics").text, "autoposter_workers_alive") == 1
