"""Benchmark: the TikTok client's chunked upload against curl on the same chunks.

For a 1 GiB and a 4 GiB file (zero bytes, sparse on disk) the script:

1. starts the sandbox in a subprocess (data in a temporary directory), connects the "public"
   creator through the consent page and the client's code exchange;
2. client side: inits a FILE_UPLOAD with ``plan_chunks(size, 64_000_000)`` and runs
   ``TikTokClient.upload_file`` in a child process (this script with ``--child``), which
   reports the upload's wall time and its own peak resident memory (``VmHWM``);
3. curl side: inits another publish with the same plan and sends the same chunks with one
   curl process (``--upload-file`` per chunk, each chunk a sparse file of the chunk's size,
   chained with ``--next`` so curl keeps its connection, as the client does), with the same
   Content-Type and Content-Range headers;
4. waits until the sandbox has processed (and deleted) each upload before the next one, so
   processing never competes with a measurement and disk use stays bounded.

Sides alternate (client, curl, curl, client …) and the best run of each is kept: the
machines are shared and noisy, so only the ratio counts (DESIGN.md "Testing"). Human lines
first; the LAST line is one JSON object. Usage: ``.venv/bin/python bench/upload.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from autoposter.tiktok import (
    MAX_CHUNK,
    ChunkPlan,
    FileUpload,
    PrivacyLevel,
    RetryPolicy,
    TikTokClient,
    TikTokConfig,
    TokenSet,
    VideoPostInfo,
    plan_chunks,
)

CURL = shutil.which("curl") or "/usr/bin/curl"
GIB = 1024**3
CLIENT_KEY = "benchclientkey01"
CLIENT_SECRET = "bench-upload-secret"
REDIRECT_URI = "http://127.0.0.1:9/callback"
SCOPES = ("user.info.basic", "video.publish")
SANDBOX_CODE = """
import sys
from pathlib import Path
from autoposter.sandbox import SandboxConfig, serve
config = SandboxConfig(
    client_key=sys.argv[1], client_secret=sys.argv[2], redirect_uris=[sys.argv[3]],
    data_dir=Path(sys.argv[4]), processing_delay=0.0, moderation_delay=0.0,
)
serve(config, "127.0.0.1", int(sys.argv[5]), access_log=False)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running_sandbox(data_dir: Path) -> Iterator[str]:
    port = free_port()
    args = [CLIENT_KEY, CLIENT_SECRET, REDIRECT_URI, str(data_dir), str(port)]
    process = subprocess.Popen(
        [sys.executable, "-c", SANDBOX_CODE, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/sandbox/api/clock", timeout=1).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def make_client(sandbox_url: str) -> TikTokClient:
    config = TikTokConfig(
        client_key=CLIENT_KEY,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        authorize_url=f"{sandbox_url}/v2/auth/authorize/",
        api_base=sandbox_url,
        retry=RetryPolicy(max_attempts=6, base_delay=0.2, max_delay=2.0),
    )
    return TikTokClient(config)


def connect(client: TikTokClient, sandbox_url: str) -> TokenSet:
    """The consent page as a person would fill it, then the client's code exchange."""
    url = client.authorize_url(SCOPES, state="bench")
    params = dict(parse_qsl(urlsplit(url).query))
    form: dict[str, Any] = {**params, "creator": "public", "decision": "authorize"}
    form["grant"] = list(SCOPES)
    answer = httpx.post(f"{sandbox_url}/v2/auth/authorize/", data=form)
    query = dict(parse_qsl(urlsplit(answer.headers["location"]).query))
    return client.exchange_code(query["code"])


def init_upload(
    client: TikTokClient, sandbox_url: str, tokens: TokenSet, plan: ChunkPlan
) -> tuple[str, str]:
    # Stay under 6 inits per minute per token (§6) by moving the sandbox clock, not waiting.
    httpx.post(f"{sandbox_url}/sandbox/api/clock/advance", json={"seconds": 11})
    info = VideoPostInfo(PrivacyLevel.SELF_ONLY)
    ticket = client.init_direct_video(tokens, info, FileUpload(plan))
    assert ticket.upload_url is not None
    return ticket.publish_id, ticket.upload_url


def wait_until_processed(sandbox_url: str, publish_id: str, data_dir: Path) -> None:
    """Until processing has hashed and deleted the bytes; then nothing is left on disk."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        publish = httpx.get(f"{sandbox_url}/sandbox/api/publishes/{publish_id}").json()
        if publish["status"] not in ("PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD"):
            break
        time.sleep(0.2)
    for leftover in data_dir.glob("*.part"):
        leftover.unlink(missing_ok=True)


def warm(path: Path) -> None:
    """Read a sparse file once, so both sides read zero pages from the page cache.

    The first read of a hole makes the kernel fill the page cache, which costs a varying
    few hundred ms per GiB; warming every file first keeps that noise out of both sides.
    """
    with path.open("rb", buffering=0) as f:
        while f.read(1 << 20):
            pass


def run_client(upload_url: str, source: Path, plan: ChunkPlan) -> tuple[float, int]:
    """The client's upload in a child process; returns (seconds, peak RSS in bytes)."""
    warm(source)
    command = [
        sys.executable,
        __file__,
        "--child",
        upload_url,
        str(source),
        str(plan.video_size),
        str(plan.chunk_size),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    report = json.loads(output.strip().splitlines()[-1])
    return float(report["seconds"]), int(report["vmhwm_kb"]) * 1024


def run_curl(upload_url: str, plan: ChunkPlan, chunk_dir: Path) -> float:
    """The same chunks with one curl process; returns its wall time.

    ``--upload-file`` would append the file name to a URL path ending in ``/``, so the
    request target is given whole, as the client sends it (§0.1: the URL is opaque).
    """
    parts = urlsplit(upload_url)
    target = f"{parts.path}?{parts.query}"
    command = [CURL, "-sS"]
    for chunk in plan:
        chunk_file = chunk_dir / f"chunk-{chunk.length}.mp4"
        if not chunk_file.exists():
            with chunk_file.open("wb") as f:
                f.truncate(chunk.length)  # sparse zeros: the source's very bytes
        warm(chunk_file)
        if chunk.index:
            command.append("--next")
        command += [
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}\\n",
            "--upload-file",
            str(chunk_file),
            "-H",
            "Content-Type: video/mp4",
            "-H",
            f"Content-Range: {chunk.content_range}",
            "-H",
            "Expect:",
            "--request-target",
            target,
            upload_url,
        ]
    started = time.perf_counter()
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    codes = result.stdout.split()
    expected = ["206"] * (plan.total_chunk_count - 1) + ["201"]
    if codes != expected:
        raise RuntimeError(f"curl got {codes}, expected {expected}")
    return seconds


def child(upload_url: str, path: str, size: int, chunk_size: int) -> None:
    """``--child``: upload with the client, then print seconds and this process's VmHWM."""
    plan = plan_chunks(size, chunk_size)
    with TikTokClient(TikTokConfig("bench", "bench-secret")) as client:
        started = time.perf_counter()
        client.upload_file(upload_url, path, plan)
        seconds = time.perf_counter() - started
    status = Path("/proc/self/status").read_text()
    vmhwm = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "vmhwm_kb": int(vmhwm)}))


def bench_size(
    client: TikTokClient, sandbox_url: str, tokens: TokenSet, size: int, rounds: int, work: Path
) -> dict[str, Any]:
    source = work / f"source-{size}.mp4"
    with source.open("wb") as f:
        f.truncate(size)
    plan = plan_chunks(size, MAX_CHUNK)
    data_dir = work / "sandbox-data"
    client_times, curl_times, peaks = [], [], []
    for round_number in range(rounds):
        order = ("client", "curl") if round_number % 2 == 0 else ("curl", "client")
        for side in order:
            publish_id, url = init_upload(client, sandbox_url, tokens, plan)
            if side == "client":
                seconds, peak = run_client(url, source, plan)
                client_times.append(seconds)
                peaks.append(peak)
            else:
                curl_times.append(run_curl(url, plan, work))
            wait_until_processed(sandbox_url, publish_id, data_dir)
    source.unlink()
    best_client, best_curl = min(client_times), min(curl_times)
    return {
        "size_bytes": size,
        "chunks": plan.total_chunk_count,
        "client_mb_per_s": round(size / best_client / 1e6, 1),
        "curl_mb_per_s": round(size / best_curl / 1e6, 1),
        "ratio": round(best_curl / best_client, 3),
        "client_peak_rss_mb": round(max(peaks) / 1e6, 1),
        "client_runs_mb_per_s": [round(size / t / 1e6, 1) for t in client_times],
        "curl_runs_mb_per_s": [round(size / t / 1e6, 1) for t in curl_times],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs per side and size")
    parser.add_argument("--child", nargs=4, metavar=("URL", "PATH", "SIZE", "CHUNK"))
    args = parser.parse_args()
    if args.child:
        url, path, size, chunk = args.child
        child(url, path, int(size), int(chunk))
        return
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        work = Path(tmp)
        (work / "sandbox-data").mkdir()
        with (
            running_sandbox(work / "sandbox-data") as sandbox_url,
            make_client(sandbox_url) as client,
        ):
            tokens = connect(client, sandbox_url)
            for label, size in (("1GiB", GIB), ("4GiB", 4 * GIB)):
                figures = bench_size(client, sandbox_url, tokens, size, args.rounds, work)
                results[label] = figures
                print(
                    f"{label}: client {figures['client_mb_per_s']} MB/s, curl "
                    f"{figures['curl_mb_per_s']} MB/s, ratio {figures['ratio']}, client peak "
                    f"RSS {figures['client_peak_rss_mb']} MB ({figures['chunks']} chunks)",
                    flush=True,
                )
    small, large = results["1GiB"]["client_peak_rss_mb"], results["4GiB"]["client_peak_rss_mb"]
    summary = {
        "1GiB": {k: results["1GiB"][k] for k in ("ratio", "client_peak_rss_mb")},
        "4GiB": {k: results["4GiB"][k] for k in ("ratio", "client_peak_rss_mb")},
        "rss_4gib_over_1gib": round(large / small, 3),
        "details": results,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
