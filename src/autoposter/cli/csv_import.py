"""Bulk scheduling from a CSV file (see ``autoposter import --help`` for the format).

Three passes: read every row into a draft (the account, files, privacy and time are
resolved here), check every draft with the instance (nothing stored), then store the valid
ones — or none, with ``--all-or-nothing``, if any row was rejected. Each row's problems are
reported under the CSV's own column names.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.table import Table

from . import output
from .backend import Backend, BackendError, FieldProblem, PostDraft, Record
from .drafts import Choices, draft_from
from .post_flow import warn_without_worker
from .runtime import USAGE, backend_for, fail
from .watch import transfers

REQUIRED = ("file", "account", "caption", "privacy", "time")
OPTIONAL_FLAGS = (
    "draft",
    "allow_comments",
    "allow_duets",
    "allow_stitches",
    "brand_organic",
    "branded",
    "aigc",
)
OPTIONAL = ("title", *OPTIONAL_FLAGS)
PHOTO_SEPARATOR = "|"
TRUE = frozenset({"yes", "y", "true", "1", "x", "on"})
FALSE = frozenset({"", "no", "n", "false", "0", "off"})
FIRST_ROW = 2  # the header is row 1, as a spreadsheet numbers them

# The service's field names as this file's columns, for messages about a row.
COLUMNS = {
    "account_id": "account",
    "account": "account",
    "media": "file",
    "media_ids": "file",
    "title": "caption",
    "privacy_level": "privacy",
    "publish_at": "time",
    "allow_comment": "allow_comments",
    "allow_duet": "allow_duets",
    "allow_stitch": "allow_stitches",
    "brand_content": "branded",
    "commercial_content": "brand_organic/branded",
    "is_aigc": "aigc",
}
PHOTO_COLUMNS = {**COLUMNS, "title": "title", "description": "caption"}

ACCEPTED, REJECTED, NOT_STORED = "accepted", "rejected", "not_stored"


@dataclass
class Row:
    number: int
    draft: PostDraft | None = None
    problems: list[FieldProblem] = field(default_factory=list)
    result: str = REJECTED
    post: Record | None = None

    def report(self) -> Record:
        names = PHOTO_COLUMNS if self.draft and self.draft.kind == "photo" else COLUMNS
        found: Record = {"row": self.number, "result": self.result}
        if self.post is not None:
            found.update(
                post_id=self.post["id"],
                status=self.post["status"],
                publish_at=self.post.get("publish_at"),
            )
        if self.problems:
            found["problems"] = [
                {"column": output.field_label(p.field, names), "message": p.message}
                for p in self.problems
            ]
        return found


def run_import(ctx: typer.Context, csv_file: Path, *, all_or_nothing: bool, as_json: bool) -> None:
    records = read_rows(csv_file)
    with output.reported_errors(), backend_for(ctx) as backend, backend.batch():
        zone = backend.me()["time_zone"]
        accounts = backend.accounts()
        rows = [
            _drafted(FIRST_ROW + i, record, accounts, zone, csv_file.parent)
            for i, record in enumerate(records)
        ]
        for row in rows:
            if row.draft is not None:
                row.problems = backend.check_post(row.draft)
        valid = [row for row in rows if row.draft is not None and not row.problems]
        if all_or_nothing and len(valid) < len(rows):
            for row in valid:
                row.result = NOT_STORED
        else:
            _store(backend, valid)
        report = _report(csv_file, rows, all_or_nothing)
        if as_json:
            output.emit_json(report)
        else:
            _show(report, zone)
        stored = [int(row.post["id"]) for row in rows if row.post is not None]
        warn_without_worker(backend, stored, waiting=False)
        if report["rejected"] or report["not_stored"]:
            raise typer.Exit(1)


def read_rows(csv_file: Path) -> list[dict[str, str]]:
    """The data rows as dicts, or exit 2 when the file or its header cannot work."""
    try:
        with csv_file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip().lower() for name in reader.fieldnames or []]
            _check_header(csv_file, header)
            reader.fieldnames = header
            rows = [{k: (v or "").strip() for k, v in r.items() if k} for r in reader]
    except OSError as exc:
        message = f"{csv_file} cannot be read ({exc.strerror}): check the path."
        raise fail(message, USAGE) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        message = f"{csv_file} is not a UTF-8 CSV file ({exc}): save it as CSV UTF-8."
        raise fail(message, USAGE) from None
    if not rows:
        raise fail(f"{csv_file} has a header but no rows: add one row per post.", USAGE)
    return rows


def _check_header(csv_file: Path, header: list[str]) -> None:
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in (*REQUIRED, *OPTIONAL)]
    if missing or unknown:
        problems = []
        if missing:
            problems.append("it lacks the column(s) " + ", ".join(missing))
        if unknown:
            problems.append("it has unknown column(s) " + ", ".join(unknown))
        raise fail(
            f"{csv_file}: {'; '.join(problems)}. The first row names the columns: "
            f"{', '.join(REQUIRED)} (required), {', '.join(OPTIONAL)} (optional).",
            USAGE,
        )


def _drafted(
    number: int, record: dict[str, str], accounts: list[Record], zone: str, base: Path
) -> Row:
    row = Row(number)
    flags: dict[str, bool] = {}
    for name in OPTIONAL_FLAGS:
        value = record.get(name, "").lower()
        if value not in TRUE | FALSE:
            row.problems.append(FieldProblem(name, f"{value!r} is not yes or no"))
        flags[name] = value in TRUE
    cells = [part.strip() for part in record["file"].split(PHOTO_SEPARATOR) if part.strip()]
    choices = Choices(
        account=record["account"],
        files=tuple((base / Path(cell).expanduser()) for cell in cells),
        caption=record["caption"],
        title=record.get("title", ""),
        privacy=record["privacy"] or None,
        at=record["time"] or None,
        **flags,
    )
    try:
        draft = draft_from(choices, accounts, zone)
    except BackendError as exc:
        row.problems += exc.fields or [FieldProblem("file", exc.message)]
        return row
    if not row.problems:
        row.draft = draft
    return row


def _store(backend: Backend, rows: list[Row]) -> None:
    with transfers() as report:
        for row in rows:
            assert row.draft is not None
            try:
                row.post = backend.submit_post(row.draft, report)["post"]
                row.result = ACCEPTED
            except BackendError as exc:
                row.problems = exc.fields or [FieldProblem("row", exc.message)]


def _report(csv_file: Path, rows: list[Row], all_or_nothing: bool) -> Record:
    reports = [row.report() for row in rows]
    counts = {
        result: sum(1 for r in reports if r["result"] == result)
        for result in (ACCEPTED, REJECTED, NOT_STORED)
    }
    return {"file": str(csv_file), "all_or_nothing": all_or_nothing, **counts, "rows": reports}


def _show(report: Record, zone: str) -> None:
    table = Table("Row", "Result", "Post", "When", "Why")
    for row in report["rows"]:
        reasons = "\n".join(f"{p['column']}: {p['message']}" for p in row.get("problems", []))
        if row["result"] == NOT_STORED:
            reasons = "valid, but not stored: another row was rejected (--all-or-nothing)"
        table.add_row(
            str(row["row"]),
            row["result"],
            str(row.get("post_id") or ""),
            output.local(row.get("publish_at"), zone),
            reasons,
        )
    output.stdout.print(table)
    summary = f"{report['accepted']} accepted, {report['rejected']} rejected"
    if report["not_stored"]:
        summary += f"; nothing stored ({report['not_stored']} valid rows not stored)"
    output.say(summary + ".")
