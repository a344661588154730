"""``autoposter import posts.csv``: every row checked first, the good ones stored (or none,
with ``--all-or-nothing``), and a report of each row."""

from __future__ import annotations

import shutil
from pathlib import Path

from autoposter.posts import list_posts

from .support import Instance, json_of, refused, write_csv

HEADER = "file,account,caption,privacy,time,allow_comments"


def spreadsheet(tmp_path: Path, clip: Path, photos: tuple[Path, ...]) -> Path:
    """Two good rows (a video, two photos) and three bad ones; the media beside the CSV."""
    for path in (clip, *photos):
        shutil.copy(path, tmp_path / path.name)
    return write_csv(
        tmp_path / "posts.csv",
        HEADER,
        f"{clip.name},sunny.studio,First video,everyone,2030-02-01 10:00,yes",
        f"{photos[0].name}|{photos[2].name},@sunny.studio,Photos,friends,2030-02-02 10:00,no",
        f"{clip.name},nobody,Unknown account,everyone,2030-02-03 10:00,",
        "missing.mp4,sunny.studio,Gone,everyone,,maybe",
        f"{clip.name},sunny.studio,Too late,only-me,2020-01-01 10:00,",
    )


def test_import_stores_the_good_rows_and_reports_why_each_bad_one_was_rejected(
    connected: Instance, tmp_path: Path, clip: Path, photos: tuple[Path, ...]
) -> None:
    result = connected.run("import", str(spreadsheet(tmp_path, clip, photos)), "--json")

    report = json_of(result, code=1)  # 1: not every row was accepted
    assert (report["accepted"], report["rejected"], report["not_stored"]) == (2, 3, 0)
    rows = {row["row"]: row for row in report["rows"]}
    assert [rows[n]["result"] for n in (2, 3)] == ["accepted", "accepted"]
    assert rows[2]["status"] == "scheduled" and rows[2]["publish_at"].startswith("2030-02-01T10:00")
    assert "there is no account 'nobody' among yours" in problems(rows[4])["account"]
    assert set(problems(rows[5])) == {"allow_comments", "file"}
    assert "does not exist" in problems(rows[5])["file"]
    assert "is in the past" in problems(rows[6])["time"]
    stored = list_posts(connected.ctx, connected.user)
    assert sorted(p.id for p in stored) == sorted([rows[2]["post_id"], rows[3]["post_id"]])
    assert {p.kind for p in stored} == {"video", "photo"}
    assert {p.allow_comment for p in stored if p.kind == "video"} == {True}


def test_all_or_nothing_stores_nothing_when_a_row_is_bad(
    connected: Instance, tmp_path: Path, clip: Path, photos: tuple[Path, ...]
) -> None:
    path = spreadsheet(tmp_path, clip, photos)
    result = connected.run("import", str(path), "--all-or-nothing", "--json")

    report = json_of(result, code=1)
    assert (report["accepted"], report["rejected"], report["not_stored"]) == (0, 3, 2)
    assert list_posts(connected.ctx, connected.user) == []


def test_a_clean_file_is_all_accepted_with_exit_0_and_a_table(
    connected: Instance, tmp_path: Path, clip: Path
) -> None:
    shutil.copy(clip, tmp_path / "a.mp4")
    path = write_csv(
        tmp_path / "good.csv",
        "file,account,caption,privacy,time,draft",
        "a.mp4,1,Scheduled,friends,2030-03-01 12:00,",
        "a.mp4,1,Draft,,2030-03-02 12:00,yes",
    )

    result = connected.run("import", str(path), "--all-or-nothing")

    assert result.returncode == 0, result.stderr
    assert "2 accepted, 0 rejected" in result.stderr
    assert result.stdout.count("accepted") == 2
    assert {p.mode for p in list_posts(connected.ctx, connected.user)} == {"direct", "inbox"}


def test_a_file_without_the_required_columns_is_a_usage_error(
    connected: Instance, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "odd.csv", "file,account,privacy,when", "a.mp4,1,everyone,")

    error = refused(connected.run("import", str(path)), code=2)

    assert "lacks the column(s) caption, time" in error
    assert "unknown column(s) when" in error


def problems(row: dict[str, object]) -> dict[str, str]:
    found = row.get("problems")
    assert isinstance(found, list), row
    return {p["column"]: p["message"] for p in found}
