"""The Typer app and its global options: which Autoposter to talk to, and as whom.

Without ``--url`` a command works on the local database (DATABASE_URL, the data directory)
as a dashboard user (``--user``; the only user when there is one). With ``--url`` and
``--token`` it talks to a running instance through its REST API instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

app = typer.Typer(
    help=(
        "Autoposter: publish to TikTok through TikTok's official APIs.\n\n"
        "Commands work on the local database, or on a running instance with --url and "
        "--token. Errors go to standard error; the exit code is 1 when an operation was "
        "refused or failed, 2 when the command line or a setting is wrong."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


@dataclass(frozen=True)
class Target:
    url: str | None = None
    token: str | None = None
    user: str | None = None

    @classmethod
    def of(cls, ctx: typer.Context) -> Target:
        root = ctx.find_root()
        found = root.obj
        return found if isinstance(found, Target) else cls()


@app.callback()
def global_options(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option(
            envvar="AUTOPOSTER_URL",
            help="A running Autoposter to use through its REST API, e.g. https://posts.example.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="AUTOPOSTER_TOKEN", help="The API token (apt_…) for --url."),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            envvar="AUTOPOSTER_USER",
            help="Local mode: the dashboard user who acts (default: the only user).",
        ),
    ] = None,
) -> None:
    ctx.obj = Target(url.rstrip("/") if url else None, token, user)


# The panels of `autoposter --help`, so the long list of commands reads in groups.
PUBLISH = "Publish"
YOUR_DATA = "Your data"
OPERATE = "Run and administer Autoposter"

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
