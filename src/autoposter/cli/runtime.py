"""What every command needs before it starts: the settings, and the instance to talk to.

Imported only by running commands (never by ``--help``), so it may import the services.
A bad setting becomes one line per variable instead of a traceback; a local command finds
which dashboard user acts (``--user``, else the only one).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError

from .backend import Backend, BackendError
from .root import Target

if TYPE_CHECKING:
    from ..accounts import Context
    from ..config import Settings

USAGE = 2  # the exit code of a command line that cannot work as given
_UNPREFIXED = {"database_url": "DATABASE_URL", "queue_url": "QUEUE_URL"}


def explain_settings_error(error: ValidationError) -> list[str]:
    """One line per invalid setting, naming its environment variable."""
    lines = []
    for problem in error.errors(include_url=False):
        message = str(problem["msg"]).removeprefix("Value error, ")
        loc = problem["loc"]
        if not loc:  # a check across settings: its message names the variables already
            lines.append(f"Invalid settings: {message}.")
            continue
        name = str(loc[0])
        variable = name if name.isupper() else f"AUTOPOSTER_{name.upper()}"
        if name in _UNPREFIXED:
            variable = f"{_UNPREFIXED[name]} (or AUTOPOSTER_{_UNPREFIXED[name]})"
        shown = problem.get("input")
        given = f" (it is {shown!r})" if isinstance(shown, str | int | float) else ""
        lines.append(f"Invalid setting {variable}{given}: {message}.")
    lines.append("Fix it in the environment; docs/configuration.md lists every setting.")
    return lines


def load_settings(**overrides: object) -> Settings:
    """The settings from the environment (``overrides`` win), or exit 2 saying which
    variable is wrong."""
    from ..config import load_settings as load

    try:
        return load(**overrides)
    except ValidationError as exc:
        for line in explain_settings_error(exc):
            typer.echo(line, err=True)
        raise typer.Exit(USAGE) from None


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code=code)


def open_context(settings: Settings) -> Context:
    """The services' Context on the configured database, or exit saying how to fix it."""
    from sqlalchemy.exc import OperationalError

    from ..accounts import Context
    from ..store import SchemaOutOfDate

    try:
        return Context.from_settings(settings)
    except SchemaOutOfDate as exc:
        raise fail(str(exc)) from None
    except OperationalError as exc:
        raise fail(
            f"The database cannot be opened ({exc.orig}): check DATABASE_URL, or run "
            "`autoposter db upgrade` to create it."
        ) from None


def quiet_logging(settings: Settings) -> None:
    """The short commands log to ``<logs dir>/cli.<UTC day>.log``; only warnings reach the
    screen."""
    from ..logs import setup_logging

    setup_logging(settings, "cli")
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, logging.FileHandler
        ):
            handler.setLevel(logging.WARNING)


@contextmanager
def backend_for(ctx: typer.Context) -> Iterator[Backend]:
    """The instance the global options name: remote with ``--url``, else the local one."""
    target = Target.of(ctx)
    backend: Backend
    if target.url:
        from .remote import RemoteBackend

        if not target.token:
            raise fail(
                f"--url {target.url} needs an API token: pass --token apt_… or set "
                "AUTOPOSTER_TOKEN (make one with `autoposter tokens create NAME` on that "
                "instance).",
                USAGE,
            )
        backend = RemoteBackend(target.url, target.token)
    else:
        from .local import LocalBackend

        settings = load_settings()
        quiet_logging(settings)
        context = open_context(settings)
        try:
            backend = LocalBackend.for_user(context, target.user)
        except BackendError as exc:
            context.close()
            raise fail(exc.message, exc.exit_code) from None
    try:
        yield backend
    finally:
        backend.close()
