"""Benchmark: the publishing pipeline end to end, on the default setup.

The default setup: a SQLite database and a SQLite queue (SqliteHuey) in one data directory,
worked by ``autoposter worker`` processes (the real command, default timings). TikTok is the
sandbox, in this process, with its rate limits on (§6: 6 inits, 20 creator_info and 30 status
fetches a minute per token) and no processing or moderation delay. Two scenarios:

1. **burst**: 5,000 posts (each a different small video) over 1,000 accounts, all due now.
   Posts per second from the moment the workers are started (their start-up counts) until
   the last one is published.
2. **steady**: 3,000 posts over the same accounts, due one every 0.1 s for 5 minutes.
   Lateness of each init, when the sandbox accepted it, against the post's due time: p50/p99.

Both count the 429s the sandbox answered (a counter on its rate limiter) and duplicates
(contents published more than once, by the sandbox's content hashes). Targets on a 2-core
machine: burst ≥ 100 posts/s, steady p99 lateness ≤ 2 s, no 429 and no duplicate.

Baseline, measured in the same run (DESIGN "Testing"): the same TikTok calls per post
(creator_info, init, upload, status until published) made straight by the TikTok client
from 32 threads of one process, on 200 creators of their own: no database, queue, pacing or
worker. The burst is reported as a ratio to it too.

The fleet is made untimed: 1,000 sandbox creators (a creators file), each connected through
the real connect flow (``start_connect``, the sandbox's consent form, ``finish_connect``),
eight at a time; posts are composed through ``create_and_confirm`` (creator_info, media
probing, storing) in two processes. Human lines first; the LAST line is one JSON object.
Usage: ``.venv/bin/python bench/pipeline.py`` (``--help`` for smaller runs).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from multiprocessing import get_context
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

import av
import httpx
from sqlalchemy import func, select

from autoposter.accounts import Context, create_user, finish_connect, get_user, start_connect
from autoposter.config import load_settings
from autoposter.posts import PostKind, PostRequest, create_and_confirm
from autoposter.posts.compose import Delivery
from autoposter.posts.machine import FINAL
from autoposter.sandbox import RunningSandbox, SandboxConfig, start_in_thread
from autoposter.sandbox.errors import ApiError
from autoposter.sandbox.ratelimit import RateLimiter
from autoposter.store import upgrade
from autoposter.store.models import Post, PostStatusEvent
from autoposter.tiktok import (
    FileUpload,
    PrivacyLevel,
    TikTokClient,
    TikTokConfig,
    VideoPostInfo,
    plan_chunks,
)

TARGET_POSTS_PER_SECOND = 100.0
TARGET_P99_LATENESS = 2.0
CONNECT_THREADS = 8
COMPOSE_PROCESSES = 2
COMPOSE_BATCH = 50
BASELINE_CREATORS = 200
BASELINE_THREADS = 32
POSTS_PER_CREATOR = 5  # within one minute's init budget of a token (§6)
# §6's one-minute windows plus margin: steady posts start once the burst's inits stopped
# counting against their accounts.
RATE_WINDOW = 65.0
SCOPES = ("user.info.basic", "user.info.profile", "video.publish")


def log(message: str) -> None:
    print(message, flush=True)


# --- The sandbox and its 429 counter ----------------------------------------------------------


class CountingRateLimiter(RateLimiter):
    """The sandbox's own rate limiter, counting the 429s it answers."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    def check(self, token: str, endpoint: str, now: float) -> None:
        try:
            super().check(token, endpoint, now)
        except ApiError:
            self.refused += 1
            raise


def creator_keys(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{i:05d}" for i in range(count)]


def start_sandbox(directory: Path, keys: list[str], redirect_uri: str) -> RunningSandbox:
    seeds = [
        {"key": key, "username": key.replace("-", "."), "display_name": key.title()}
        | {"daily_post_cap": 100, "existing_videos": 0}
        for key in keys
    ]
    (directory / "creators.json").write_text(json.dumps(seeds), encoding="utf-8")
    config = SandboxConfig(
        redirect_uris=[redirect_uri],
        creators_file=directory / "creators.json",
        data_dir=directory / "sandbox",
        processing_delay=0.0,
        moderation_delay=0.0,
        active_user_cap=len(keys),
    )
    sandbox = start_in_thread(config)
    sandbox.world.limiter = CountingRateLimiter()  # before any request: same limits, counted
    return sandbox


def refused(sandbox: RunningSandbox) -> int:
    limiter = sandbox.world.limiter
    assert isinstance(limiter, CountingRateLimiter)
    return limiter.refused


def duplicates(sandbox: RunningSandbox) -> int:
    """Publishes beyond the first of the same content that reached PUBLISH_COMPLETE."""
    done = Counter(
        p.content_hash for p in sandbox.world.publishes.values() if p.status == "PUBLISH_COMPLETE"
    )
    return sum(count - 1 for content, count in done.items() if content is not None)


def consent(sandbox: RunningSandbox, authorize_url: str, key: str) -> dict[str, str]:
    """The sandbox's consent form as the creator sends it; the callback's query."""
    params = dict(parse_qsl(urlsplit(authorize_url).query))
    form: dict[str, Any] = {**params, "creator": key, "decision": "authorize"}
    form["grant"] = params["scope"].split(",")
    answer = httpx.post(f"{sandbox.url}/v2/auth/authorize/", data=form, timeout=30)
    if answer.status_code != 302:
        raise RuntimeError(f"consent for {key} answered {answer.status_code}: {answer.text}")
    return dict(parse_qsl(urlsplit(answer.headers["location"]).query))


def connect_accounts(
    ctx: Context, sandbox: RunningSandbox, user_id: int, keys: list[str]
) -> list[int]:
    """Autoposter's connect flow for each creator; their account ids."""

    def connect(key: str) -> int:
        user = get_user(ctx, user_id)
        start = start_connect(ctx, user)
        return finish_connect(ctx, user, consent(sandbox, start.authorize_url, key)).account.id

    with ThreadPoolExecutor(CONNECT_THREADS) as pool:
        return list(pool.map(connect, keys))


# --- Content ----------------------------------------------------------------------------------


def make_base_video(path: Path) -> Path:
    """One second of 360×640 H.264 at 24 fps: the smallest video TikTok takes (§4.10)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(24))
        stream.width, stream.height, stream.pix_fmt = 360, 640, "yuv420p"
        for i in range(24):
            frame = av.VideoFrame(360, 640, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes([(40 + 5 * i) % 256]) * plane.buffer_size)
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@dataclass
class Videos:
    """Copies of a base video made distinct by a trailing MP4 ``free`` box (which probes
    skip), so the sandbox's content hash tells every post apart."""

    base: Path
    directory: Path
    made: int = 0

    def take(self, count: int) -> list[Path]:
        self.directory.mkdir(parents=True, exist_ok=True)
        data = self.base.read_bytes()
        paths = []
        for i in range(self.made, self.made + count):
            payload = f"bench content {i:08d}".encode()
            path = self.directory / f"{i:06d}.mp4"
            path.write_bytes(data + struct.pack(">I", 8 + len(payload)) + b"free" + payload)
            paths.append(path)
        self.made += count
        return paths


# --- The baseline: the client alone, in a process of its own ----------------------------------


def client_for(sandbox_url: str, redirect_uri: str) -> TikTokClient:
    defaults = SandboxConfig()
    return TikTokClient(
        TikTokConfig(
            client_key=defaults.client_key,
            client_secret=defaults.client_secret,
            redirect_uri=redirect_uri,
            authorize_url=f"{sandbox_url}/v2/auth/authorize/",
            api_base=sandbox_url,
        )
    )


def baseline_tokens(sandbox: RunningSandbox, redirect_uri: str, keys: list[str]) -> list[str]:
    client = client_for(sandbox.url, redirect_uri)

    def token(key: str) -> str:
        query = consent(sandbox, client.authorize_url(SCOPES, state=key), key)
        return client.exchange_code(query["code"]).access_token

    try:
        with ThreadPoolExecutor(CONNECT_THREADS) as pool:
            return list(pool.map(token, keys))
    finally:
        client.close()


def _client_post(client: TikTokClient, token: str, path: Path) -> None:
    client.creator_info(token)
    plan = plan_chunks(path.stat().st_size)
    info = VideoPostInfo(PrivacyLevel.PUBLIC_TO_EVERYONE, title=f"baseline {path.stem}")
    ticket = client.init_direct_video(token, info, FileUpload(plan))
    assert ticket.upload_url is not None
    client.upload_file(ticket.upload_url, path, plan, "video/mp4")
    while client.fetch_status(token, ticket.publish_id).status != "PUBLISH_COMPLETE":
        time.sleep(0.05)


def _client_run(sandbox_url: str, redirect_uri: str, jobs: list[tuple[str, str]]) -> float:
    """Every (token, video) post from BASELINE_THREADS threads; the seconds it took."""
    client = client_for(sandbox_url, redirect_uri)
    started = time.monotonic()
    with ThreadPoolExecutor(BASELINE_THREADS) as pool:
        list(pool.map(lambda job: _client_post(client, job[0], Path(job[1])), jobs))
    client.close()
    return time.monotonic() - started


def run_baseline(
    sandbox: RunningSandbox, redirect_uri: str, keys: list[str], videos: Videos
) -> dict[str, Any]:
    tokens = baseline_tokens(sandbox, redirect_uri, keys)
    paths = videos.take(len(tokens) * POSTS_PER_CREATOR)
    jobs = [(tokens[i % len(tokens)], str(path)) for i, path in enumerate(paths)]
    before = refused(sandbox)
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        seconds = pool.submit(_client_run, sandbox.url, redirect_uri, jobs).result()
    result = {
        "posts": len(jobs),
        "threads": BASELINE_THREADS,
        "seconds": round(seconds, 2),
        "posts_per_s": round(len(jobs) / seconds, 1),
        "429s": refused(sandbox) - before,
    }
    log(
        f"baseline: the client alone posted {len(jobs)} in {seconds:.1f} s = "
        f"{result['posts_per_s']} posts/s ({BASELINE_THREADS} threads, no database or queue)"
    )
    return result


# --- Composing, in processes of their own -----------------------------------------------------

Job = tuple[int, str, float | None]  # account id, video path, due epoch (None: now)
_composer: tuple[Context, int] | None = None


def _start_composer(settings: dict[str, str], user_id: int) -> None:
    global _composer
    _composer = (Context.from_settings(load_settings(**settings)), user_id)


def _compose_batch(batch: list[Job]) -> list[int]:
    assert _composer is not None
    ctx, user_id = _composer
    user = get_user(ctx, user_id)
    post_ids = []
    for account_id, path, due in batch:
        request = PostRequest(
            kind=PostKind.VIDEO,
            media=(Path(path),),
            mode=Delivery.DIRECT,
            privacy_level="PUBLIC_TO_EVERYONE",
            title=f"bench {Path(path).stem} #bench",
            publish_at=datetime.fromtimestamp(due, UTC) if due is not None else None,
        )
        post_ids.append(create_and_confirm(ctx, user, account_id, request).post.id)
    return post_ids


def compose(settings: dict[str, str], user_id: int, jobs: list[Job]) -> list[int]:
    """Compose and confirm every job, in COMPOSE_PROCESSES processes."""
    batches = [jobs[i : i + COMPOSE_BATCH] for i in range(0, len(jobs), COMPOSE_BATCH)]
    with ProcessPoolExecutor(
        COMPOSE_PROCESSES,
        mp_context=get_context("spawn"),
        initializer=_start_composer,
        initargs=(settings, user_id),
    ) as pool:
        return [post_id for ids in pool.map(_compose_batch, batches) for post_id in ids]


# --- Workers ----------------------------------------------------------------------------------


@dataclass
class Workers:
    """``autoposter worker`` processes on the bench's settings; their output in ``logs``."""

    env: dict[str, str]
    processes: int
    threads: int
    logs: Path
    running: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = field(default_factory=list)

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        command = [*autoposter_command(), "worker", "--workers", str(self.threads)]
        for n in range(self.processes):
            output = (self.logs / f"worker-{n}.log").open("ab")
            process = subprocess.Popen(command, env=self.env, stdout=output, stderr=output)
            self.running.append((process, output))

    def check(self) -> None:
        for process, _ in self.running:
            if process.poll() is not None:
                raise RuntimeError(f"a worker exited with {process.returncode}: see {self.logs}")

    def stop(self) -> None:
        for process, _ in self.running:
            process.send_signal(signal.SIGTERM)
        for process, output in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            output.close()
        self.running.clear()


def autoposter_command() -> list[str]:
    script = Path(sys.executable).with_name("autoposter")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from autoposter.cli import main; main()"]


# --- Measuring --------------------------------------------------------------------------------


def wait_until_final(ctx: Context, post_ids: list[int], workers: Workers, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with ctx.db.session() as session:
            open_posts = session.scalar(
                select(func.count())
                .select_from(Post)
                .where(Post.id.between(min(post_ids), max(post_ids)), Post.status.not_in(FINAL))
            )
        if not open_posts:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{open_posts} posts still not final after {timeout:.0f} s")
        workers.check()
        time.sleep(0.25)


def post_rows(ctx: Context, post_ids: list[int]) -> list[Post]:
    with ctx.db.session() as session:
        query = select(Post).where(Post.id.between(min(post_ids), max(post_ids)))
        return list(session.scalars(query))


def reached(ctx: Context, post_ids: list[int], status: str) -> dict[int, datetime]:
    """When each post first moved to ``status``."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(PostStatusEvent.post_id, func.min(PostStatusEvent.at))
            .where(
                PostStatusEvent.post_id.between(min(post_ids), max(post_ids)),
                PostStatusEvent.to_status == status,
                PostStatusEvent.from_status != status,
            )
            .group_by(PostStatusEvent.post_id)
        )
        return {post_id: at for post_id, at in rows}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def outcome(posts: list[Post]) -> dict[str, int]:
    return dict(Counter(post.status for post in posts))


# --- The scenarios ----------------------------------------------------------------------------


@dataclass
class Bench:
    ctx: Context
    sandbox: RunningSandbox
    settings: dict[str, str]
    user_id: int
    account_ids: list[int]
    videos: Videos
    workers: Workers

    def jobs(self, due: list[float | None]) -> list[Job]:
        accounts = self.account_ids
        paths = self.videos.take(len(due))
        return [(accounts[i % len(accounts)], str(p), due[i]) for i, p in enumerate(paths)]


def run_burst(bench: Bench, posts: int) -> tuple[dict[str, Any], float]:
    """Compose ``posts`` due now while no worker runs, then start the workers and time them.
    Returns the result and the composing rate (posts/s)."""
    started = time.monotonic()
    post_ids = compose(bench.settings, bench.user_id, bench.jobs([None] * posts))
    compose_rate = posts / (time.monotonic() - started)
    log(f"burst: composed {posts} posts ({compose_rate:.0f}/s); starting the workers")
    before = refused(bench.sandbox)
    t0 = datetime.now(UTC)
    bench.workers.start()
    wait_until_final(bench.ctx, post_ids, bench.workers, timeout=max(600.0, posts / 5))
    published = reached(bench.ctx, post_ids, "published")
    seconds = (max(published.values(), default=t0) - t0).total_seconds()
    queued = reached(bench.ctx, post_ids, "queued")
    result = {
        "posts": posts,
        "accounts": len(bench.account_ids),
        "seconds": round(seconds, 2),
        "posts_per_s": round(len(published) / seconds, 1) if seconds > 0 else 0.0,
        "outcome": outcome(post_rows(bench.ctx, post_ids)),
        "429s": refused(bench.sandbox) - before,
        "duplicates": duplicates(bench.sandbox),
    }
    last_claim = (max(queued.values(), default=t0) - t0).total_seconds()
    log(
        f"burst: {len(published)} published in {seconds:.1f} s = {result['posts_per_s']} "
        f"posts/s (target ≥ {TARGET_POSTS_PER_SECOND:.0f}); the dispatcher claimed the last "
        f"post at {last_claim:.1f} s; 429s {result['429s']}, duplicates "
        f"{result['duplicates']}, {result['outcome']}"
    )
    return result, compose_rate


def run_steady(
    bench: Bench, posts: int, seconds: float, compose_rate: float, not_before: float
) -> dict[str, Any]:
    """Posts due evenly over ``seconds``, composed while the workers run (none due yet)."""
    first_due = max(time.time() + posts / compose_rate * 1.5 + 15.0, not_before)
    due: list[float | None] = [first_due + i * seconds / posts for i in range(posts)]
    before = refused(bench.sandbox)
    post_ids = compose(bench.settings, bench.user_id, bench.jobs(due))
    slack = first_due - time.time()
    log(f"steady: composed {posts} posts; the first is due in {slack:.1f} s")
    if slack < 0:
        log("steady: WARNING composing overran the first due time; lateness includes it")
    wait_until_final(bench.ctx, post_ids, bench.workers, timeout=seconds + 600.0)
    rows = post_rows(bench.ctx, post_ids)
    publishes = bench.sandbox.world.publishes
    lateness = [
        publishes[post.publish_id].created_at - post.publish_at.timestamp()
        for post in rows
        if post.publish_id in publishes and post.publish_at is not None
    ]
    queued = reached(bench.ctx, post_ids, "queued")
    claimed = [
        (queued[p.id] - p.publish_at).total_seconds()
        for p in rows
        if p.id in queued and p.publish_at is not None
    ]
    result = {
        "posts": posts,
        "over_s": seconds,
        "p50_lateness_s": round(percentile(lateness, 0.50), 3),
        "p99_lateness_s": round(percentile(lateness, 0.99), 3),
        "max_lateness_s": round(max(lateness, default=float("nan")), 3),
        "outcome": outcome(rows),
        "429s": refused(bench.sandbox) - before,
        "duplicates": duplicates(bench.sandbox),
    }
    log(
        f"steady: init lateness p50 {result['p50_lateness_s']} s, p99 "
        f"{result['p99_lateness_s']} s (target ≤ {TARGET_P99_LATENESS:.0f}), max "
        f"{result['max_lateness_s']} s; the dispatcher claimed posts p50 "
        f"{percentile(claimed, 0.5):.3f} s, p99 {percentile(claimed, 0.99):.3f} s after due; "
        f"429s {result['429s']}, duplicates {result['duplicates']}, {result['outcome']}"
    )
    return result


# --- Set-up and main --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(settings: dict[str, str]) -> dict[str, str]:
    """The workers' environment: the bench's settings, nothing inherited of Autoposter's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOSTER_")}
    env.pop("DATABASE_URL", None)
    env.pop("QUEUE_URL", None)
    env.update({f"AUTOPOSTER_{name.upper()}": value for name, value in settings.items()})
    return env


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The publishing pipeline end to end.")
    parser.add_argument("--accounts", type=int, default=1000, help="connected creators")
    parser.add_argument(
        "--burst-posts", type=int, default=5000, help="posts all due at once (≤ 5 per account)"
    )
    parser.add_argument("--steady-posts", type=int, default=3000, help="posts due one by one")
    parser.add_argument(
        "--steady-seconds", type=float, default=300.0, help="the steady posts fall due over this"
    )
    parser.add_argument("--worker-processes", type=int, default=2, help="`autoposter worker`s")
    parser.add_argument("--worker-threads", type=int, default=32, help="--workers of each")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    return parser.parse_args()


def verdict(baseline: dict[str, Any], burst: dict[str, Any], steady: dict[str, Any]) -> str:
    met = {
        "burst": burst["posts_per_s"] >= TARGET_POSTS_PER_SECOND,
        "steady": steady["p99_lateness_s"] <= TARGET_P99_LATENESS,
        "no_429s": burst["429s"] == 0 and steady["429s"] == 0,
        "no_duplicates": burst["duplicates"] == 0 and steady["duplicates"] == 0,
    }
    return json.dumps(
        {
            "bench": "pipeline",
            "burst": burst,
            "steady": steady,
            "baseline": baseline,
            "burst_vs_baseline": round(burst["posts_per_s"] / baseline["posts_per_s"], 3),
            "targets": {
                "burst_posts_per_s": TARGET_POSTS_PER_SECOND,
                "steady_p99_lateness_s": TARGET_P99_LATENESS,
                "429s": 0,
                "duplicates": 0,
            },
            "met": met,
        }
    )


def main() -> None:
    args = parse_args()
    directory = Path(tempfile.mkdtemp(prefix="autoposter-bench-pipeline-"))
    public_url = f"http://127.0.0.1:{free_port()}"
    redirect_uri = public_url + "/accounts/callback"
    fleet, own = creator_keys("bench", args.accounts), creator_keys("base", BASELINE_CREATORS)
    sandbox = start_sandbox(directory, fleet + own, redirect_uri)
    # Everything else is Autoposter's default: SQLite database and queue in data_dir.
    settings = {"data_dir": str(directory / "data"), "sandbox_url": sandbox.url}
    settings["public_url"] = public_url
    ctx = Context.from_settings(load_settings(**settings), check_schema=False)
    workers = Workers(
        environment(settings), args.worker_processes, args.worker_threads, directory / "logs"
    )
    try:
        upgrade(ctx.settings.database)
        videos = Videos(make_base_video(directory / "base.mp4"), directory / "media")
        baseline = run_baseline(sandbox, redirect_uri, own, videos)
        user = create_user(ctx, "bench", "bench password 123")
        started = time.monotonic()
        account_ids = connect_accounts(ctx, sandbox, user.id, fleet)
        log(f"connected {len(account_ids)} accounts in {time.monotonic() - started:.1f} s")
        log(
            f"workers: {args.worker_processes} × `autoposter worker --workers "
            f"{args.worker_threads}`, SQLite database and queue in {directory / 'data'}"
        )
        bench = Bench(ctx, sandbox, settings, user.id, account_ids, videos, workers)
        burst, compose_rate = run_burst(bench, args.burst_posts)
        not_before = time.time() + RATE_WINDOW
        steady = run_steady(bench, args.steady_posts, args.steady_seconds, compose_rate, not_before)
    finally:
        workers.stop()
        ctx.close()
        sandbox.stop()
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
    log(verdict(baseline, burst, steady))


if __name__ == "__main__":
    main()
