"""``autoposter import posts.csv``: schedule many posts from a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .root import PUBLISH, JsonOption, app


@app.command("import", rich_help_panel=PUBLISH)
def import_posts(
    ctx: typer.Context,
    csv_file: Annotated[
        Path, typer.Argument(metavar="POSTS.CSV", help="The CSV file, one post per row.")
    ],
    all_or_nothing: Annotated[
        bool,
        typer.Option(help="Store nothing unless every row is valid."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Schedule posts from a CSV file: one row per post, checked before any is stored.

    The first row names the columns: file, account, caption, privacy, time (all required;
    time may be empty for "now"), and optionally title, draft, allow_comments, allow_duets,
    allow_stitches, brand_organic, branded, aigc (yes/no). A photo post lists its photos in
    one file cell separated by "|"; paths are relative to the CSV file. Times are in your
    time zone, like "2026-12-01 18:00".

    Every row is checked first. Then the valid rows are stored and the rejected ones
    reported with each reason; with --all-or-nothing, nothing is stored unless every row is
    valid. The report (a table, or --json) gives each row's number as a spreadsheet shows it
    (the header is row 1). The exit code is 0 only when every row was accepted.
    """
    from .csv_import import run_import

    run_import(ctx, csv_file, all_or_nothing=all_or_nothing, as_json=as_json)
