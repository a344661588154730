"""From what a person types (options, or a CSV row) to a :class:`~.backend.PostDraft`.

The account is named by id, username or nickname; the kind follows the files (photos when
every file is an image, a video otherwise); privacy takes TikTok's names or the words the
compose page shows ("everyone", "friends", "followers", "only-me"); times are wall-clock
times in the user's time zone. Problems are reported per field, in the service's names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .backend import BackendError, FieldProblem, PostDraft, Record

# Suffixes of still images: a photo post when every file has one (TikTok takes JPEG and
# WebP; validation explains why any other image is refused).
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".webp", ".png", ".gif", ".bmp", ".heic", ".heif", ".tif", ".tiff", ".avif"}
)
PRIVACY_WORDS = {
    "everyone": "PUBLIC_TO_EVERYONE",
    "public": "PUBLIC_TO_EVERYONE",
    "friends": "MUTUAL_FOLLOW_FRIENDS",
    "followers": "FOLLOWER_OF_CREATOR",
    "only-me": "SELF_ONLY",
    "only_me": "SELF_ONLY",
    "only me": "SELF_ONLY",
    "private": "SELF_ONLY",
}


@dataclass(frozen=True)
class Choices:
    """What a person chose for one post, before the account and time are resolved."""

    account: str
    files: tuple[Path, ...]
    caption: str = ""
    title: str = ""
    privacy: str | None = None
    at: str | None = None
    draft: bool = False
    allow_comments: bool = False
    allow_duets: bool = False
    allow_stitches: bool = False
    brand_organic: bool = False
    branded: bool = False
    aigc: bool = False


def draft_from(choices: Choices, accounts: list[Record], zone: str) -> PostDraft:
    """The draft, or a BackendError listing every problem found before asking the instance."""
    problems: list[FieldProblem] = []
    account_id = _account_id(choices.account, accounts, problems)
    kind = _kind(choices.files, problems)
    _require_files(choices.files, problems)
    publish_at = _publish_at(choices.at, zone, problems)
    if problems:
        raise BackendError("The post cannot be sent as it is.", fields=problems)
    assert account_id is not None
    photo = kind == "photo"
    return PostDraft(
        account_id=account_id,
        kind=kind,
        mode="inbox" if choices.draft else "direct",
        files=choices.files,
        # A video's caption is its title (§4.2); a photo post has a short title and the
        # caption as its description (§4.4).
        title=choices.title if photo else choices.caption,
        description=choices.caption if photo else "",
        privacy_level=privacy_level(choices.privacy),
        allow_comment=choices.allow_comments,
        allow_duet=choices.allow_duets,
        allow_stitch=choices.allow_stitches,
        brand_organic=choices.brand_organic,
        brand_content=choices.branded,
        is_aigc=choices.aigc,
        publish_at=publish_at,
    )


def privacy_level(text: str | None) -> str | None:
    """TikTok's privacy name for ``text``; anything unknown is passed on for validation to
    refuse with the account's choices."""
    if text is None or not text.strip():
        return None
    cleaned = text.strip()
    return PRIVACY_WORDS.get(cleaned.lower(), cleaned.upper())


def resolve_account(text: str, accounts: list[Record]) -> Record:
    """The account ``text`` names (id, @username, username or nickname), or BackendError."""
    problems: list[FieldProblem] = []
    account_id = _account_id(text, accounts, problems)
    if account_id is None:
        raise BackendError(problems[0].message)
    return next(a for a in accounts if a["id"] == account_id)


def _account_id(text: str, accounts: list[Record], problems: list[FieldProblem]) -> int | None:
    wanted = text.strip()
    if not accounts:
        problems.append(
            FieldProblem(
                "account_id", "no TikTok account is connected: run `autoposter accounts connect`"
            )
        )
        return None
    found = [a for a in accounts if _names(a, wanted)]
    if len(found) == 1:
        return int(found[0]["id"])
    listed = ", ".join(f"{_label(a)} (id {a['id']})" for a in (found or accounts))
    if found:
        message = f"{wanted!r} names several accounts: {listed}; use the id"
    else:
        message = f"there is no account {wanted!r} among yours: use one of {listed}"
    problems.append(FieldProblem("account_id", message))
    return None


def _names(account: Record, wanted: str) -> bool:
    if wanted.isdigit():
        return int(wanted) == int(account["id"])
    lowered = wanted.lower()
    username = str(account.get("username") or "").lower()
    nickname = str(account.get("nickname") or "").lower()
    return lowered.removeprefix("@") == username or lowered == nickname


def _label(account: Record) -> str:
    if account.get("username"):
        return "@" + str(account["username"])
    return str(account.get("nickname") or f"account {account['id']}")


def _kind(files: tuple[Path, ...], problems: list[FieldProblem]) -> str:
    images = [path.suffix.lower() in IMAGE_SUFFIXES for path in files]
    if images and all(images):
        return "photo"
    if any(images):
        problems.append(
            FieldProblem(
                "media",
                "a post is either one video or 1–35 photos, not both: post them separately",
            )
        )
    return "video"


def _require_files(files: tuple[Path, ...], problems: list[FieldProblem]) -> None:
    if not files:
        problems.append(FieldProblem("media", "name the video, or the photos, to post"))
    for index, path in enumerate(files):
        field = "media" if len(files) == 1 else f"media[{index}]"
        if not path.is_file():
            what = "is a directory" if path.is_dir() else "does not exist"
            problems.append(FieldProblem(field, f"{path} {what}: check the path"))


def _publish_at(text: str | None, zone: str, problems: list[FieldProblem]) -> datetime | None:
    if text is None or not text.strip():
        return None
    from ..posts.compose import PostInputError, parse_local_time

    try:
        return parse_local_time(text, zone)
    except PostInputError as exc:
        problems.extend(FieldProblem(e.field, e.message) for e in exc.errors)
        return None
