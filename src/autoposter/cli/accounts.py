"""``autoposter accounts connect|list|disconnect``: the user's TikTok accounts."""

from __future__ import annotations

from typing import Annotated

import typer

from .root import PUBLISH, JsonOption, app

accounts_app = typer.Typer(help="Your connected TikTok accounts.", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts", rich_help_panel=PUBLISH)


@accounts_app.command("connect")
def accounts_connect(
    ctx: typer.Context,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the authorize page in the default browser.")
    ] = False,
    timeout: Annotated[
        float, typer.Option(min=1, help="Seconds to wait for TikTok's answer.")
    ] = 600.0,
    as_json: JsonOption = False,
) -> None:
    """Connect a TikTok account: prints TikTok's authorize address, then waits until you
    authorized it there.

    Locally, this command answers TikTok's redirect itself (at the redirect URI,
    AUTOPOSTER_PUBLIC_URL/accounts/callback), unless the dashboard runs there: then finish
    in the dashboard. With --url, finish in that instance's dashboard.
    """
    from . import output
    from .runtime import backend_for

    with output.reported_errors(), backend_for(ctx) as backend:
        account = backend.connect(say=output.say, open_browser=open_browser, timeout=timeout)
        if as_json:
            output.emit_json(account)
            return
        nickname = f" ({account['nickname']})" if account.get("nickname") else ""
        typer.echo(
            f"Connected {output.account_label(account)}{nickname} as account {account['id']}."
        )


@accounts_app.command("list")
def accounts_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List your connected TikTok accounts and the health of their authorization."""
    from . import output
    from .runtime import backend_for

    with output.reported_errors(), backend_for(ctx) as backend:
        accounts = backend.accounts()
        if as_json:
            output.emit_json({"items": accounts})
        else:
            output.accounts_table(accounts, backend.me()["time_zone"])


@accounts_app.command("disconnect")
def accounts_disconnect(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The account: id, @username or nickname.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Disconnect an account: revoke Autoposter's access at TikTok, then delete the account
    and its tokens here (its posts stay, marked as of a disconnected account)."""
    from . import output
    from .drafts import resolve_account
    from .runtime import backend_for

    with output.reported_errors(), backend_for(ctx) as backend:
        found = resolve_account(account, backend.accounts())
        label = output.account_label(found)
        question = f"Disconnect {label} and delete its tokens?"
        if not yes and not typer.confirm(question, err=True):
            raise typer.Exit(1)
        result = backend.disconnect(int(found["id"]))
        if as_json:
            output.emit_json(result)
            return
        typer.echo(f"Disconnected {label}.")
        if result.get("revoked_at_tiktok") is False and result.get("revoke_error"):
            output.say(
                f"Note: revoking at TikTok failed ({result['revoke_error']}): the creator can "
                "remove Autoposter in the TikTok app under Settings → Security → Manage app "
                "permissions."
            )
