"""Plans from plan_chunks pass the sandbox's init, which is strict with the same limits (§4.5)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from autoposter.sandbox import RunningSandbox
from autoposter.tiktok import (
    MAX_CHUNK,
    MAX_VIDEO_SIZE,
    MIN_CHUNK,
    FileUpload,
    PrivacyLevel,
    TikTokClient,
    TokenSet,
    VideoPostInfo,
    plan_chunks,
)
from tests.conftest import StartSandbox
from tests.media import make_sparse

from .support import client_for, connect

EDGE_SIZES = [
    1,
    1000,
    4_194_304,
    MIN_CHUNK - 1,
    MIN_CHUNK,
    MIN_CHUNK + 1,
    2 * MIN_CHUNK - 1,
    2 * MIN_CHUNK,
    10_000_000,
    19_999_999,
    20_000_000,
    50_000_123,
    MAX_CHUNK,
    MAX_CHUNK + 1,
    67_108_864,
    127_999_999,
    128_000_000,
    128_000_001,
    1 << 30,
    MAX_VIDEO_SIZE - 1,
    MAX_VIDEO_SIZE,
]
PREFERRED = [MIN_CHUNK, 10_000_000, MAX_CHUNK]
SMALL_SIZES = [1, 4_194_304, MIN_CHUNK, 2 * MIN_CHUNK + 1, 3 * MIN_CHUNK + 17]


@pytest.fixture
def sandbox_for_many_posts(start_sandbox: StartSandbox, tmp_path: Path) -> RunningSandbox:
    creators = tmp_path / "creators.json"
    creators.write_text(
        json.dumps(
            [
                {
                    "key": "public",
                    "username": "plans",
                    "display_name": "Plans",
                    "daily_post_cap": 10_000,
                },
            ]
        )
    )
    return start_sandbox(creators_file=creators)


def init(
    client: TikTokClient, sandbox: RunningSandbox, tokens: TokenSet, size: int, preferred: int
) -> str | None:
    plan = plan_chunks(size, preferred)
    # Stay under the 6 inits per minute per token (§6) without waiting: move the clock.
    sandbox.world.clock.advance(11)
    ticket = client.init_direct_video(
        tokens, VideoPostInfo(PrivacyLevel.SELF_ONLY), FileUpload(plan)
    )
    return ticket.upload_url


def test_every_edge_size_plan_is_accepted(sandbox_for_many_posts: RunningSandbox) -> None:
    sandbox = sandbox_for_many_posts
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        for size in EDGE_SIZES:
            for preferred in PREFERRED:
                assert init(client, sandbox, tokens, size, preferred)


def test_random_size_plans_are_accepted(sandbox_for_many_posts: RunningSandbox) -> None:
    rng = random.Random(20260911)
    sandbox = sandbox_for_many_posts
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        for _ in range(40):
            size = rng.randint(1, MAX_VIDEO_SIZE)
            assert init(client, sandbox, tokens, size, rng.randint(MIN_CHUNK, MAX_CHUNK))


@pytest.mark.parametrize("size", SMALL_SIZES)
def test_small_plans_upload_end_to_end(
    sandbox_for_many_posts: RunningSandbox, tmp_path: Path, size: int
) -> None:
    sandbox = sandbox_for_many_posts
    path = make_sparse(tmp_path / "sparse.mp4", size)
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        url = init(client, sandbox, tokens, size, MIN_CHUNK)
        assert url
        result = client.upload_file(url, path, plan_chunks(size, MIN_CHUNK))
    assert result.bytes_total == size and result.retries == 0
