"""Autoposter's settings, read from environment variables (prefix ``AUTOPOSTER_``).

Secrets also come from files: ``AUTOPOSTER_SECRET_KEY_FILE`` and
``AUTOPOSTER_TIKTOK_CLIENT_SECRET_FILE`` hold the value itself (Docker/systemd secrets), so it
never has to sit in the environment. ``DATABASE_URL`` and ``QUEUE_URL`` are read unprefixed too,
as DESIGN.md names them.

With no TikTok app configured, Autoposter talks to the built-in sandbox at ``sandbox_url``
with the sandbox's default app credentials.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Feature = Literal["direct_post", "inbox", "history"]
ALL_FEATURES: tuple[Feature, ...] = get_args(Feature)

# The built-in sandbox's default app (autoposter.sandbox.config DEFAULT_CLIENT_KEY/SECRET),
# copied so reading settings never imports the sandbox's web stack; a test keeps them equal.
SANDBOX_CLIENT_KEY = "sbxclientkey0000"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret-change-me"

# §2: user.info.basic comes with Login Kit; user.info.profile carries the username we show.
BASE_SCOPES = ("user.info.basic", "user.info.profile")
FEATURE_SCOPES: dict[Feature, str] = {
    "direct_post": "video.publish",  # §2: creator_info, video/init, content/init (direct)
    "inbox": "video.upload",  # §2: inbox/video/init, content/init (MEDIA_UPLOAD)
    "history": "video.list",  # §2: video/list, video/query
}


def scopes_for(features: tuple[Feature, ...] | list[Feature]) -> tuple[str, ...]:
    """Only the scopes the enabled features need, in a stable order."""
    wanted = [FEATURE_SCOPES[f] for f in ALL_FEATURES if f in features]
    return (*BASE_SCOPES, *wanted)


def _read_secret_file(path: Path, variable: str) -> SecretStr:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ValueError(f"{variable} points at {path}, which cannot be read: {exc}") from None
    if not value:
        raise ValueError(f"{variable} points at {path}, which is empty")
    return SecretStr(value)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AUTOPOSTER_", populate_by_name=True, extra="ignore", frozen=True
    )

    data_dir: Path = Field(
        default=Path("data"),
        description=(
            "The directory for everything Autoposter keeps on disk: the SQLite database and "
            "queue (unless `DATABASE_URL` and `QUEUE_URL` point elsewhere), the vault keys it "
            "generates (`keys/`), media waiting to be sent to TikTok (`media/`), log files "
            "(`logs/`) and the embedded sandbox's files (`sandbox/`). A relative path is read "
            "from the directory Autoposter starts in."
        ),
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AUTOPOSTER_DATABASE_URL", "DATABASE_URL"),
        description=(
            "The database: `sqlite:///PATH` or `postgresql://USER:PASSWORD@HOST/NAME` (read as "
            "`postgresql+psycopg://`). Unset, it is `sqlite:///<data dir>/autoposter.db`."
        ),
    )
    queue_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AUTOPOSTER_QUEUE_URL", "QUEUE_URL"),
        description=(
            'The queue that tells workers "work on post N now": `sqlite:///PATH`, '
            "`redis://HOST:PORT/DB` or `postgresql://USER:PASSWORD@HOST/NAME`. Unset, it is "
            "`sqlite:///<data dir>/queue.db`, which only works when every process shares that "
            "disk."
        ),
    )
    queue_name: str = Field(
        default="autoposter",
        description=(
            "The name of Autoposter's queue. Every web app and worker of one installation uses "
            "the same; installations sharing one Redis or PostgreSQL queue each need their own."
        ),
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "The key that encrypts TikTok tokens at rest: base64 of 32 random bytes. Unset, the "
            "first start generates one into `<data dir>/keys/` and logs where; back that "
            "directory up. Prefer `AUTOPOSTER_SECRET_KEY_FILE`, which keeps it out of the "
            "environment."
        ),
    )
    secret_key_file: Path | None = Field(
        default=None,
        description=(
            "A file holding the secret key (a Docker or systemd secret). Set this or "
            "`AUTOPOSTER_SECRET_KEY`, not both."
        ),
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description=(
            "The address people and TikTok reach this installation at. The OAuth redirect URI, "
            "the webhook URL (`/webhooks/tiktok`) and the photo links TikTok downloads "
            "(`/media/…`) are built from it, and `serve` and `run` listen on its port unless "
            "given `--port`. With a real TikTok app it must be https on a host name for photo "
            "posts to work."
        ),
    )
    tiktok_client_key: str | None = Field(
        default=None,
        description=(
            "The client key of your TikTok developer app. Unset, Autoposter talks to the "
            "built-in TikTok sandbox instead of TikTok."
        ),
    )
    tiktok_client_secret: SecretStr | None = Field(
        default=None,
        description=(
            "The client secret of your TikTok app, required with the client key. It also "
            "checks the signature of TikTok's webhooks. Prefer "
            "`AUTOPOSTER_TIKTOK_CLIENT_SECRET_FILE`."
        ),
    )
    tiktok_client_secret_file: Path | None = Field(
        default=None,
        description=(
            "A file holding the TikTok client secret. Set this or "
            "`AUTOPOSTER_TIKTOK_CLIENT_SECRET`, not both."
        ),
    )
    sandbox_url: str = Field(
        default="http://127.0.0.1:8700",
        description=(
            "Where the built-in TikTok sandbox answers when no TikTok app is configured; "
            "`autoposter run` starts it on this URL's port."
        ),
    )
    tiktok_api_base: str | None = Field(
        default=None,
        description=(
            "Overrides the TikTok API's address (`https://open.tiktokapis.com`, or the sandbox "
            "URL without an app), e.g. to go through a proxy."
        ),
    )
    tiktok_authorize_url: str | None = Field(
        default=None,
        description=(
            "Overrides the address of TikTok's authorization page "
            "(`https://www.tiktok.com/v2/auth/authorize/`, or the sandbox's without an app)."
        ),
    )
    # §1.3: desktop apps must use PKCE (TikTok's hex S256 challenge).
    tiktok_desktop_app: bool = Field(
        default=False,
        description=(
            "Set to `true` if your TikTok app is registered as a desktop app: connecting an "
            "account then uses PKCE, as TikTok requires for desktop apps."
        ),
    )
    redirect_uri: str | None = Field(
        default=None,
        description=(
            "The OAuth redirect URI, exactly as registered in your TikTok app. Unset, it is "
            "`<public URL>/accounts/callback`."
        ),
    )
    features: Annotated[tuple[Feature, ...], NoDecode] = Field(
        default=ALL_FEATURES,
        description=(
            "The features to offer, comma-separated; Autoposter asks TikTok only for the scopes "
            "they need: `direct_post` → `video.publish`, `inbox` → `video.upload`, `history` → "
            "`video.list` (plus `user.info.basic` and `user.info.profile`, always)."
        ),
    )
    token_refresh_margin: int = Field(
        default=900,
        ge=0,
        description=(
            "Seconds before an access token expires at which the worker refreshes it (at most "
            "half the token's lifetime)."
        ),
    )
    oauth_state_ttl: int = Field(
        default=600,
        gt=0,
        description=(
            "Seconds a person has to finish connecting a TikTok account after starting to."
        ),
    )
    # §6: TikTok's daily cap of direct posts per creator, "typically around 15"; the engine
    # paces below it rather than provoking spam_risk_too_many_posts.
    daily_post_cap: int = Field(
        default=15,
        ge=1,
        description=(
            "Direct posts per creator in any 24 hours that the engine paces below. TikTok's own "
            "cap is typically around 15, varies by creator and is shared with every other app "
            "the creator posts from."
        ),
    )
    confirm_timeout: int = Field(
        default=1800,
        gt=0,
        description=(
            "Seconds a composed post waits for its author's confirmation before it expires; "
            "nothing is sent to TikTok without that confirmation."
        ),
    )
    # §4.6: TikTok's download of a PULL_FROM_URL file may take up to an hour.
    media_url_ttl: int = Field(
        default=3 * 3600,
        gt=0,
        description=(
            "Seconds the signed links TikTok downloads photos from stay valid: longer than the "
            "hour TikTok may take to download them."
        ),
    )
    url_verification_dir: Path | None = Field(
        default=None,
        description=(
            "A directory holding the signature files TikTok gives you to verify the URL prefix "
            "`<public URL>/media/` for photo posts. Each file in it named like "
            "`tiktokXXXXXXXX.txt` (letters, digits, `_` and `-` after `tiktok`) is served as "
            "text at `/media/<its name>`; nothing else in it is."
        ),
    )
    post_max_attempts: int = Field(
        default=8,
        ge=1,
        description=(
            "Tries before a post that keeps failing for temporary reasons (TikTok errors, lost "
            "connections) is marked failed."
        ),
    )
    # §4.0: TikTok promises no processing time; a post still processing this many seconds
    # after TikTok had its media fails (saying it may still appear) instead of being polled
    # forever.
    processing_timeout: int = Field(
        default=2 * 3600,
        gt=0,
        description=(
            "Seconds a post may stay in TikTok's processing before it is marked failed with "
            "a message to check the post on TikTok (TikTok gives no limit; 4 GB can take minutes)."
        ),
    )
    # --- The publishing engine's timings (seconds; autoposter.posts.Timings) ---
    engine_lease_seconds: float = Field(
        default=90.0,
        gt=0,
        description=(
            "How long a worker's claim on a post it is sending lasts unless renewed. If the "
            "worker dies, another takes the post over this long after its last renewal."
        ),
    )
    engine_lease_renew_every: float = Field(
        default=20.0,
        gt=0,
        description=(
            "How often a worker renews its claim on a post while it uploads or waits for "
            "TikTok; must be shorter than `AUTOPOSTER_ENGINE_LEASE_SECONDS`."
        ),
    )
    engine_retry_base: float = Field(
        default=15.0,
        gt=0,
        description=(
            "The first wait before a post that failed for a temporary reason is tried again; "
            "each further try waits twice as long (with jitter), up to "
            "`AUTOPOSTER_ENGINE_RETRY_MAX`."
        ),
    )
    engine_retry_max: float = Field(
        default=900.0,
        gt=0,
        description="The longest wait between two tries of a post that keeps failing.",
    )
    engine_poll_first: float = Field(
        default=1.0,
        gt=0,
        description=(
            "The wait from TikTok's acceptance of a post to the first check of its "
            "processing status, and between the first two checks; each further wait "
            "doubles, up to `AUTOPOSTER_ENGINE_POLL_MAX`."
        ),
    )
    engine_poll_max: float = Field(
        default=10.0,
        gt=0,
        description="The longest wait between two checks of TikTok's processing status.",
    )
    engine_poll_hold: float = Field(
        default=60.0,
        ge=0,
        description=(
            "How long a worker keeps checking one post's processing status (between checks "
            "the post waits in the worker's memory, not in one of its threads) before it "
            "hands the post back, to be checked again after `AUTOPOSTER_ENGINE_POLL_LATER`."
        ),
    )
    engine_poll_later: float = Field(
        default=20.0,
        ge=0,
        description=(
            "After a worker handed back a post still processing, how long until the next "
            "worker checks it again."
        ),
    )
    engine_dispatch_every: float = Field(
        default=1.0,
        gt=0,
        description=(
            "How often each worker looks for posts whose time has come (scheduled posts, "
            "retries, status checks). While it finds full batches it does not wait."
        ),
    )
    engine_dispatch_batch: int = Field(
        default=100,
        ge=1,
        description="How many due posts one dispatcher claims with one database statement.",
    )
    engine_reconcile_every: float = Field(
        default=5.0,
        gt=0,
        description=(
            "How often each worker looks for posts whose worker stopped renewing its claim "
            "(it crashed, or the queue lost the task) and hands them to a worker again."
        ),
    )
    engine_delivery_grace: float = Field(
        default=120.0,
        gt=0,
        description=(
            "How long a post handed to the queue may wait for a worker before it is handed "
            "out again (a queue can lose a task when its worker is killed)."
        ),
    )
    # --- REST API media uploads ---
    upload_max_bytes: int = Field(
        default=4 * 1024**3,
        gt=0,
        description=(
            "The most bytes of media one upload request to the REST API may carry (all its "
            "files together); a larger one is refused with HTTP 413 before it fills the disk. "
            "The default is TikTok's own limit for one video, 4 GiB."
        ),
    )
    upload_retention: int = Field(
        default=24 * 3600,
        gt=0,
        description=(
            "Seconds an uploaded media file that no post uses yet is kept; the periodic "
            "clean-up deletes it afterwards. Files a post uses stay until TikTok has them."
        ),
    )
    log_dir: Path | None = Field(
        default=None,
        description=(
            "Where `run`, `worker` and `serve` write their log files, one per command and UTC "
            "day (`worker.2026-03-05.log`); processes of one machine can share it. Unset, it "
            "is `<data dir>/logs`."
        ),
    )
    log_retention_days: int = Field(
        default=14,
        ge=1,
        description=(
            "Days a log file is kept after its day ends; workers and `serve` delete older ones "
            "every hour."
        ),
    )
    # --- Dashboard sign-up and the operator named on the privacy and terms pages ---
    signups_open: bool = Field(
        default=True,
        description=(
            "Whether anyone who can reach the dashboard may create a login. The first user "
            "(who becomes the administrator) can always sign up; set this to false afterwards "
            "to close sign-ups."
        ),
    )
    operator_name: str | None = Field(
        default=None,
        description=(
            "Who runs this installation (a person or a company), as the privacy policy and "
            "terms pages name them. TikTok's app review expects it to be set."
        ),
    )
    operator_email: str | None = Field(
        default=None,
        description=(
            "Where people write about their data or these terms, shown on the privacy policy "
            "and terms pages. TikTok's app review expects it to be set."
        ),
    )

    @field_validator("features", mode="before")
    @classmethod
    def _split_features(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _check_engine_lease(self) -> Settings:
        # A lease renewed less often than it lasts runs out under a working worker.
        if self.engine_lease_renew_every >= self.engine_lease_seconds:
            raise ValueError(
                "AUTOPOSTER_ENGINE_LEASE_RENEW_EVERY must be shorter than "
                "AUTOPOSTER_ENGINE_LEASE_SECONDS (a third of it or less is safe)"
            )
        return self

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        # The model is frozen; defaults that depend on other fields are filled in once here.
        resolved: dict[str, Any] = {}
        if self.database_url is None:
            resolved["database_url"] = f"sqlite:///{self.data_dir / 'autoposter.db'}"
        if self.queue_url is None:
            resolved["queue_url"] = f"sqlite:///{self.data_dir / 'queue.db'}"
        if self.redirect_uri is None:
            resolved["redirect_uri"] = self.public_url.rstrip("/") + "/accounts/callback"
        resolved.update(self._secrets_from_files())
        for name, value in resolved.items():
            object.__setattr__(self, name, value)
        self._check_tiktok_app()
        return self

    def _secrets_from_files(self) -> dict[str, SecretStr | None]:
        pairs = (
            ("secret_key", self.secret_key, self.secret_key_file),
            ("tiktok_client_secret", self.tiktok_client_secret, self.tiktok_client_secret_file),
        )
        found: dict[str, SecretStr | None] = {}
        for name, value, path in pairs:
            variable = f"AUTOPOSTER_{name.upper()}"
            if value is not None and path is not None:
                raise ValueError(f"set {variable} or {variable}_FILE, not both")
            found[name] = _read_secret_file(path, f"{variable}_FILE") if path else value
        return found

    def _check_tiktok_app(self) -> None:
        if self.tiktok_client_key and self.tiktok_client_secret is None:
            raise ValueError(
                "AUTOPOSTER_TIKTOK_CLIENT_KEY is set but the client secret is not: set "
                "AUTOPOSTER_TIKTOK_CLIENT_SECRET or AUTOPOSTER_TIKTOK_CLIENT_SECRET_FILE"
            )
        if self.tiktok_client_secret is not None and not self.tiktok_client_key:
            raise ValueError(
                "a TikTok client secret is set but AUTOPOSTER_TIKTOK_CLIENT_KEY is not: set "
                "both (from the app's page in the TikTok developer portal), or neither to use "
                "the built-in sandbox"
            )

    # --- Resolved values -----------------------------------------------------------------

    @property
    def uses_sandbox(self) -> bool:
        """No TikTok app configured: talk to the built-in sandbox."""
        return not self.tiktok_client_key

    @property
    def client_key(self) -> str:
        return self.tiktok_client_key or SANDBOX_CLIENT_KEY

    @property
    def client_secret(self) -> str:
        if self.tiktok_client_secret is not None:
            return self.tiktok_client_secret.get_secret_value()
        return SANDBOX_CLIENT_SECRET

    @property
    def api_base(self) -> str:
        if self.tiktok_api_base:
            return self.tiktok_api_base
        return self.sandbox_url if self.uses_sandbox else "https://open.tiktokapis.com"

    @property
    def authorize_url(self) -> str:
        if self.tiktok_authorize_url:
            return self.tiktok_authorize_url
        if self.uses_sandbox:
            return self.sandbox_url.rstrip("/") + "/v2/auth/authorize/"
        return "https://www.tiktok.com/v2/auth/authorize/"

    @property
    def callback_uri(self) -> str:
        """The redirect URI, always set once the settings are loaded."""
        assert self.redirect_uri is not None
        return self.redirect_uri

    @property
    def database(self) -> str:
        assert self.database_url is not None
        return self.database_url

    @property
    def scopes(self) -> tuple[str, ...]:
        return scopes_for(self.features)

    @property
    def media_dir(self) -> Path:
        """Where composed posts' media wait until TikTok has them."""
        return self.data_dir / "media"

    @property
    def logs_dir(self) -> Path:
        return self.log_dir or self.data_dir / "logs"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment; keyword arguments win over it (tests, CLI options)."""
    return Settings(**overrides)
