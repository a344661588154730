"""Benchmark: the sandbox's upload endpoint against a plain local sink, and its peak memory.

For a 1 GiB file (zero bytes, sparse on disk) the script:

1. starts ``autoposter sandbox`` in a subprocess, connects the "public" creator through the
   consent page and the token endpoint, inits a FILE_UPLOAD of 1 GiB in 64,000,000-byte
   chunks, and PUTs every chunk with ``curl --upload-file`` (each chunk is a sparse file of
   the chunk's size), timing the whole upload;
2. sends the same chunks, with the same curl command, to a minimal HTTP sink (a raw asyncio
   protocol in its own process that counts and discards the body, then answers 201), and to
   the same sink writing the body to a file (what keeping the bytes costs at C speed, so
   the disk's share of the gap can be told from the endpoint's);
3. reads the sandbox's peak resident memory (``VmHWM``) and repeats with 256 MiB in a fresh
   sandbox, to show that memory does not grow with the file size.

Runs alternate sink / writing sink / sandbox, after an ``os.sync()`` each, and the best of
each is kept (shared machines are noisy). The ratio is what counts, never a bare time
(DESIGN.md "Testing"). Human lines first; the last line is one JSON object.
Usage: ``.venv/bin/python bench/sandbox_upload.py [--runs N] [--data-dir DIR]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
AUTOPOSTER = ROOT / ".venv" / "bin" / "autoposter"
CURL = shutil.which("curl") or "/usr/bin/curl"
GIB, MIB = 1024**3, 1024**2
CHUNK_SIZE = 64_000_000
CLIENT_KEY = "benchclientkey00"
CLIENT_SECRET = "bench-client-secret"
REDIRECT_URI = "http://127.0.0.1:9/callback"
SCOPES = "user.info.basic,video.publish,video.upload"


@dataclass(frozen=True)
class Chunk:
    first: int
    last: int
    file: Path

    @property
    def length(self) -> int:
        return self.last - self.first + 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_listening(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start listening on port {port}")


# --- the plain sinks ------------------------------------------------------------------------


class SinkProtocol(asyncio.Protocol):
    """Reads requests, counts each body against its Content-Length and answers 201.

    The plain sink discards the body. With ``write_dir`` set (the "writing sink") it also
    writes it at its Content-Range offset into one file per upload, deleted once the last
    byte is in: the least any server that keeps uploads must do, at C speed.
    """

    write_dir: Path | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's isn't a subclass
        self.head = bytearray()
        self.remaining: int | None = None
        self.fd: int | None = None
        self.offset = self.total = 0

    def data_received(self, data: bytes) -> None:
        if self.remaining is None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            data = bytes(self.head[end + 4 :])
            self._start(bytes(self.head[:end]))
            self.head = bytearray()
        if data:
            assert self.remaining is not None
            self.remaining -= len(data)
            if self.fd is not None:
                self.offset += os.pwrite(self.fd, data, self.offset)
        if self.remaining is not None and self.remaining <= 0:
            self._finish()

    def _start(self, head: bytes) -> None:
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().decode()
        self.remaining = int(headers.get(b"content-length", "0"))
        if self.write_dir is not None:
            span, _, total = headers[b"content-range"].split(" ")[1].partition("/")
            self.offset, self.total = int(span.split("-")[0]), int(total)
            path = self.write_dir / "upload.bin"
            self.fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)

    def _finish(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
            if self.offset == self.total and self.write_dir is not None:
                (self.write_dir / "upload.bin").unlink()
        self.transport.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        self.remaining = None


def serve_sink(port: int, write_dir: Path | None) -> None:
    with contextlib.suppress(ImportError):
        import uvloop  # the sandbox runs on uvloop too (uvicorn[standard]); same footing

        uvloop.install()
    SinkProtocol.write_dir = write_dir

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(
            SinkProtocol, "127.0.0.1", port, backlog=128
        )
        async with server:
            await server.serve_forever()

    asyncio.run(main())


@contextlib.contextmanager
def running_sink(write_dir: Path | None = None) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, __file__, "--serve-sink", str(port)]
    if write_dir is not None:
        command += ["--sink-writes-to", str(write_dir)]
    process = subprocess.Popen(command)
    try:
        wait_until_listening(port, process, "the sink")
        yield f"http://127.0.0.1:{port}/upload/?upload_id=1&upload_token=sink"
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- the sandbox ----------------------------------------------------------------------------


@contextlib.contextmanager
def running_sandbox(data_dir: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    command = [
        str(AUTOPOSTER), "sandbox", "--port", str(port), "--data-dir", str(data_dir),
        "--client-key", CLIENT_KEY, "--client-secret", CLIENT_SECRET,
        "--redirect-uri", REDIRECT_URI, "--processing-delay", "0",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_listening(port, process, "the sandbox")
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def connect_creator(base: str) -> str:
    """The consent page's form contract, then the code exchange (§1.1, §1.4)."""
    form = {
        "client_key": CLIENT_KEY, "scope": SCOPES, "redirect_uri": REDIRECT_URI,
        "state": "bench", "response_type": "code", "creator": "public",
        "grant": SCOPES.split(","), "decision": "authorize",
    }  # fmt: skip
    response = httpx.post(f"{base}/v2/auth/authorize/", data=form)
    if response.status_code not in (302, 303):
        raise RuntimeError(f"consent failed: HTTP {response.status_code} {response.text[:200]}")
    code = parse_qs(urlsplit(response.headers["location"]).query)["code"][0]
    exchange = {
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "code": code,
        "grant_type": "authorization_code", "redirect_uri": REDIRECT_URI,
    }  # fmt: skip
    token = httpx.post(f"{base}/v2/oauth/token/", data=exchange).json()
    access_token: str = token["access_token"]
    return access_token


def init_upload(base: str, token: str, size: int) -> tuple[str, str]:
    count = max(1, size // CHUNK_SIZE)
    body = {
        "post_info": {"privacy_level": "SELF_ONLY", "title": "bench"},
        "source_info": {
            "source": "FILE_UPLOAD", "video_size": size,
            "chunk_size": min(CHUNK_SIZE, size), "total_chunk_count": count,
        },
    }  # fmt: skip
    response = httpx.post(
        f"{base}/v2/post/publish/video/init/",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
    )
    data = response.json()
    if data["error"]["code"] != "ok":
        raise RuntimeError(f"init failed: {data['error']}")
    return data["data"]["publish_id"], data["data"]["upload_url"]


def wait_for_processing(base: str, publish_id: str) -> str:
    """Let the sandbox hash and delete the file before the next timed run starts.

    Polls the sandbox's inspection API, which (unlike status/fetch) has no rate limit.
    """
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = httpx.get(f"{base}/sandbox/api/publishes/{publish_id}")
        status: str = response.json().get("status", "")
        if status and not status.startswith("PROCESSING"):
            return status
        time.sleep(0.1)
    raise RuntimeError("the sandbox did not finish processing within a minute")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not found")


# --- the upload itself ----------------------------------------------------------------------


def plan_chunks(size: int, workdir: Path) -> list[Chunk]:
    """§4.5 chunk bounds; one sparse file per distinct chunk length."""
    count = max(1, size // CHUNK_SIZE)
    files: dict[int, Path] = {}
    chunks = []
    for index in range(count):
        first = index * CHUNK_SIZE
        last = size - 1 if index == count - 1 else first + CHUNK_SIZE - 1
        length = last - first + 1
        if length not in files:
            files[length] = workdir / f"zeros-{length}.bin"
            with files[length].open("wb") as file:
                file.truncate(length)
        chunks.append(Chunk(first, last, files[length]))
    return chunks


def put_all(url: str, chunks: list[Chunk], size: int) -> float:
    """PUT every chunk with curl, one process per chunk, and return the elapsed seconds.

    ``--upload-file`` would append the file's name to a URL whose path ends in ``/``, so the
    request target is given verbatim: the upload URL is opaque and used whole (§0.1).
    """
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}"
    started = time.perf_counter()
    for chunk in chunks:
        command = [
            CURL, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--upload-file", str(chunk.file),
            "--request-target", target, "-H", "Content-Type: video/mp4", "-H", "Expect:",
            "-H", f"Content-Range: bytes {chunk.first}-{chunk.last}/{size}", url,
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.stdout not in ("201", "206"):
            raise RuntimeError(f"PUT {chunk.first}-{chunk.last}: {result.stdout} {result.stderr}")
    return time.perf_counter() - started


def sandbox_run(base: str, token: str, chunks: list[Chunk], size: int) -> float:
    publish_id, upload_url = init_upload(base, token, size)
    seconds = put_all(upload_url, chunks, size)
    wait_for_processing(base, publish_id)
    return seconds


@dataclass
class Measured:
    """Best seconds of each target for one size, and the sandbox's peak memory."""

    sink: float = float("inf")
    writing_sink: float = float("inf")
    sandbox: float = float("inf")
    peak_rss_mib: float = 0.0


def measure(size: int, runs: int, workdir: Path, data_root: Path) -> Measured:
    chunks = plan_chunks(size, workdir)
    data_dir = Path(tempfile.mkdtemp(prefix="sandbox-data-", dir=data_root))
    sink_dir = Path(tempfile.mkdtemp(prefix="sink-data-", dir=data_root))
    best = Measured()
    with (
        running_sink() as sink_url,
        running_sink(sink_dir) as writing_sink_url,
        running_sandbox(data_dir) as (base, pid),
    ):
        token = connect_creator(base)
        for _ in range(runs):
            # Flush dirty pages first, so no run pays for the writeback of the one before.
            os.sync()
            best.sink = min(best.sink, put_all(sink_url, chunks, size))
            os.sync()
            best.writing_sink = min(best.writing_sink, put_all(writing_sink_url, chunks, size))
            os.sync()
            best.sandbox = min(best.sandbox, sandbox_run(base, token, chunks, size))
        best.peak_rss_mib = peak_rss_mib(pid)
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.rmtree(sink_dir, ignore_errors=True)
    return best


def report(big: Measured, small: Measured, runs: int) -> dict[str, float]:
    def rate(seconds: float) -> float:
        return GIB / MIB / seconds

    print(f"1 GiB in {GIB // CHUNK_SIZE} chunks of {CHUNK_SIZE:,} bytes, best of {runs}")
    print(f"  load average     {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (noise)")
    print(f"  plain sink       {big.sink:6.2f} s   {rate(big.sink):8.1f} MiB/s")
    print(f"  writing sink     {big.writing_sink:6.2f} s   {rate(big.writing_sink):8.1f} MiB/s"
          "   (the sink, also writing the bytes to a file)")  # fmt: skip
    print(f"  sandbox upload   {big.sandbox:6.2f} s   {rate(big.sandbox):8.1f} MiB/s")
    ratio = big.sink / big.sandbox
    print(f"  ratio            {ratio:.2f} of the plain sink (target >= 0.8), "
          f"{big.writing_sink / big.sandbox:.2f} of the writing sink")  # fmt: skip
    print(f"  sandbox peak RSS {big.peak_rss_mib:.1f} MiB (1 GiB run), "
          f"{small.peak_rss_mib:.1f} MiB (256 MiB run)")  # fmt: skip
    return {
        "sandbox_mib_s": round(rate(big.sandbox), 1),
        "sink_mib_s": round(rate(big.sink), 1),
        "ratio": round(ratio, 3),
        "writing_sink_mib_s": round(rate(big.writing_sink), 1),
        "ratio_vs_writing_sink": round(big.writing_sink / big.sandbox, 3),
        "peak_rss_mib_1g": round(big.peak_rss_mib, 1),
        "peak_rss_mib_256m": round(small.peak_rss_mib, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (best is kept)")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()),
        help="where the sandbox and the writing sink keep uploaded bytes (default: temp dir)",
    )  # fmt: skip
    parser.add_argument("--serve-sink", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--sink-writes-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sink:
        serve_sink(args.serve_sink, args.sink_writes_to)
        return
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        big = measure(GIB, args.runs, Path(tmp), args.data_dir)
        small = measure(256 * MIB, 1, Path(tmp), args.data_dir)
    print(json.dumps(report(big, small, args.runs)))


if __name__ == "__main__":
    main()
