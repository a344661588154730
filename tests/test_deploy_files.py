"""The Dockerfile, compose.yaml and systemd units name settings and commands that exist.

No container engine runs here, so the files are parsed and checked against the code: a
renamed setting, command or option breaks a test instead of a deployment.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from sqlalchemy.engine import make_url

from autoposter.cli import app
from autoposter.config_docs import settings_docs
from autoposter.jobs import huey_for
from autoposter.store import normalise_url

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker")
UNITS = ("autoposter-web.service", "autoposter-worker.service")
KNOWN_VARIABLES = {variable for doc in settings_docs() for variable in doc.env_vars}
# ${NAME:?message} or ${NAME} in compose.yaml, filled from .env by Compose.
INTERPOLATION = re.compile(r"\$\{(\w+)[^}]*\}")


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def interpolated(value: str) -> str:
    return INTERPOLATION.sub(lambda match: f"example-{match.group(1).lower()}", value)


def cli_command(argv: list[str]) -> Any:
    """The CLI command ``argv`` runs; fails if a command or an option does not exist."""
    assert argv[0] == "autoposter" or argv[0].endswith("/autoposter"), argv
    command: Any = typer.main.get_command(app)
    words = argv[1:]
    while hasattr(command, "commands") and words:  # a group (Typer ships its own click)
        name = words.pop(0)
        assert name in command.commands, f"`autoposter` has no command {name!r}"
        command = command.commands[name]
    options = {opt for param in command.params for opt in param.opts}
    for word in words:
        if word.startswith("--"):
            assert word.split("=")[0] in options, f"{command.name} has no option {word}"
    return command


def unit_entries(name: str) -> dict[str, list[tuple[str, str]]]:
    """A systemd unit's sections as (key, value) lists (keys may repeat, unlike INI)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in (ROOT / "deploy" / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        assert current is not None, f"{name}: {line!r} is outside a section"
        key, _, value = line.partition("=")
        current.append((key, value))
    return sections


# --- compose.yaml ---------------------------------------------------------------------------


def test_compose_runs_web_worker_postgres_and_redis_with_healthchecks() -> None:
    services = compose()["services"]
    assert {"web", "worker", "postgres", "redis"} <= set(services)
    for name in ("web", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], f"{name} has no healthcheck"
    assert services["worker"]["depends_on"]["redis"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
        assert needs["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_sets_only_settings_autoposter_reads(service: str) -> None:
    environment = compose()["services"][service]["environment"]
    unknown = set(environment) - KNOWN_VARIABLES
    assert not unknown, f"{service} sets {sorted(unknown)}, which no setting reads"
    assert {"DATABASE_URL", "QUEUE_URL", "AUTOPOSTER_SECRET_KEY_FILE"} <= set(environment)


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_secret_files_are_mounted_secrets(service: str) -> None:
    definition = compose()["services"][service]
    declared = set(compose()["secrets"])
    assert set(definition["secrets"]) <= declared
    for variable, value in definition["environment"].items():
        if variable.endswith("_FILE"):
            assert value.startswith("/run/secrets/")
            assert value.removeprefix("/run/secrets/") in definition["secrets"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_commands_are_real_cli_commands(service: str) -> None:
    command = cli_command(compose()["services"][service]["command"])
    assert command.name in {"upgrade", "serve", "worker"}


def test_compose_urls_name_postgresql_and_a_queue_the_worker_accepts() -> None:
    environment = compose()["services"]["worker"]["environment"]
    database = make_url(normalise_url(interpolated(environment["DATABASE_URL"])))
    assert database.get_backend_name() == "postgresql"
    assert database.host == "postgres"  # the compose service
    queue_url = interpolated(environment["QUEUE_URL"])
    assert type(huey_for(queue_url)).__name__ == "RedisHuey"


def test_compose_lets_a_worker_finish_handing_back_its_posts() -> None:
    # jobs.make_consumer waits up to 15 s for running posts; Docker's default grace is 10 s.
    grace = compose()["services"]["worker"]["stop_grace_period"]
    assert int(grace.removesuffix("s")) > 15


# --- Dockerfile -----------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_the_image_runs_the_web_app_as_a_non_root_user_with_a_data_volume() -> None:
    instructions = dockerfile_instructions()
    values = {keyword: rest for keyword, rest in instructions}  # the last of each
    assert values["FROM"] == "python:3.11-slim"
    assert values["USER"] not in ("root", "0")
    assert "/data" in values["VOLUME"].split()
    assert any(k == "RUN" and "--constraint constraints.txt" in rest for k, rest in instructions)
    command = cli_command(yaml.safe_load(values["CMD"]))
    assert command.name == "serve"


def test_the_image_sets_only_settings_autoposter_reads() -> None:
    names = set()
    for keyword, rest in dockerfile_instructions():
        if keyword == "ENV":
            names |= {pair.split("=")[0] for pair in shlex.split(rest)}
    autoposter = {name for name in names if name.startswith("AUTOPOSTER_")}
    assert autoposter == {"AUTOPOSTER_DATA_DIR", "AUTOPOSTER_LOG_DIR"}
    assert autoposter <= KNOWN_VARIABLES


# --- systemd --------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", UNITS)
def test_the_systemd_units_run_real_commands_with_real_settings(unit: str) -> None:
    service = unit_entries(unit)["Service"]
    [exec_start] = [value for key, value in service if key == "ExecStart"]
    command = cli_command(shlex.split(exec_start))
    assert command.name == ("serve" if "web" in unit else "worker")
    for key, value in service:
        if key == "Environment":
            variable = value.split("=")[0]
            assert variable in KNOWN_VARIABLES, f"{unit} sets {variable}, which no setting reads"
    credentials = {value.split(":")[0] for key, value in service if key == "LoadCredential"}
    for key, value in service:
        if key == "Environment" and "=%d/" in value:
            assert value.split("=%d/")[1] in credentials
    assert ("WantedBy", "multi-user.target") in unit_entries(unit)["Install"]


def test_the_example_environment_file_names_real_settings() -> None:
    text = (ROOT / "deploy" / "autoposter.env.example").read_text(encoding="utf-8")
    names = {line.split("=")[0] for line in text.splitlines() if line and not line.startswith("#")}
    assert names and names <= KNOWN_VARIABLES, names - KNOWN_VARIABLES
