"""``autoposter export``, ``erase`` and ``tokens create|list|revoke``: your data and API tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .root import YOUR_DATA, JsonOption, app

tokens_app = typer.Typer(help="Your REST API tokens.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens", rich_help_panel=YOUR_DATA)


@app.command(rich_help_panel=YOUR_DATA)
def export(
    ctx: typer.Context,
    output_file: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of standard output."),
    ] = None,
) -> None:
    """Export all your data as one JSON document.

    It holds your accounts (never their tokens), your posts with their history, your API
    tokens (names only) and your audit log."""
    import json

    from . import output
    from .runtime import backend_for

    with output.reported_errors(), backend_for(ctx) as backend:
        document = backend.export()
    if output_file is None:
        output.emit_json(document)
        return
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    try:
        output_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        output.say(f"Error: {output_file} cannot be written ({exc.strerror}): choose another path.")
        raise typer.Exit(1) from None
    output.say(f"Wrote your data to {output_file}.")


@app.command(rich_help_panel=YOUR_DATA)
def erase(
    ctx: typer.Context,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask to type the username to confirm.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Erase your user and everything of yours, for good.

    Every TikTok account is revoked at TikTok and deleted with its tokens, and so are your
    posts with their media and history, your API tokens and your audit log. It asks you to
    type your username first (unless --yes). Export first if you want a copy."""
    from . import output
    from .runtime import backend_for

    with output.reported_errors(), backend_for(ctx) as backend:
        username = str(backend.me()["username"])
        if not yes:
            output.say(
                f"This deletes the user {username!r} and everything of theirs, and revokes "
                "their TikTok accounts at TikTok. It cannot be undone."
            )
            typed = typer.prompt(
                "Type the username to confirm", default="", show_default=False, err=True
            )
            if typed != username:
                output.say("Not confirmed: nothing was erased.")
                raise typer.Exit(1)
        report = backend.erase(username)
        if as_json:
            output.emit_json(report)
            return
        typer.echo(f"Erased {username!r}: {_erased(report)}.")


def _erased(report: dict[str, object]) -> str:
    accounts = report.get("accounts_deleted", 0)
    line = f"{accounts} TikTok account(s) revoked and deleted, with every post and token"
    failures = report.get("revocation_failures")
    if failures:
        line += (
            f"; revoking {failures} at TikTok failed, so remove Autoposter in the TikTok app "
            "under Settings → Security → Manage app permissions"
        )
    return line


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. 'laptop'.")],
    as_json: JsonOption = False,
) -> None:
    """Make an API token for the REST API and `--url`/`--token`; it is shown only once."""
    from . import output
    from .runtime import backend_for

    with output.reported_errors(), backend_for(ctx) as backend:
        made = backend.create_token(name)
    if as_json:
        output.emit_json(made)
        return
    typer.echo(made["token"])
    output.say(
        f"API token {made['id']} ({made['name']}) made. It is shown only this once: keep it "
        "in a password manager, and pass it as --token or AUTOPOSTER_TOKEN."
    )


@tokens_app.command("list")
def tokens_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List your API tokens (never their values)."""
    from rich.table import Table

    from . import output
    from .runtime import backend_for

    with output.reported_errors(), backend_for(ctx) as backend:
        tokens = backend.tokens()
        zone = backend.me()["time_zone"]
    if as_json:
        output.emit_json({"items": tokens})
        return
    if not tokens:
        output.say("No API tokens: make one with `autoposter tokens create NAME`.")
        return
    table = Table("ID", "Name", "Created", "Last used", "Revoked")
    for token in tokens:
        table.add_row(
            str(token["id"]),
            str(token["name"]),
            output.local(token.get("created_at"), zone),
            output.local(token.get("last_used_at"), zone),
            output.local(token.get("revoked_at"), zone),
        )
    output.stdout.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context, token_id: Annotated[int, typer.Argument(help="The token's id.")]
) -> None:
    """Revoke an API token: it stops working at once."""
    from . import output
    from .runtime import backend_for

    with output.reported_errors(), backend_for(ctx) as backend:
        backend.revoke_token(token_id)
    typer.echo(f"API token {token_id} is revoked.")
