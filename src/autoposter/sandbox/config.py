"""Everything the sandbox can be told at start-up (the CLI flags map onto these fields).

Where tiktok-api.md marks a point [UNK] or [CONFLICT] the choice is a field here, so a
client can be tested against either reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ALL_SCOPES = (
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.list",
    "video.publish",
    "video.upload",
)

DEFAULT_CLIENT_KEY = "sbxclientkey0000"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret-change-me"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/accounts/callback"

# §1.6: the long-standing lifetimes, and the 2026 rewrite's (selected by a flag).
CLASSIC_LIFETIMES = (86_400, 31_536_000)
SHORT_LIFETIMES = (7_200, 15_552_000)


@dataclass
class FaultConfig:
    """Fault injection, all off by default (issue: "switchable by flags and at runtime").

    Rates are probabilities in [0, 1] drawn from the sandbox's seeded generator.
    """

    error_5xx_rate: float = 0.0
    reset_rate: float = 0.0
    upload_reset_rate: float = 0.0
    latency_ms: int = 0
    rate_limit_burst: int = 0
    token_early_expiry_rate: float = 0.0
    upload_url_ttl_seconds: float | None = None
    stuck_processing: bool = False

    def update(self, changes: dict[str, object]) -> None:
        for name, value in changes.items():
            if not hasattr(self, name) or name.startswith("_"):
                raise KeyError(name)
            current = getattr(self, name)
            if isinstance(current, bool) or name == "stuck_processing":
                setattr(self, name, bool(value))
            elif value is None:
                setattr(self, name, None)
            elif isinstance(current, int) and name != "upload_url_ttl_seconds":
                setattr(self, name, int(value))  # type: ignore[call-overload]
            else:
                setattr(self, name, float(value))  # type: ignore[arg-type]


@dataclass
class SandboxConfig:
    client_key: str = DEFAULT_CLIENT_KEY
    client_secret: str = DEFAULT_CLIENT_SECRET
    redirect_uris: list[str] = field(default_factory=lambda: [DEFAULT_REDIRECT_URI])
    approved_scopes: tuple[str, ...] = ALL_SCOPES
    # Desktop apps must use PKCE (§1.3); web apps may.
    require_pkce: bool = False
    # §1.3 [CONFLICT]: TikTok's hex challenge, optionally RFC 7636 base64url too.
    accept_base64url_pkce: bool = False
    access_token_ttl: int = CLASSIC_LIFETIMES[0]
    refresh_token_ttl: int = CLASSIC_LIFETIMES[1]
    # §1.5 [UNK]: grace for a rotated-out refresh token, and whether refresh extends expiry.
    refresh_grace_seconds: float = 0.0
    refresh_extends_expiry: bool = False
    auth_code_ttl: float = 600.0
    # §1.9 [UNK]: OAuth errors on HTTP 4xx by default, or always on 200.
    oauth_errors_on_200: bool = False
    # §1.8: client tokens serve the Research and Commercial Content APIs; an app without
    # them is refused client_credentials with unauthorized_client.
    client_credentials_allowed: bool = True
    # §6 caps.
    audited: bool = True
    active_user_cap: int = 1000
    unaudited_user_cap: int = 5
    pending_share_cap: int = 5
    upload_url_ttl: float = 3600.0
    # Real seconds an upload PUT may go without receiving a byte before it is answered 400
    # (a body shorter than its Content-Length, §4.5); network time, not sandbox time.
    upload_body_timeout: float = 30.0
    # §4.0 processing, then §4.7 moderation before the public post id appears.
    processing_delay: float = 2.0
    moderation_delay: float = 5.0
    verified_url_prefixes: list[str] = field(default_factory=list)
    webhook_url: str | None = None
    webhook_retry_window: float = 72 * 3600.0
    webhook_first_retry: float = 1.0
    seed: int = 0
    clock_scale: float = 1.0
    creators_file: Path | None = None
    data_dir: Path | None = None
    # The address clients see in upload URLs; set by the server once it knows its port.
    public_url: str = "http://127.0.0.1:8700"
    faults: FaultConfig = field(default_factory=FaultConfig)
