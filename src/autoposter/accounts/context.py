"""What the account services need, in one object the adapters build once per process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..config import Settings
from ..store import Database
from ..tiktok import TikTokClient, TikTokConfig
from ..vault import Keyring, load_keyring

# Two threads touching ``keyring`` first at once must not both generate a first key.
_first_use = threading.Lock()


def utc_now() -> datetime:
    return datetime.now(UTC)


def tiktok_client_for(settings: Settings, clock: Callable[[], datetime] = utc_now) -> TikTokClient:
    """A client of the configured TikTok app (or the built-in sandbox when none is set)."""
    return TikTokClient(
        TikTokConfig(
            client_key=settings.client_key,
            client_secret=settings.client_secret,
            redirect_uri=settings.callback_uri,
            authorize_url=settings.authorize_url,
            api_base=settings.api_base,
            clock=clock,
        )
    )


@dataclass
class Context:
    """Settings, database, vault keyring and TikTok client, plus the clock and timings.

    The keyring and the client are made on first use, so commands that only touch users
    neither generate a key nor build a client. Share one Context per process: it is
    thread-safe (each service call opens its own session).
    """

    settings: Settings
    db: Database
    clock: Callable[[], datetime] = utc_now
    # Backoff between refresh attempts; tests pass a fake to avoid real waiting.
    sleep: Callable[[float], None] = time.sleep
    refresh_attempts: int = 3
    refresh_backoff: float = 1.0
    # How long a refresh lease is held at most, and how long others wait for it (seconds).
    lease_seconds: float = 120.0
    lease_wait: float = 30.0
    lease_poll: float = 0.05
    # Made from the settings on first use unless given (tests give a fast-retrying client).
    vault_keyring: Keyring | None = field(default=None, repr=False)
    tiktok_client: TikTokClient | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, check_schema: bool = True) -> Context:
        from ..store import open_database

        return cls(settings, open_database(settings.database, check_schema=check_schema))

    def now(self) -> datetime:
        return self.clock()

    @property
    def keyring(self) -> Keyring:
        if self.vault_keyring is None:
            with _first_use:
                if self.vault_keyring is None:
                    self.vault_keyring = self._load_keyring()
        return self.vault_keyring

    def _load_keyring(self) -> Keyring:
        secret = self.settings.secret_key
        source = "AUTOPOSTER_SECRET_KEY" + ("_FILE" if self.settings.secret_key_file else "")
        return load_keyring(
            secret.get_secret_value() if secret else None, self.settings.data_dir, source=source
        )

    @property
    def tiktok(self) -> TikTokClient:
        if self.tiktok_client is None:
            with _first_use:
                if self.tiktok_client is None:
                    self.tiktok_client = tiktok_client_for(self.settings, self.clock)
        return self.tiktok_client

    def close(self) -> None:
        if self.tiktok_client is not None:
            self.tiktok_client.close()
        self.db.dispose()
