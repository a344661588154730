"""``autoposter post`` and ``autoposter posts list|show|cancel``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .root import PUBLISH, JsonOption, app

posts_app = typer.Typer(help="Your posts: list, show, cancel.", no_args_is_help=True)
app.add_typer(posts_app, name="posts", rich_help_panel=PUBLISH)

AccountOption = Annotated[
    str, typer.Option("--account", "-a", help="The account: id, @username or nickname.")
]


@app.command(rich_help_panel=PUBLISH)
def post(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="One video, or 1–35 photos (JPEG or WebP).")],
    account: AccountOption,
    caption: Annotated[
        str, typer.Option(help="The caption (a video's title; a photo post's description).")
    ] = "",
    title: Annotated[str, typer.Option(help="A photo post's short title.")] = "",
    privacy: Annotated[
        str | None,
        typer.Option(
            help="Who can see it: everyone, friends, followers or only-me (or TikTok's "
            "names, e.g. PUBLIC_TO_EVERYONE). Required unless --draft."
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(help='When, in your time zone: "2026-12-01 18:00" (default: now).'),
    ] = None,
    draft: Annotated[
        bool,
        typer.Option(help="Send to the creator's TikTok inbox; they finish it in the app."),
    ] = False,
    allow_comments: Annotated[bool, typer.Option(help="Let viewers comment.")] = False,
    allow_duets: Annotated[bool, typer.Option(help="Allow duets (videos only).")] = False,
    allow_stitches: Annotated[bool, typer.Option(help="Allow stitches (videos only).")] = False,
    brand_organic: Annotated[
        bool, typer.Option(help="Disclose that it promotes your own brand ('Your brand').")
    ] = False,
    branded: Annotated[
        bool, typer.Option(help="Disclose a paid partnership ('Branded content').")
    ] = False,
    aigc: Annotated[bool, typer.Option(help="Label it as AI-generated content.")] = False,
    wait: Annotated[
        bool, typer.Option(help="Follow the post until TikTok published it (or said why not).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Post a video or photos to a TikTok account, now or at a time (--at).

    Everything is checked against TikTok's rules and the account's current settings before
    anything is stored or uploaded. With --wait the command follows the post to its end and
    exits 0 when TikTok published it (or it reached the creator's inbox), 1 when it failed.
    Locally, --wait sends the post from this process when it is due (a running worker may
    take it instead: either way it goes out once).
    """
    from .drafts import Choices
    from .post_flow import post_one

    choices = Choices(
        account=account,
        files=tuple(files),
        caption=caption,
        title=title,
        privacy=privacy,
        at=at,
        draft=draft,
        allow_comments=allow_comments,
        allow_duets=allow_duets,
        allow_stitches=allow_stitches,
        brand_organic=brand_organic,
        branded=branded,
        aigc=aigc,
    )
    post_one(ctx, choices, wait=wait, as_json=as_json)


@posts_app.command("list")
def posts_list(
    ctx: typer.Context,
    account: Annotated[
        str | None, typer.Option("--account", "-a", help="Only this account's posts.")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(help="Only posts in this status (repeatable): scheduled, published, …"),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help='Going out from this time on: "2026-12-01 00:00".')
    ] = None,
    until: Annotated[str | None, typer.Option(help="Going out before this time.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List your posts, newest first (by when they go out, or went out)."""
    from .post_flow import list_posts

    list_posts(ctx, account, tuple(status or ()), since, until, limit, as_json=as_json)


@posts_app.command("show")
def posts_show(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post's id.")],
    as_json: JsonOption = False,
) -> None:
    """Show a post, where it is, and its history."""
    from .post_flow import show_post

    show_post(ctx, post_id, as_json=as_json)


@posts_app.command("cancel")
def posts_cancel(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post's id.")],
    as_json: JsonOption = False,
) -> None:
    """Cancel a post TikTok does not have yet (a draft, scheduled, or waiting in the queue)."""
    from . import output
    from .runtime import backend_for

    with output.reported_errors(), backend_for(ctx) as backend:
        cancelled = backend.cancel_post(post_id)
        if as_json:
            output.emit_json(cancelled)
        else:
            typer.echo(f"Post {post_id} is {cancelled['status']}; nothing was sent to TikTok.")
