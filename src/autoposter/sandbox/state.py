"""The sandbox's world: creators, codes, tokens, publishes and webhook deliveries.

State lives in memory (an emulator needs no durability); uploaded bytes live on disk.
All mutation happens on the server's event loop, so plain dicts suffice.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .clock import Clock
from .config import SandboxConfig
from .ids import IdFactory
from .ratelimit import RateLimiter
from .scheduler import Scheduler
from .seeds import CreatorSeed, load_seeds

DAY = 86_400.0


@dataclass
class Video:
    """A published post as the Display API shows it (§3.4)."""

    id: str
    create_time: int
    title: str
    video_description: str
    duration: int
    width: int
    height: int
    like_count: int = 0
    comment_count: int = 0
    share_count: int = 0
    view_count: int = 0
    public: bool = True


@dataclass
class Creator:
    seed: CreatorSeed
    open_id: str
    union_id: str
    post_times: list[float] = field(default_factory=list)
    videos: list[Video] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.seed.key

    def privacy_level_options(self) -> list[str]:
        # §4.1: the options depend on whether the account is private.
        if self.seed.private_account:
            return ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        return ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


@dataclass
class AuthCode:
    code: str
    open_id: str
    scopes: list[str]
    redirect_uri: str
    code_challenge: str | None
    expires_at: float
    used: bool = False
    # The grant this code produced, so a replayed code can revoke it (RFC 6749 §4.1.2).
    grant: Grant | None = None


@dataclass
class Grant:
    """One authorization of the app by a creator: the current access and refresh tokens."""

    open_id: str
    scopes: list[str]
    access_token: str
    access_expires_at: float
    refresh_token: str
    refresh_expires_at: float
    revoked: bool = False
    # Rotated-out refresh tokens stay usable until this time (§1.5 grace, default none).
    retired_refresh: dict[str, float] = field(default_factory=dict)


@dataclass
class UploadSession:
    upload_id: str
    upload_token: str
    publish_id: str
    video_size: int
    chunk_size: int
    total_chunk_count: int
    expires_at: float
    path: Path
    received: int = 0
    chunks_done: int = 0
    content_type: str | None = None


@dataclass
class Publish:
    publish_id: str
    open_id: str
    access_token: str
    media: str  # "video" | "photo"
    mode: str  # "DIRECT_POST" | "MEDIA_UPLOAD" (inbox)
    source: str  # "FILE_UPLOAD" | "PULL_FROM_URL"
    post_info: dict[str, Any]
    source_info: dict[str, Any]
    created_at: float
    status: str
    fail_reason: str = ""
    uploaded_bytes: int = 0
    downloaded_bytes: int = 0
    post_ids: list[int] = field(default_factory=list)
    content_hash: str | None = None
    upload: UploadSession | None = None
    media_paths: list[Path] = field(default_factory=list)
    finished_at: float | None = None
    # What processing measured (width, height, duration), for posts made from it later.
    probed: dict[str, float] = field(default_factory=dict)

    @property
    def privacy_level(self) -> str | None:
        value = self.post_info.get("privacy_level")
        return value if isinstance(value, str) else None

    @property
    def final(self) -> bool:
        return self.status in ("PUBLISH_COMPLETE", "FAILED")


@dataclass
class WebhookDelivery:
    id: int
    event: str
    body: str
    created_at: float
    attempts: list[dict[str, Any]] = field(default_factory=list)
    delivered: bool = False
    given_up: bool = False


class World:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = Clock(config.clock_scale)
        self.rng = random.Random(config.seed)
        self.ids = IdFactory(self.rng)
        self.scheduler = Scheduler(self.clock)
        self.limiter = RateLimiter()
        self.data_dir = config.data_dir or Path(tempfile.mkdtemp(prefix="autoposter-sandbox-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.creators: dict[str, Creator] = {}
        self.codes: dict[str, AuthCode] = {}
        self.grants: dict[str, Grant] = {}  # by open_id
        self.access_index: dict[str, Grant] = {}  # current access token -> grant
        self.refresh_index: dict[str, Grant] = {}  # current or retired refresh token -> grant
        self.client_tokens: dict[str, float] = {}
        self.publishes: dict[str, Publish] = {}
        self.uploads: dict[str, UploadSession] = {}  # by upload_id
        self.webhooks: list[WebhookDelivery] = []
        # open_id -> times it started a post, for the app's active-user cap (§6).
        self.posting_users: dict[str, list[float]] = {}
        self.verified_url_prefixes = list(config.verified_url_prefixes)
        # publish_id -> its running PULL_FROM_URL download (§4.6), so cancel can stop it.
        self.pull_tasks: dict[str, asyncio.Task[None]] = {}
        for seed in load_seeds(config.creators_file):
            self.add_creator(seed)

    def now(self) -> float:
        return self.clock.now()

    def add_creator(self, seed: CreatorSeed) -> Creator:
        seed = replace(seed)  # each world owns its creators: a test's change must not leak
        creator = Creator(seed=seed, open_id=self.ids.open_id(), union_id=self.ids.union_id())
        now = self.now()
        creator.post_times = [now - 60.0 * (i + 1) for i in range(seed.posts_today)]
        for i in range(seed.existing_videos):
            creator.videos.append(self._seed_video(seed, now - DAY * (i + 1)))
        self.creators[creator.open_id] = creator
        return creator

    def _seed_video(self, seed: CreatorSeed, when: float) -> Video:
        title = f"{seed.display_name} clip from {int(when)}"
        return Video(
            id=self.ids.digits(19),
            create_time=int(when),
            title=title,
            video_description=title,
            duration=15,
            width=1080,
            height=1920,
            like_count=self.rng.randint(0, 5000),
            comment_count=self.rng.randint(0, 200),
            share_count=self.rng.randint(0, 100),
            view_count=self.rng.randint(1000, 90000),
        )

    def creator_by_key(self, key: str) -> Creator | None:
        return next((c for c in self.creators.values() if c.key == key), None)

    def log_id(self) -> str:
        return self.ids.log_id(self.now())
