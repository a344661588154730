"""How commands show what they got: Rich tables for people, JSON with ``--json``, and errors
on standard error with the exit code (1: refused or failed; 2: the command line or a
setting is wrong). Times are shown on the user's wall clock, as the dashboard does.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from .backend import BackendError, FieldProblem, Record

# Service field names as the command line calls them, for messages that say what to change.
OPTION_NAMES = {
    "account_id": "--account",
    "account": "--account",
    "privacy_level": "--privacy",
    "publish_at": "--at",
    "media": "FILE",
    "media_ids": "FILE",
    "allow_comment": "--allow-comments",
    "allow_duet": "--allow-duets",
    "allow_stitch": "--allow-stitches",
    "brand_organic": "--brand-organic",
    "brand_content": "--branded",
    "commercial_content": "--brand-organic/--branded",
    "is_aigc": "--aigc",
}

# Piped tables (to grep, to a file) get room for a row per line instead of a terminal's 80
# columns; COLUMNS still wins.
PIPED_WIDTH = 160
stdout = Console(
    width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else PIPED_WIDTH,
    soft_wrap=True,
)
stderr = Console(stderr=True, soft_wrap=True)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def say(message: str) -> None:
    """A line for the person (progress, instructions): standard error, never mixed with
    the data a script reads from standard output."""
    typer.echo(message, err=True)


def show_problems(problems: list[FieldProblem], names: dict[str, str] | None = None) -> None:
    for problem in problems:
        typer.echo(f"  {field_label(problem.field, names)}: {problem.message}", err=True)


def field_label(name: str, names: dict[str, str] | None = None) -> str:
    table = names if names is not None else OPTION_NAMES
    if name.startswith("media["):  # one photo: media[2] is the third FILE
        index = name[len("media[") :].rstrip("]")
        return f"{table.get('media', 'media')} #{int(index) + 1}" if index.isdigit() else name
    return table.get(name, name)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a BackendError into its message on stderr and its exit code."""
    try:
        yield
    except BackendError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        show_problems(exc.fields)
        raise typer.Exit(exc.exit_code) from None


# --- Times ----------------------------------------------------------------------------------


def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def local(value: str | datetime | None, zone: str) -> str:
    """An ISO time (or datetime) on the wall clock of ``zone``: "2026-12-01 18:00"."""
    moment = parse_time(value)
    if moment is None:
        return ""
    shown = moment.astimezone(ZoneInfo(zone))
    return shown.strftime("%Y-%m-%d %H:%M:%S" if shown.second else "%Y-%m-%d %H:%M")


# --- Tables ---------------------------------------------------------------------------------


def account_label(account: Record) -> str:
    if account.get("username"):
        return "@" + str(account["username"])
    return str(account.get("nickname") or f"account {account['id']}")


def accounts_table(accounts: list[Record], zone: str) -> None:
    if not accounts:
        say("No TikTok account connected yet: run `autoposter accounts connect`.")
        return
    table = Table("ID", "Username", "Nickname", "Status", "Token", "Connected")
    for account in accounts:
        status = str(account["status"])
        if account.get("status_reason"):
            status += f" ({account['status_reason']})"
        table.add_row(
            str(account["id"]),
            account_label(account),
            str(account.get("nickname") or ""),
            status,
            str(account.get("token_health") or ""),
            local(account.get("connected_at"), zone),
        )
    stdout.print(table)


def posts_table(posts: list[Record], zone: str, accounts: dict[int, str]) -> None:
    if not posts:
        say("No posts match.")
        return
    table = Table("ID", "Account", "Kind", "Status", "When", "Caption")
    for post in posts:
        caption = str(post.get("title") or post.get("description") or "")
        table.add_row(
            str(post["id"]),
            _account_of(post, accounts),
            f"{post['kind']} ({post['mode']})",
            str(post["status"]),
            local(post.get("publish_at") or post.get("created_at"), zone),
            caption if len(caption) <= 40 else caption[:39] + "…",
        )
    stdout.print(table)


def _account_of(post: Record, accounts: dict[int, str]) -> str:
    account_id = post.get("account_id")
    if account_id is None:
        return "(disconnected)"
    return accounts.get(int(account_id), f"account {account_id}")


def post_details(post: Record, zone: str, accounts: dict[int, str]) -> None:
    """One post: its settings, where it is, and its history."""
    rows: list[tuple[str, str]] = [
        ("Post", str(post["id"])),
        ("Account", _account_of(post, accounts)),
        ("Kind", f"{post['kind']} ({post['mode']})"),
        ("Status", str(post["status"])),
        ("When", local(post.get("publish_at"), zone) or "now"),
        ("Caption", str(post.get("title") or "")),
    ]
    if post.get("description"):
        rows.append(("Description", str(post["description"])))
    if post.get("privacy_level"):
        rows.append(("Privacy", str(post["privacy_level"])))
    if post.get("post_url"):
        rows.append(("On TikTok", str(post["post_url"])))
    if post.get("fail_message"):
        reason = f" ({post['fail_reason']})" if post.get("fail_reason") else ""
        rows.append(("Failed", f"{post['fail_message']}{reason}"))
    files = ", ".join(str(m["name"]) for m in post.get("media", []))
    rows.append(("Files", files))
    for label, value in rows:
        stdout.print(f"[bold]{label:<12}[/] {value}", highlight=False, markup=True)
    history = post.get("history") or []
    if history:
        table = Table("At", "From", "To", "What happened", title="History", title_justify="left")
        for entry in history:
            table.add_row(
                local(entry["at"], zone),
                str(entry.get("from_status") or ""),
                str(entry["to_status"]),
                str(entry.get("detail") or ""),
            )
        stdout.print(table)


def warnings(items: list[Record]) -> None:
    for warning in items:
        say(f"Note: {warning['message']}")
