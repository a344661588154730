"""The commands that run or administer Autoposter itself: run, serve, worker, sandbox,
db upgrade, keys rotate, users create. Imports are lazy so ``--help`` answers fast."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .root import OPERATE, app

if TYPE_CHECKING:  # annotations only: the commands import what they use lazily
    from ..accounts import Context
    from ..config import Settings
    from ..sandbox import RunningSandbox

DEFAULT_SANDBOX_PORT = 8700


@app.command(rich_help_panel=OPERATE)
def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_SANDBOX_PORT,
    client_key: Annotated[str | None, typer.Option(help="The app's client key.")] = None,
    client_secret: Annotated[
        str | None, typer.Option(help="The app's client secret.", envvar="SANDBOX_CLIENT_SECRET")
    ] = None,
    redirect_uri: Annotated[
        list[str] | None, typer.Option(help="A registered redirect URI (repeatable).")
    ] = None,
    short_tokens: Annotated[
        bool, typer.Option(help="Use the 2-hour / 180-day token lifetimes of TikTok's 2026 docs.")
    ] = False,
    require_pkce: Annotated[
        bool, typer.Option(help="Behave as a desktop app: PKCE required.")
    ] = False,
    unaudited: Annotated[
        bool, typer.Option(help="Unaudited app: private accounts, SELF_ONLY, 5 users per 24 h.")
    ] = False,
    verified_url_prefix: Annotated[
        list[str] | None, typer.Option(help="A verified URL prefix for PULL_FROM_URL (repeatable).")
    ] = None,
    webhook_url: Annotated[str | None, typer.Option(help="Where to deliver webhooks.")] = None,
    processing_delay: Annotated[
        float, typer.Option(help="Seconds of processing after upload.")
    ] = 2.0,
    moderation_delay: Annotated[
        float, typer.Option(help="Seconds before a public post gets its post id.")
    ] = 5.0,
    creators: Annotated[
        Path | None, typer.Option(help="JSON file replacing the seeded creator accounts.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for ids and injected faults.")] = 0,
    clock_scale: Annotated[float, typer.Option(help="Sandbox seconds per real second.")] = 1.0,
    data_dir: Annotated[Path | None, typer.Option(help="Where uploaded bytes are kept.")] = None,
    fault_5xx: Annotated[float, typer.Option(help="Share of API calls answered 500.")] = 0.0,
    fault_reset: Annotated[
        float,
        typer.Option(help="Share of API calls whose response is lost after they took effect."),
    ] = 0.0,
    fault_upload_reset: Annotated[
        float, typer.Option(help="Share of upload chunks whose connection is reset.")
    ] = 0.0,
    fault_latency_ms: Annotated[int, typer.Option(help="Extra latency per API call.")] = 0,
    fault_stuck_processing: Annotated[
        bool, typer.Option(help="Publishes never leave processing.")
    ] = False,
) -> None:
    """Run the built-in TikTok sandbox (OAuth, Display and Content Posting APIs)."""
    from ..sandbox import FaultConfig, SandboxConfig, serve
    from ..sandbox.config import SHORT_LIFETIMES

    config = SandboxConfig(
        require_pkce=require_pkce,
        audited=not unaudited,
        verified_url_prefixes=list(verified_url_prefix or []),
        webhook_url=webhook_url,
        processing_delay=processing_delay,
        moderation_delay=moderation_delay,
        creators_file=creators,
        seed=seed,
        clock_scale=clock_scale,
        data_dir=data_dir,
        faults=FaultConfig(
            error_5xx_rate=fault_5xx,
            reset_rate=fault_reset,
            upload_reset_rate=fault_upload_reset,
            latency_ms=fault_latency_ms,
            stuck_processing=fault_stuck_processing,
        ),
    )
    if client_key:
        config.client_key = client_key
    if client_secret:
        config.client_secret = client_secret
    if redirect_uri:
        config.redirect_uris = list(redirect_uri)
    if short_tokens:
        config.access_token_ttl, config.refresh_token_ttl = SHORT_LIFETIMES
    _print_sandbox_banner(config, host, port)
    serve(config, host, port)


def _print_sandbox_banner(config: object, host: str, port: int) -> None:
    from rich.console import Console

    from ..sandbox import SandboxConfig

    assert isinstance(config, SandboxConfig)
    base = f"http://{host}:{port}"
    console = Console(stderr=True)
    console.print(f"[bold]TikTok sandbox[/] on {base}")
    console.print(f"  client key     {config.client_key}")
    console.print(f"  redirect URIs  {', '.join(config.redirect_uris)}")
    console.print(f"  authorize      {base}/v2/auth/authorize/")
    console.print(f"  inspect        {base}/sandbox/")


@app.command(rich_help_panel=OPERATE)
def worker(
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Worker threads sending posts.")
    ] = 2,
) -> None:
    """Run a worker: sends due posts to TikTok and does the periodic work, until Ctrl-C."""
    from ..jobs import run_worker

    with _running("worker") as (_, ctx):
        run_worker(ctx, workers)


@app.command(rich_help_panel=OPERATE)
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default: AUTOPOSTER_PUBLIC_URL's).")
    ] = None,
) -> None:
    """Run the web app (dashboard, TikTok webhooks, media links) until Ctrl-C."""
    import threading

    from ..logs import expire_logs_in_background
    from ..web import create_app
    from ..web import serve as serve_web

    with _running("serve") as (settings, ctx):
        stop = threading.Event()
        expiry = expire_logs_in_background(settings, stop)
        try:
            serve_web(create_app(ctx), host, port or _public_port(settings.public_url))
        finally:
            stop.set()
            expiry.join(timeout=5)
    typer.echo("Autoposter stopped.", err=True)


@contextmanager
def _running(role: str) -> Iterator[tuple[Settings, Context]]:
    """The settings, logging for ``role`` and a Context, closed when the service stops."""
    from ..logs import setup_logging
    from .runtime import load_settings, open_context

    settings = load_settings()
    setup_logging(settings, role)
    ctx = open_context(settings)
    try:
        yield settings, ctx
    finally:
        ctx.close()


@app.command(rich_help_panel=OPERATE)
def run(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None, typer.Option(help="Web app port (default: AUTOPOSTER_PUBLIC_URL's, 8000).")
    ] = None,
    worker_threads: Annotated[
        int, typer.Option(min=1, help="Threads of the worker sending posts.")
    ] = 2,
) -> None:
    """Run the web app, a worker and the built-in TikTok sandbox together, until Ctrl-C.

    The sandbox starts only while no TikTok app (AUTOPOSTER_TIKTOK_CLIENT_KEY) is configured.
    """
    from ..accounts import count_users
    from ..jobs import run_worker
    from ..logs import setup_logging
    from ..store import upgrade
    from ..web import create_app, start_in_thread
    from .runtime import load_settings, open_context

    settings = load_settings()
    log_file = setup_logging(settings, "run")
    upgrade(settings.database)  # the embedded default database needs no separate step
    sandbox = _start_embedded_sandbox(settings, host) if settings.uses_sandbox else None
    ctx = open_context(settings)
    web = None
    try:
        web = start_in_thread(create_app(ctx), host, port or _public_port(settings.public_url))
        _print_run_banner(
            web.url,
            log_file,
            sandbox_url=sandbox.url if sandbox else None,
            has_users=count_users(ctx) > 0,
        )
        run_worker(ctx, worker_threads)
    finally:
        if web is not None:
            web.stop()
        if sandbox is not None:
            sandbox.stop()
        ctx.close()
    typer.echo("Autoposter stopped.", err=True)


def _public_port(public_url: str) -> int:
    from urllib.parse import urlsplit

    parsed = urlsplit(public_url)
    return parsed.port or (443 if parsed.scheme == "https" else 8000)


def _start_embedded_sandbox(settings: Settings, host: str) -> RunningSandbox:
    """The built-in sandbox, told where Autoposter's media links and webhooks are."""
    from urllib.parse import urlsplit

    from ..posts.media_store import media_prefix
    from ..sandbox import SandboxConfig, start_in_thread

    config = SandboxConfig(
        redirect_uris=[settings.callback_uri],
        verified_url_prefixes=[media_prefix(settings)],
        webhook_url=settings.public_url.rstrip("/") + "/webhooks/tiktok",
        data_dir=settings.data_dir / "sandbox",
    )
    port = urlsplit(settings.sandbox_url).port or DEFAULT_SANDBOX_PORT
    return start_in_thread(config, host, port)


def _print_run_banner(
    web_url: str, log_file: Path, *, sandbox_url: str | None, has_users: bool
) -> None:
    from rich.console import Console

    # soft_wrap: addresses stay whole (and clickable) in a narrow terminal or a log file.
    console = Console(stderr=True, soft_wrap=True)
    console.print(f"[bold]Autoposter[/] is running: open [bold]{web_url}[/]")
    if sandbox_url:
        console.print(
            f"  TikTok         the built-in sandbox at {sandbox_url} (inspect: "
            f"{sandbox_url}/sandbox/); set AUTOPOSTER_TIKTOK_CLIENT_KEY for the real TikTok"
        )
    console.print(f"  logs           {log_file}")
    if has_users:
        first = "sign in, then connect a TikTok account under Accounts"
    else:
        first = (
            f"open {web_url}/signup and create the first login (it administers this "
            "installation), then connect a TikTok account under Accounts"
        )
    console.print(f"  first          {first}")
    console.print("  stop           Ctrl-C")


db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
keys_app = typer.Typer(help="The vault's encryption keys.", no_args_is_help=True)
users_app = typer.Typer(help="Dashboard users.", no_args_is_help=True)
app.add_typer(db_app, name="db", rich_help_panel=OPERATE)
app.add_typer(keys_app, name="keys", rich_help_panel=OPERATE)
app.add_typer(users_app, name="users", rich_help_panel=OPERATE)


def _database_label(url: str) -> str:
    from sqlalchemy.engine import make_url

    from ..store import normalise_url

    return make_url(normalise_url(url)).render_as_string(hide_password=True)


@db_app.command("upgrade")
def db_upgrade(
    database_url: Annotated[
        str | None, typer.Option(help="Database to migrate (default: DATABASE_URL).")
    ] = None,
) -> None:
    """Create or migrate the database schema to this version of Autoposter."""
    from ..store import upgrade
    from ..store.migrate import head_revisions
    from .runtime import load_settings

    settings = load_settings(**({"database_url": database_url} if database_url else {}))
    upgrade(settings.database)
    heads = ", ".join(sorted(head_revisions()))
    typer.echo(f"{_database_label(settings.database)} is at revision {heads}.")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored token under a new key; safe while Autoposter runs."""
    from ..accounts import rotate_vault_key
    from ..vault import VaultError
    from .runtime import fail, load_settings, open_context

    ctx = open_context(load_settings())
    try:
        report = rotate_vault_key(ctx)
    except VaultError as exc:
        raise fail(str(exc)) from None
    finally:
        ctx.close()
    typer.echo(f"New key {report.new_key_id}: {report.reencrypted} secrets re-encrypted.")
    for key_id, path in report.retired.items():
        typer.echo(f"Retired key {key_id} (moved to {path}; delete it once no backup needs it).")
    for key_id in report.external_unused:
        typer.echo(f"Key {key_id} from AUTOPOSTER_SECRET_KEY is no longer used: remove it.")
    if not report.complete:
        raise fail(
            "some secrets still use old keys (written while rotating): run `autoposter keys "
            "rotate` again; the old keys were kept."
        )


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="The login name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a dashboard user (the password is asked for, never passed as an argument)."""
    import sys

    from ..accounts import AccountsError, create_user
    from .runtime import fail, load_settings, open_context

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    ctx = open_context(load_settings())
    try:
        user = create_user(ctx, username, password)
    except AccountsError as exc:
        raise fail(str(exc)) from None
    finally:
        ctx.close()
    typer.echo(f"Created user {user.username!r} (id {user.id}).")
