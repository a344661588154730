"""QUEUE_URL picks the queue with no other change: SQLite (default), Redis or PostgreSQL; tasks
take ids, and huey's immediate mode runs a post to its end in the caller."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from huey import PostgresHuey, RedisHuey, SqliteHuey

from autoposter.config import Settings
from autoposter.jobs import build_engine, huey_for
from tests.databases import POSTGRES_ENV, database_for
from tests.engine import REDIS_ENV, Harness
from tests.posts.support import video_post


def test_the_default_queue_is_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.queue_url == f"sqlite:///{tmp_path / 'queue.db'}"
    queue = huey_for(settings.queue_url)
    assert isinstance(queue, SqliteHuey)


def test_a_redis_url_selects_redis(tmp_path: Path) -> None:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"needs {REDIS_ENV}")
    queue = huey_for(url, name="test-" + uuid.uuid4().hex[:8])
    assert isinstance(queue, RedisHuey)
    round_trip(queue)


def test_a_postgresql_url_selects_postgresql(tmp_path: Path) -> None:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"needs {POSTGRES_ENV}")
    for url in database_for("postgresql", tmp_path):
        queue = huey_for(url.replace("postgresql+psycopg://", "postgresql://"))
        assert isinstance(queue, PostgresHuey)
        round_trip(queue)
        queue.storage.close()


def round_trip(queue: object) -> None:
    """A task enqueued through this queue comes out of it again, with its id."""
    seen: list[int] = []
    task = queue.task(name="remember")(seen.append)  # type: ignore[attr-defined]
    task(42)
    message = queue.dequeue()  # type: ignore[attr-defined]
    queue.execute(message)  # type: ignore[attr-defined]
    assert seen == [42]
    queue.flush()  # type: ignore[attr-defined]


def test_an_unknown_queue_url_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="use sqlite:///PATH, redis://HOST:PORT/DB or postgresql"):
        huey_for("amqp://127.0.0.1/")


def test_in_immediate_mode_dispatching_runs_the_post_to_its_end(
    harness: Harness, clip: Path, tmp_path: Path
) -> None:
    immediate = huey_for(f"sqlite:///{tmp_path / 'unused.db'}", immediate=True)
    engine = build_engine(harness.ctx, huey=immediate)
    post = harness.compose(video_post(clip))
    assert engine.dispatch() == [post.id]
    assert harness.post(post.id).status == "published"
