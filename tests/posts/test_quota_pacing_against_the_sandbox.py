"""The pacer against the sandbox over HTTP: inits it spaces out are never refused for a rate
limit or a cap it could foresee. The sandbox clock is advanced, never slept on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from autoposter.posts.compose import Delivery
from autoposter.posts.quota import InitPacer, PlannedPost
from autoposter.sandbox import RunningSandbox
from autoposter.tiktok import (
    FileUpload,
    PostingCapReached,
    PrivacyLevel,
    RateLimited,
    TikTokClient,
    TokenSet,
    VideoPostInfo,
    plan_chunks,
)
from tests.conftest import StartSandbox
from tests.sandbox.support import advance_clock
from tests.tiktok.support import client_for, connect

ONLY_ME = VideoPostInfo(PrivacyLevel.SELF_ONLY, title="paced")
SOURCE = FileUpload(plan_chunks(1000))
# These tests jump a day ahead; a token that outlives the jump keeps them about the caps.
LONG_LIVED = 3 * 24 * 3600


def sandbox_now(sandbox: RunningSandbox) -> datetime:
    return datetime.fromtimestamp(sandbox.world.clock.now(), UTC)


def init(client: TikTokClient, tokens: TokenSet, mode: Delivery) -> None:
    if mode is Delivery.DIRECT:
        client.init_direct_video(tokens, ONLY_ME, SOURCE)
    else:
        client.init_inbox_video(tokens, SOURCE)


def paced_init(
    sandbox: RunningSandbox,
    client: TikTokClient,
    tokens: TokenSet,
    history: list[PlannedPost],
    mode: Delivery,
) -> None:
    """What the engine does: ask the pacer, wait (here: advance the clock), record, send."""
    now = sandbox_now(sandbox)
    slot = InitPacer().next_slot(history, mode, now)
    if slot > now:
        advance_clock(sandbox, (slot - now).total_seconds())
    history.append(PlannedPost("public", sandbox_now(sandbox), mode))
    init(client, tokens, mode)


def test_without_pacing_the_seventh_init_in_a_minute_is_refused(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        for _ in range(6):
            init(client, tokens, Delivery.DIRECT)
        with pytest.raises(RateLimited):
            init(client, tokens, Delivery.DIRECT)


def test_paced_inits_are_never_rate_limited(sandbox: RunningSandbox) -> None:
    history: list[PlannedPost] = []
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        for _ in range(13):
            paced_init(sandbox, client, tokens, history, Delivery.DIRECT)
    spread = history[-1].at - history[0].at
    assert 120 <= spread.total_seconds() < 130  # three bursts of five, 62 s apart


def test_the_daily_post_cap_is_waited_out_instead_of_refused(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(access_token_ttl=LONG_LIVED)
    history: list[PlannedPost] = []
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        for _ in range(15):
            paced_init(sandbox, client, tokens, history, Delivery.DIRECT)
        advance_clock(sandbox, 3600)
        with pytest.raises(PostingCapReached):  # what an unpaced 16th post would meet
            init(client, tokens, Delivery.DIRECT)
        paced_init(sandbox, client, tokens, history, Delivery.DIRECT)
    assert (history[-1].at - history[0].at).total_seconds() >= 24 * 3600


def test_a_sixth_pending_draft_is_waited_out_instead_of_refused(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = start_sandbox(access_token_ttl=LONG_LIVED)
    history: list[PlannedPost] = []
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        for _ in range(5):
            paced_init(sandbox, client, tokens, history, Delivery.INBOX)
        advance_clock(sandbox, 3600)
        with pytest.raises(PostingCapReached):
            init(client, tokens, Delivery.INBOX)
        paced_init(sandbox, client, tokens, history, Delivery.INBOX)
    assert (history[-1].at - history[0].at).total_seconds() >= 24 * 3600
