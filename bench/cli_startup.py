"""Benchmark: how fast ``autoposter --help`` answers, against a bare ``python -c pass``.

Issue 7 asks ``autoposter --help`` to answer in under 0.3 s, which only holds while
``autoposter.cli`` imports nothing heavy at module level (the commands import their
dependencies when they run). The script runs the virtualenv's console script and the same
interpreter with ``-c pass`` alternately, as subprocesses, after warm-up runs, and reports
both medians: the interpreter's own start-up is the baseline measured in the same run
(DESIGN.md "Testing"), since these machines are shared and noisy.

Human lines first; the last line is one JSON object:
``{"help_median_s": …, "python_median_s": …, "ratio": …, "target_s": 0.3}``.
Usage: ``.venv/bin/python bench/cli_startup.py [--runs N] [--warmups N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUTOPOSTER = ROOT / ".venv" / "bin" / "autoposter"
PYTHON = ROOT / ".venv" / "bin" / "python"
TARGET_SECONDS = 0.3


def wall_time(command: list[str]) -> float:
    """Seconds from starting ``command`` to its exit; a failing command stops the bench."""
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        stderr = completed.stderr.decode(errors="replace").strip()
        sys.exit(f"{' '.join(command)} failed with exit code {completed.returncode}: {stderr}")
    return elapsed


def measure(runs: int, warmups: int) -> tuple[list[float], list[float]]:
    """Alternate the two commands so both see the same machine load."""
    help_command = [str(AUTOPOSTER), "--help"]
    python_command = [str(PYTHON), "-c", "pass"]
    for _ in range(warmups):
        wall_time(help_command)
        wall_time(python_command)
    help_times: list[float] = []
    python_times: list[float] = []
    for _ in range(runs):
        help_times.append(wall_time(help_command))
        python_times.append(wall_time(python_command))
    return help_times, python_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="measured runs of each command")
    parser.add_argument("--warmups", type=int, default=2, help="unmeasured runs first")
    args = parser.parse_args()
    if not AUTOPOSTER.exists():
        sys.exit(f"{AUTOPOSTER} is missing: run `make install` first")

    help_times, python_times = measure(args.runs, args.warmups)
    help_median = statistics.median(help_times)
    python_median = statistics.median(python_times)
    ratio = help_median / python_median
    verdict = "within" if help_median <= TARGET_SECONDS else "OVER"
    print(f"autoposter --help   median {help_median * 1000:7.1f} ms over {args.runs} runs")
    print(f"python -c pass      median {python_median * 1000:7.1f} ms over {args.runs} runs")
    print(f"ratio {ratio:.1f}x; {verdict} the {TARGET_SECONDS * 1000:.0f} ms target")
    print(
        json.dumps(
            {
                "help_median_s": round(help_median, 4),
                "python_median_s": round(python_median, 4),
                "ratio": round(ratio, 2),
                "target_s": TARGET_SECONDS,
            }
        )
    )


if __name__ == "__main__":
    main()
