"""Benchmark: the posts list page and ``GET /api/v1/posts`` with 100,000 posts stored.

Issue 6 asks, with 100,000 posts in the default SQLite database, for p99 ≤ 50 ms on both the
dashboard's posts list (``GET /posts``, signed in with a session cookie) and the REST API's
``GET /api/v1/posts`` (bearer token) under 20 concurrent clients, and for no page whose cost
grows with the total number of posts.

Data (``web_data.py``): a fresh data directory, upgraded like ``autoposter db upgrade``; one
user with 10 accounts, a second user owning every 200th post; posts over a year in every
status, with their events and media; built with Core inserts in seconds.

Server: ``autoposter serve`` in a subprocess on a free port, as the product runs it (one
uvicorn process, access log on; ``serve`` has no ``--workers``), so the load generator's CPU
stays out of the server's GIL. Client and server share the machine (2 cores here), and the
machine is shared with others, so every figure is also given as a ratio to ``/healthz``
measured in the same run: it costs one database round trip and no rendering, so the ratio
is what a list adds. Each pass also reports the CPU time the server process and the load
generator spent per request (from ``/proc``, warm-up included): it hardly moves with what
else runs on the machine, so it is the figure to compare between runs and commits.

Two load models, both 20 clients in one asyncio process, each with its own keep-alive
connection, cycling through the target's URLs: the first page, the second, one half-way
down and the last (with the cursor the list hands out, made by the listing's own encoder),
one account's posts, failed posts, drafts, and queued posts (a filter only a few posts
match). Each client first sends unrecorded warm-up requests, then a fixed number of
measured ones. The clients speak bare HTTP/1.1 on asyncio streams (``Connection``): httpx
would spend 1–1.5 ms of the machine's CPU per request, a third of a list's server time.

1. **20 concurrent clients** (the target's measurement, ``concurrent`` and ``met`` in the
   JSON): each client sends its next request ``--think-ms`` (100) after the previous answer,
   like a person or a script paging through; the clients start spread over one think time.
   The server sees up to 20 requests at once but not a flood: about 20 ÷ (think + latency)
   requests a second (≈ 190/s at 100 ms), so a p99 here is what a client waits when 20 are
   busy at once, queueing included.
2. **Saturation** (``saturation``): the same clients with no think time, each sending its
   next request as soon as the previous answer is read. Every request then queues behind
   the other 19, so p50 ≈ clients ÷ throughput (Little's law): the latency says nothing of
   one request, the throughput is the machine's capacity for this page (server and load
   generator together, on 2 cores). Kept to show the headroom: the think-time model stays
   fast only while its offered load is below this throughput.

Growth: a second data set of 1,000 posts, served at the same time, measured under
saturation target by target right after the large one; the ratio large ÷ small of the p50s
(≈ 1.0: flat; ``/healthz``'s own ratio shows the noise). Under load one slow URL delays all
the others, so each URL is also timed alone: one client, requests alternating between the
two servers, median each. ``met.flat`` holds when no URL's one-client ratio exceeds 1.5.

``--profile DIR`` then runs one more saturation pass per list target against a server whose
every thread runs under cProfile (CPU time), counting its SQL statements, writes
``DIR/<target>.prof`` and ``.sql.json``, and prints CPU milliseconds per request.

Human lines first; the LAST line is one JSON object.
Usage: ``.venv/bin/python bench/web.py`` (``--help`` for options, ``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import json
import os
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from autoposter.accounts import Context
from autoposter.config import load_settings
from autoposter.web.pages.session import CSRF_COOKIE, SESSION_COOKIE
from web_data import ACCOUNTS, DataSet, build_dataset

TARGET_P99_MS = 50.0
FLAT_TOLERANCE = 1.5  # a URL whose one-client p50 grows more than this "grows"
SMALL_POSTS = 1000
TARGETS = ("healthz", "posts_page", "api_posts")
LISTS = ("posts_page", "api_posts")
# Summaries by data set size and target; each list URL measured alone, by target and label.
Results = dict[int, dict[str, dict[str, Any]]]
Alone = dict[str, dict[str, dict[str, float]]]


def log(message: str) -> None:
    print(message, flush=True)


# --- The server -------------------------------------------------------------------------------


@dataclass
class Server:
    """A web app process on one data set; its output goes to ``<data set>/server.log``."""

    process: subprocess.Popen[bytes]
    url: str
    output: IO[bytes]
    # uvicorn shuts down cleanly on either, then re-raises it: SIGTERM's default action ends
    # the process at once, SIGINT's KeyboardInterrupt lets the profiled server save its data.
    stop_signal: int = signal.SIGTERM

    def stop(self) -> None:
        self.process.send_signal(self.stop_signal)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.output.close()


def start_server(dataset: DataSet, profile_to: Path | None = None) -> Server:
    """``autoposter serve`` on the data set (or the profiled server: serve_profiled)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    if profile_to is None:
        command = [*autoposter_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    else:
        command = [sys.executable, __file__, "--serve-profiled", str(profile_to)]
        command += ["--port", str(port)]
    log_path = dataset.directory / "server.log"
    output = log_path.open("ab")
    process = subprocess.Popen(command, env=environment(dataset, url), stdout=output, stderr=output)
    server = Server(process, url, output, signal.SIGINT if profile_to else signal.SIGTERM)
    try:
        wait_until_healthy(server, log_path)
    except BaseException:
        server.stop()
        raise
    return server


def wait_until_healthy(server: Server, log_path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the web app exited with {server.process.returncode}: {log_path}")
        try:
            if httpx.get(server.url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # a real process starting up: there is no clock to advance
    raise RuntimeError(f"the web app did not answer /healthz within {timeout:.0f} s: {log_path}")


def environment(dataset: DataSet, url: str) -> dict[str, str]:
    """The server's environment: the data set's settings, nothing inherited of Autoposter's.
    The secret key is the one the session cookie was signed with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOSTER_")}
    env.pop("DATABASE_URL", None)
    env.pop("QUEUE_URL", None)
    env["AUTOPOSTER_DATA_DIR"] = str(dataset.data_dir)
    env["AUTOPOSTER_SECRET_KEY"] = dataset.secret_key
    env["AUTOPOSTER_PUBLIC_URL"] = url
    return env


def autoposter_command() -> list[str]:
    script = Path(sys.executable).with_name("autoposter")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from autoposter.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- Targets and load -------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a target's clients send: labelled URLs to cycle through, and credentials."""

    name: str
    urls: list[tuple[str, str]]
    headers: dict[str, str]
    cookies: dict[str, str]

    def client(self, server: Server) -> httpx.Client:
        return httpx.Client(
            base_url=server.url, headers=self.headers, cookies=self.cookies, timeout=60
        )


def target_for(name: str, dataset: DataSet) -> Target:
    if name == "healthz":
        return Target(name, [("healthz", "/healthz")], {}, {})
    page = name == "posts_page"
    base, account = ("/posts", "account") if page else ("/api/v1/posts", "account_id")
    cursors = dataset.cursors
    urls = [
        ("first", base),
        ("page_2", f"{base}?cursor={cursors['page_2']}"),
        ("middle", f"{base}?cursor={cursors['middle']}"),
        ("last", f"{base}?cursor={cursors['last']}"),
        ("account", f"{base}?{account}={dataset.account_id}"),
        ("failed", f"{base}?status=failed"),
        ("drafts", f"{base}?status=draft"),
        ("queued", f"{base}?status=queued"),
    ]
    if page:
        # A browser holds its CSRF cookie from the first page on; without it every page
        # would issue a new one.
        cookies = {SESSION_COOKIE: dataset.cookie, CSRF_COOKIE: "bench-csrf-seed"}
        return Target(name, urls, {}, cookies)
    return Target(name, urls, {"Authorization": f"Bearer {dataset.token}"}, {})


def probe(server: Server, target: Target) -> None:
    """Each URL once: the bench times 200s only, and only the user's own posts."""
    with target.client(server) as client:
        for label, url in target.urls:
            answer = client.get(url)
            if answer.status_code != 200:
                raise RuntimeError(
                    f"{target.name} {label}: GET {url} answered {answer.status_code} "
                    f"{answer.headers.get('location', '')}{answer.text[:300]}"
                )
            if target.name == "api_posts":
                foreign = [p for p in answer.json()["items"] if p["account_id"] == ACCOUNTS + 1]
                if foreign:
                    raise RuntimeError(f"GET {url} listed the other user's posts: {foreign[:1]}")


@dataclass(frozen=True)
class Load:
    """How the clients send: ``think`` seconds between an answer and the next request
    (0: a closed loop, saturation), ``warmup`` unrecorded requests then ``requests``."""

    clients: int
    warmup: int
    requests: int
    think: float = 0.0


@dataclass(frozen=True)
class Sample:
    label: str
    started: float
    ended: float
    status: int

    @property
    def seconds(self) -> float:
        return self.ended - self.started


class Connection:
    """One client's keep-alive connection: GET with the target's headers, read the answer.

    A bare HTTP/1.1 client on asyncio streams, for the answers this app gives (a body with
    Content-Length): httpx spends 1–1.5 ms of CPU per request, a third of what the server
    spends on a list, on the same 2 cores. Real clients run on their own machines.
    """

    def __init__(self, server: Server, target: Target) -> None:
        host, port = server.url.removeprefix("http://").split(":")
        self.address = (host, int(port))
        headers = {"Host": f"{host}:{port}", **target.headers}
        if target.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in target.cookies.items())
        self.head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, url: str) -> int:
        """The answer's status, its body read and dropped."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(*self.address)
        reader, writer = self.streams
        writer.write(f"GET {url} HTTP/1.1\r\n{self.head}\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = CONTENT_LENGTH.search(head)
        if length is None:
            raise RuntimeError(f"GET {url}: an answer without Content-Length: {head[:300]!r}")
        await reader.readexactly(int(length.group(1)))
        return int(head[9:12])

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            await self.streams[1].wait_closed()


CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*(\d+)")


async def client_loop(
    connection: Connection, target: Target, index: int, load: Load, into: list[Sample]
) -> None:
    """One client: its next request ``load.think`` after the last answer (at once with no
    think time); clients start spread over one think time so they do not move in step."""
    await asyncio.sleep(load.think * index / load.clients)
    for n in range(load.warmup + load.requests):
        label, url = target.urls[(index + n) % len(target.urls)]
        started = time.perf_counter()
        status = await connection.get(url)
        if n >= load.warmup:
            into.append(Sample(label, started, time.perf_counter(), status))
        if load.think:
            await asyncio.sleep(load.think)


async def measure(server: Server, target: Target, load: Load) -> tuple[list[Sample], float]:
    """The measured samples of every client, and the time from the first measured request
    to the last answer (requests per second: the samples over it)."""
    connections = [Connection(server, target) for _ in range(load.clients)]
    samples: list[Sample] = []
    try:
        await asyncio.gather(
            *(client_loop(c, target, i, load, samples) for i, c in enumerate(connections))
        )
    finally:
        await asyncio.gather(*(c.close() for c in connections))
    wall = max(s.ended for s in samples) - min(s.started for s in samples)
    return samples, wall


def run_pass(server: Server, target: Target, load: Load) -> dict[str, Any]:
    """One pass of ``load`` on the target, summarised with the CPU each side spent per
    request (warm-up included): unlike latency, CPU time hardly moves with whatever else
    runs on the machine, so it is the figure to compare between runs."""
    probe(server, target)
    server_before, client_before = process_cpu(server.process.pid), time.process_time()
    samples, wall = asyncio.run(measure(server, target, load))
    server_after, client_after = process_cpu(server.process.pid), time.process_time()
    sent = load.clients * (load.warmup + load.requests)
    summary = summarize(samples, wall, target)
    if server_before is not None and server_after is not None:
        summary["server_cpu_ms_per_request"] = round((server_after - server_before) * 1e3 / sent, 2)
    summary["client_cpu_ms_per_request"] = round((client_after - client_before) * 1e3 / sent, 2)
    return summary


def process_cpu(pid: int) -> float | None:
    """CPU seconds the process (all its threads) has used, from Linux's /proc; else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def latencies(samples: list[Sample]) -> dict[str, float]:
    millis = [s.seconds * 1000 for s in samples]
    return {
        "p50_ms": round(percentile(millis, 0.5), 2),
        "p99_ms": round(percentile(millis, 0.99), 2),
    }


def summarize(samples: list[Sample], wall: float, target: Target) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "requests": len(samples),
        **latencies(samples),
        "max_ms": round(max(s.seconds for s in samples) * 1000, 2),
        "requests_per_s": round(len(samples) / wall, 1),
        "errors": sum(1 for s in samples if s.status != 200),
    }
    if len(target.urls) > 1:
        summary["urls"] = {
            label: latencies([s for s in samples if s.label == label]) for label, _ in target.urls
        }
    return summary


def describe(target: str, posts: int, summary: dict[str, Any]) -> str:
    lines = [
        f"{target:<10} {posts:>7,} posts: p50 {summary['p50_ms']:6.1f} ms, p99 "
        f"{summary['p99_ms']:6.1f} ms, max {summary['max_ms']:6.1f} ms, "
        f"{summary['requests_per_s']:.0f} req/s, errors {summary['errors']}; CPU per request: "
        f"server {summary.get('server_cpu_ms_per_request', '?')} ms, "
        f"client {summary['client_cpu_ms_per_request']} ms"
    ]
    for label, figures in summary.get("urls", {}).items():
        lines.append(
            f"{'':>12}{label:<8} p50 {figures['p50_ms']:6.1f} ms, p99 {figures['p99_ms']:6.1f} ms"
        )
    return "\n".join(lines)


def one_client(
    large: tuple[Server, Target], small: tuple[Server, Target], requests: int
) -> dict[str, dict[str, float]]:
    """Each URL alone: one client alternating between the two servers, so both see the
    same machine; the median of each and their ratio."""
    figures = {}
    clients = [target.client(server) for server, target in (large, small)]
    try:
        for i, (label, _) in enumerate(large[1].urls):
            times: tuple[list[float], list[float]] = ([], [])
            for n in range(3 + requests):  # 3 unrecorded first
                for side, (_, target) in enumerate((large, small)):
                    started = time.perf_counter()
                    clients[side].get(target.urls[i][1])
                    if n >= 3:
                        times[side].append((time.perf_counter() - started) * 1000)
            big, little = statistics.median(times[0]), statistics.median(times[1])
            figures[label] = {"p50_ms": round(big, 2), "small_p50_ms": round(little, 2)}
            figures[label]["ratio"] = round(big / little, 2)
    finally:
        for client in clients:
            client.close()
    return figures


# --- Profiling --------------------------------------------------------------------------------


def serve_profiled(out: Path, port: int) -> None:
    """``autoposter serve`` with every thread under cProfile and SQL statements counted.

    cProfile sees only the thread that enabled it, and the app runs its sync work in a thread
    pool, so each new thread starts a profiler of its own (threading.setprofile); they are
    merged when uvicorn stops (SIGINT). Runs in the server subprocess (``--serve-profiled``).
    """
    from sqlalchemy import event

    from autoposter.logs import setup_logging
    from autoposter.web import create_app, serve

    settings = load_settings()
    setup_logging(settings, "serve")
    ctx = Context.from_settings(settings)
    statements: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements[" ".join(statement.split())[:160]] += 1

    event.listen(ctx.db.engine, "before_cursor_execute", count)
    # Thread CPU time, not wall time: with 20 clients on one interpreter a thread waiting for
    # the GIL would charge the wait to whichever C call (a SQLite step) it had just left.
    profiles = [cProfile.Profile(time.thread_time)]

    def profile_this_thread(*_args: Any) -> None:
        profiles.append(cProfile.Profile(time.thread_time))
        profiles[-1].enable()  # replaces this hook for the thread

    threading.setprofile(profile_this_thread)
    profiles[0].enable()
    try:
        serve(create_app(ctx), "127.0.0.1", port)
    except KeyboardInterrupt:
        pass  # the SIGINT the bench stops it with
    finally:
        for profile in profiles:
            profile.disable()
        stats = pstats.Stats(profiles[0])
        for profile in profiles[1:]:
            stats.add(profile)
        stats.dump_stats(out)
        out.with_suffix(".sql.json").write_text(json.dumps(statements.most_common(), indent=1))
        ctx.close()


# Where the time goes, in the app and the libraries it leans on; idle waits left out.
PROFILED = re.compile(
    r"autoposter/|sqlite3|jinja2/environment.py.*render|markupsafe/__init__.py.*escape"
    r"|orm/loading.py.*(instances|_instance\))|pool/base.py.*(_checkout|__connect)"
    r"|fastapi/routing.py.*(serialize_response|run_endpoint_function)|logging/__init__.py.*handle"
    r"|anyio/to_thread.py|pydantic_core"
)


def profile_target(dataset: DataSet, name: str, directory: Path, args: argparse.Namespace) -> None:
    """One load pass on a profiled server; prints CPU ms per request by function."""
    path = directory / f"{name}.prof"
    server = start_server(dataset, profile_to=path)
    target = target_for(name, dataset)
    try:
        probe(server, target)
        asyncio.run(measure(server, target, saturation(args)))
    finally:
        server.stop()
    sent = len(target.urls) + args.clients * (args.warmup + args.requests)
    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    rows = []
    for (file, line, function), (_cc, calls, own, total, _callers) in stats.items():
        where = f"{file}:{line}({function})"
        if PROFILED.search(where) and total * 1000 / sent >= 0.05:
            rows.append((total, own, calls, where.removeprefix(str(Path.cwd()))))
    log(f"--- {name}: CPU ms per request (cumulative, own), {sent} requests; {path}")
    for total, own, calls, where in sorted(rows, reverse=True)[:40]:
        per_request = f"{total * 1000 / sent:7.2f} {own * 1000 / sent:6.2f} {calls / sent:7.1f}×"
        log(f"{per_request}  {where[-100:]}")
    log(f"--- {name}: SQL statements per request ({path.with_suffix('.sql.json')})")
    for text, times in json.loads(path.with_suffix(".sql.json").read_text()):
        log(f"{times / sent:6.2f}  {text}")


# --- Report and main --------------------------------------------------------------------------


def short(count: int) -> str:
    return f"{count / 1000:g}k" if count >= 1000 else str(count)


def model(args: argparse.Namespace) -> str:
    return (
        f"{args.clients} concurrent clients, each sending its next request {args.think_ms:g} ms "
        "after the previous answer (a closed loop with think time, one keep-alive connection "
        "each); p50/p99 of every measured request as the clients time it, queueing included"
    )


def report(
    args: argparse.Namespace, concurrent: dict[str, Any], results: Results, alone: Alone
) -> dict[str, Any]:
    out: dict[str, Any] = {"bench": "web", "posts": args.posts, "clients": args.clients}
    out |= {"think_ms": args.think_ms, "requests_per_client": args.requests}
    out["concurrent"] = with_ratios(concurrent)
    out["saturation"] = with_ratios(results[args.posts])
    out["growth"] = growth(args, results, alone) if alone else None
    met: dict[str, Any] = {"model": model(args)}
    for n in LISTS:
        met[f"{n}_p99"] = concurrent[n]["p99_ms"] <= TARGET_P99_MS and not concurrent[n]["errors"]
    if alone:
        met["flat"] = all(u["ratio"] <= FLAT_TOLERANCE for n in LISTS for u in alone[n].values())
    return out | {"target_p99_ms": TARGET_P99_MS, "met": met}


def with_ratios(summaries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each target's summary; the lists' with their p50, p99 and server CPU per request
    over /healthz's."""
    baseline = summaries["healthz"]
    out = {"healthz": baseline}
    for name in LISTS:
        figures = summaries[name]
        out[name] = figures | {
            "p50_ratio_to_healthz": round(figures["p50_ms"] / baseline["p50_ms"], 2),
            "p99_ratio_to_healthz": round(figures["p99_ms"] / baseline["p99_ms"], 2),
        }
        cpu = "server_cpu_ms_per_request"
        if figures.get(cpu) and baseline.get(cpu):
            out[name]["server_cpu_ratio_to_healthz"] = round(figures[cpu] / baseline[cpu], 2)
    return out


def growth(args: argparse.Namespace, results: Results, alone: Alone) -> dict[str, Any]:
    """Large over small: each target's p50 and p99 under load, and each URL's alone."""
    large, small = results[args.posts], results[args.small_posts]
    figures: dict[str, Any] = {"small_posts": args.small_posts}
    over = f"{short(args.posts)}_over_{short(args.small_posts)}"
    for name in TARGETS:
        for stat in ("p50", "p99"):
            ratio = large[name][f"{stat}_ms"] / small[name][f"{stat}_ms"]
            figures[f"{name}_{stat}_{over}"] = round(ratio, 2)
    return figures | {"one_client": alone}


def saturation(args: argparse.Namespace) -> Load:
    return Load(args.clients, args.warmup, args.requests)


def run(args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    secret_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
    sizes = [args.posts] + ([args.small_posts] if 0 < args.small_posts < args.posts else [])
    datasets = []
    for n in sizes:
        started = time.monotonic()
        datasets.append(build_dataset(directory / f"posts-{n}", n, secret_key))
        log(f"data set: {n:,} posts stored in {time.monotonic() - started:.1f} s")
    results: Results = {n: {} for n in sizes}
    alone: Alone = {}
    servers: list[Server] = []
    try:
        servers = [start_server(dataset) for dataset in datasets]
        concurrent = measure_concurrent(datasets[0], servers[0], args)
        log(
            f"saturation: {args.clients} clients with no think time, each {args.warmup} "
            f"warm-up and {args.requests} measured requests per target and data set"
        )
        for name in TARGETS:  # each target on both data sets back to back: the same noise
            measure_target(name, datasets, servers, args, results, alone)
    finally:
        for server in servers:
            server.stop()
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
        for name in LISTS:
            profile_target(datasets[0], name, args.profile, args)
    return report(args, concurrent, results, alone)


def measure_concurrent(
    dataset: DataSet, server: Server, args: argparse.Namespace
) -> dict[str, dict[str, Any]]:
    """The target's measurement: each target in turn, the clients thinking between requests."""
    load = Load(args.clients, args.warmup, args.requests, args.think_ms / 1000)
    log(
        f"concurrent: {load.clients} clients, {args.think_ms:g} ms between an answer and the "
        f"next request, each {load.warmup} warm-up and {load.requests} measured requests"
    )
    summaries = {}
    for name in TARGETS:
        summaries[name] = run_pass(server, target_for(name, dataset), load)
        log(describe(name, dataset.posts, summaries[name]))
    return summaries


def measure_target(
    name: str,
    datasets: list[DataSet],
    servers: list[Server],
    args: argparse.Namespace,
    results: Results,
    alone: Alone,
) -> None:
    """The target at saturation on each data set, then (with two) each URL alone."""
    targets = [target_for(name, dataset) for dataset in datasets]
    for dataset, server, target in zip(datasets, servers, targets, strict=True):
        results[dataset.posts][name] = run_pass(server, target, saturation(args))
        log(describe(name, dataset.posts, results[dataset.posts][name]))
    if len(servers) == 2:
        pairs = list(zip(servers, targets, strict=True))
        alone[name] = one_client(pairs[0], pairs[1], args.one_client_requests)
        log(f"{name} alone (one client), {short(args.posts)} / {short(args.small_posts)} posts:")
        for label, f in alone[name].items():
            figures = f"{f['p50_ms']:6.1f} / {f['small_p50_ms']:6.1f} ms = {f['ratio']}×"
            log(f"{'':>12}{label:<8} p50 {figures}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    option = parser.add_argument
    option("--posts", type=int, default=100_000, help="posts in the large data set")
    option("--small-posts", type=int, default=SMALL_POSTS, help="posts in the small one (0: none)")
    option("--clients", type=int, default=20, help="concurrent clients")
    option("--think-ms", type=float, default=100.0, help="from an answer to the next request")
    option("--requests", type=int, default=100, help="measured requests per client and target")
    option("--warmup", type=int, default=5, help="unmeasured requests per client first")
    option("--one-client-requests", type=int, default=30, help="per URL and data set, alone")
    option("--quick", action="store_true", help="10,000 posts, 25 requests per client")
    option("--profile", type=Path, metavar="DIR", help="then profile the list targets into DIR")
    option("--keep", action="store_true", help="keep the data directories")
    option("--serve-profiled", type=Path, help=argparse.SUPPRESS)
    option("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.posts, args.requests, args.warmup, args.one_client_requests = 10_000, 25, 2, 10
    return args


def main() -> None:
    args = parse_args()
    if args.serve_profiled is not None:
        serve_profiled(args.serve_profiled, args.port)
        return
    directory = Path(tempfile.mkdtemp(prefix="autoposter-bench-web-"))
    try:
        result = run(args, directory)
    finally:
        if args.keep:
            log(f"data kept in {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    log(f"model: {result['met']['model']}")
    for name in LISTS:
        summary, word = (
            result["concurrent"][name],
            "within" if result["met"][f"{name}_p99"] else "OVER",
        )
        busiest = result["saturation"][name]["requests_per_s"]
        log(
            f"{name}: p99 {summary['p99_ms']} ms = {summary['p99_ratio_to_healthz']}× /healthz's "
            f"p99; {word} the {TARGET_P99_MS:.0f} ms target ({summary['requests_per_s']:.0f} "
            f"req/s offered; {busiest:.0f} req/s at saturation)"
        )
    if "flat" in result["met"]:
        grown = [
            f"{name} {label} {figures['ratio']}×"
            for name in LISTS
            for label, figures in result["growth"]["one_client"][name].items()
            if figures["ratio"] > FLAT_TOLERANCE
        ]
        log("growth: every URL flat" if not grown else "growth: GROWS " + ", ".join(grown))
    log(json.dumps(result))


if __name__ == "__main__":
    main()
