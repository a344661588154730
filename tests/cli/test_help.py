"""``autoposter --help`` answers fast because the CLI imports nothing heavy until a command
runs (issue 7: under 0.3 s; ``bench/cli_startup.py`` measures it)."""

from __future__ import annotations

import subprocess
import sys

from .support import clean_environment, run_cli

HEAVY = ("sqlalchemy", "httpx", "rich", "pydantic", "fastapi", "av", "autoposter.accounts")


def test_importing_the_cli_loads_none_of_the_services_or_heavy_libraries() -> None:
    probe = f"import sys, autoposter.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()

    assert loaded == ""


def test_help_lists_every_command_in_its_group() -> None:
    result = run_cli("--help", env=clean_environment(COLUMNS="100"))

    assert result.returncode == 0, result.stderr
    for group in ("Publish", "Your data", "Run and administer Autoposter"):
        assert group in result.stdout
    for command in ("post", "posts", "import", "accounts", "export", "erase", "tokens", "run"):
        assert f" {command} " in result.stdout
    assert "--url" in result.stdout and "AUTOPOSTER_TOKEN" in result.stdout
