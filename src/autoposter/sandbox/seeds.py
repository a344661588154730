"""The sandbox's creator accounts: one for each case a client must handle.

A JSON file (``--creators FILE``) replaces them: a list of objects with the fields of
:class:`CreatorSeed`; missing fields take the defaults below.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path


@dataclass
class CreatorSeed:
    key: str
    username: str
    display_name: str
    bio_description: str = ""
    is_verified: bool = False
    private_account: bool = False
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False
    max_video_post_duration_sec: int = 600
    banned: bool = False
    daily_post_cap: int = 15
    posts_today: int = 0
    follower_count: int = 1200
    following_count: int = 180
    likes_count: int = 56000
    existing_videos: int = 3


DEFAULT_SEEDS: tuple[CreatorSeed, ...] = (
    CreatorSeed("public", "sunny.studio", "Sunny Studio", "Daily sketches and timelapses."),
    # §4.1: a private account offers FOLLOWER_OF_CREATOR and has duet/stitch disabled.
    CreatorSeed(
        "private",
        "quiet.notes",
        "Quiet Notes",
        "Friends only.",
        private_account=True,
        duet_disabled=True,
        stitch_disabled=True,
    ),
    CreatorSeed(
        "locked",
        "no.comments.please",
        "No Comments Please",
        comment_disabled=True,
        duet_disabled=True,
        stitch_disabled=True,
    ),
    CreatorSeed("short", "sixty.seconds", "Sixty Seconds", max_video_post_duration_sec=60),
    CreatorSeed("banned", "benched.account", "Benched Account", banned=True),
    CreatorSeed("capped", "busy.poster", "Busy Poster", daily_post_cap=15, posts_today=15),
)


def load_seeds(path: Path | None) -> list[CreatorSeed]:
    if path is None:
        return list(DEFAULT_SEEDS)
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{path}: expected a non-empty JSON list of creators")
    known = {f.name for f in fields(CreatorSeed)}
    seeds = []
    for i, item in enumerate(raw):
        unknown = set(item) - known
        if unknown:
            raise ValueError(f"{path}: creator {i} has unknown fields {sorted(unknown)}")
        seeds.append(CreatorSeed(**item))
    keys = [s.key for s in seeds]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{path}: creator keys must be unique")
    return seeds
