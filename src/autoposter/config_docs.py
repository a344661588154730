"""The configuration reference, ``docs/configuration.md``, rendered from :class:`Settings`.

Every field of the settings model becomes one entry: the environment variable(s) it is read
from, its type, its default and its description. The description comes from the field's
``Field(description=…)``; :data:`PENDING_DESCRIPTIONS` holds the text of fields that do not
carry one yet, until it moves into ``config.py`` (a test fails on a field that has neither,
and on a pending entry that is no longer needed).

Regenerate the page with ``make docs`` (``python -m autoposter.config_docs``);
``python -m autoposter.config_docs --check`` exits 1 when the committed page is stale.
"""

from __future__ import annotations

import argparse
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt
from pydantic import AliasChoices, SecretStr
from pydantic.fields import FieldInfo

from .config import Settings

REGENERATE_COMMAND = "make docs"
DEFAULT_OUTPUT = Path("docs") / "configuration.md"

# Descriptions of fields that have no ``Field(description=…)`` in config.py yet. Move each
# into config.py and delete it here; tests/test_config_docs.py says which ones to delete.
PENDING_DESCRIPTIONS: dict[str, str] = {
    "data_dir": (
        "The directory for everything Autoposter keeps on disk: the SQLite database and "
        "queue (unless `DATABASE_URL` and `QUEUE_URL` point elsewhere), the vault keys it "
        "generates (`keys/`), media waiting to be sent to TikTok (`media/`), log files "
        "(`logs/`) and the embedded sandbox's files (`sandbox/`). A relative path is read "
        "from the directory Autoposter starts in."
    ),
    "database_url": (
        "The database: `sqlite:///PATH` or `postgresql://USER:PASSWORD@HOST/NAME` (read as "
        "`postgresql+psycopg://`). Unset, it is `sqlite:///<data dir>/autoposter.db`."
    ),
    "queue_url": (
        'The queue that tells workers "work on post N now": `sqlite:///PATH`, '
        "`redis://HOST:PORT/DB` or `postgresql://USER:PASSWORD@HOST/NAME`. Unset, it is "
        "`sqlite:///<data dir>/queue.db`, which only works when every process shares that "
        "disk."
    ),
    "queue_name": (
        "The name of Autoposter's queue. Every web app and worker of one installation uses "
        "the same; installations sharing one Redis or PostgreSQL queue each need their own."
    ),
    "secret_key": (
        "The key that encrypts TikTok tokens at rest: base64 of 32 random bytes. Unset, the "
        "first start generates one into `<data dir>/keys/` and logs where; back that "
        "directory up. Prefer `AUTOPOSTER_SECRET_KEY_FILE`, which keeps it out of the "
        "environment."
    ),
    "secret_key_file": (
        "A file holding the secret key (a Docker or systemd secret). Set this or "
        "`AUTOPOSTER_SECRET_KEY`, not both."
    ),
    "public_url": (
        "The address people and TikTok reach this installation at. The OAuth redirect URI, "
        "the webhook URL (`/webhooks/tiktok`) and the photo links TikTok downloads "
        "(`/media/…`) are built from it, and `serve` and `run` listen on its port unless "
        "given `--port`. With a real TikTok app it must be https on a host name for photo "
        "posts to work."
    ),
    "tiktok_client_key": (
        "The client key of your TikTok developer app. Unset, Autoposter talks to the "
        "built-in TikTok sandbox instead of TikTok."
    ),
    "tiktok_client_secret": (
        "The client secret of your TikTok app, required with the client key. It also "
        "checks the signature of TikTok's webhooks. Prefer "
        "`AUTOPOSTER_TIKTOK_CLIENT_SECRET_FILE`."
    ),
    "tiktok_client_secret_file": (
        "A file holding the TikTok client secret. Set this or "
        "`AUTOPOSTER_TIKTOK_CLIENT_SECRET`, not both."
    ),
    "sandbox_url": (
        "Where the built-in TikTok sandbox answers when no TikTok app is configured; "
        "`autoposter run` starts it on this URL's port."
    ),
    "tiktok_api_base": (
        "Overrides the TikTok API's address (`https://open.tiktokapis.com`, or the sandbox "
        "URL without an app), e.g. to go through a proxy."
    ),
    "tiktok_authorize_url": (
        "Overrides the address of TikTok's authorization page "
        "(`https://www.tiktok.com/v2/auth/authorize/`, or the sandbox's without an app)."
    ),
    "tiktok_desktop_app": (
        "Set to `true` if your TikTok app is registered as a desktop app: connecting an "
        "account then uses PKCE, as TikTok requires for desktop apps."
    ),
    "redirect_uri": (
        "The OAuth redirect URI, exactly as registered in your TikTok app. Unset, it is "
        "`<public URL>/accounts/callback`."
    ),
    "features": (
        "The features to offer, comma-separated; Autoposter asks TikTok only for the scopes "
        "they need: `direct_post` → `video.publish`, `inbox` → `video.upload`, `history` → "
        "`video.list` (plus `user.info.basic` and `user.info.profile`, always)."
    ),
    "token_refresh_margin": (
        "Seconds before an access token expires at which the worker refreshes it (at most "
        "half the token's lifetime)."
    ),
    "oauth_state_ttl": (
        "Seconds a person has to finish connecting a TikTok account after starting to."
    ),
    "daily_post_cap": (
        "Direct posts per creator in any 24 hours that the engine paces below. TikTok's own "
        "cap is typically around 15, varies by creator and is shared with every other app "
        "the creator posts from."
    ),
    "confirm_timeout": (
        "Seconds a composed post waits for its author's confirmation before it expires; "
        "nothing is sent to TikTok without that confirmation."
    ),
    "media_url_ttl": (
        "Seconds the signed links TikTok downloads photos from stay valid: longer than the "
        "hour TikTok may take to download them."
    ),
    "post_max_attempts": (
        "Tries before a post that keeps failing for temporary reasons (TikTok errors, lost "
        "connections) is marked failed."
    ),
    "log_dir": (
        "Where `run`, `worker` and `serve` write their log files. Unset, it is `<data dir>/logs`."
    ),
    "log_retention_days": "Days after which rotated log files are deleted.",
}


@dataclass(frozen=True)
class SettingDoc:
    """One setting as the reference shows it."""

    name: str
    env_vars: tuple[str, ...]
    type_text: str
    default_text: str
    description: str | None


def env_vars_of(name: str, field: FieldInfo) -> tuple[str, ...]:
    """The environment variables a field is read from, as pydantic-settings looks them up."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return tuple(str(choice).upper() for choice in alias.choices)
    if isinstance(alias, str):
        return (alias.upper(),)
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return ((prefix + name).upper(),)


def _without_none(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` → (X, True); anything else → (annotation, False)."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0], True
    return annotation, False


def type_text(field: FieldInfo) -> str:
    """The field's type in an operator's words, with its bounds."""
    annotation, _ = _without_none(field.annotation)
    if get_origin(annotation) is tuple:
        item = get_args(annotation)[0]
        if get_origin(item) is Literal:
            choices = ", ".join(f"`{value}`" for value in get_args(item))
            return f"comma-separated list of {choices}"
    names = {
        bool: "boolean (`true` or `false`)",
        int: "integer",
        float: "decimal number",
        str: "text",
        Path: "path",
    }
    text = "secret text" if annotation is SecretStr else names.get(annotation, str(annotation))
    for bound in field.metadata:
        if isinstance(bound, Ge):
            text += f", at least {bound.ge}"
        elif isinstance(bound, Gt):
            text += f", more than {bound.gt}"
    return text


def default_text(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return "`" + ",".join(str(item) for item in value) + "`"
    return f"`{value}`"


def settings_docs() -> list[SettingDoc]:
    """Every setting, in the order the model declares them."""
    docs = []
    for name, field in Settings.model_fields.items():
        docs.append(
            SettingDoc(
                name=name,
                env_vars=env_vars_of(name, field),
                type_text=type_text(field),
                default_text=default_text(field),
                description=field.description or PENDING_DESCRIPTIONS.get(name),
            )
        )
    return docs


def undocumented_settings() -> list[str]:
    """Fields with neither a ``Field(description=…)`` nor a pending description."""
    return [doc.name for doc in settings_docs() if not doc.description]


def stale_pending_descriptions() -> list[str]:
    """Pending descriptions no longer needed: the field is gone or has its own description."""
    fields = Settings.model_fields
    return [
        name
        for name in PENDING_DESCRIPTIONS
        if name not in fields or fields[name].description is not None
    ]


HEADER = f"""\
# Configuration reference

<!-- Generated from src/autoposter/config.py by `{REGENERATE_COMMAND}`: do not edit by hand. -->

Autoposter reads its settings from environment variables when a command starts; there is
no configuration file. Names are case-insensitive. Every setting has a working default, so
`autoposter run` needs none: it uses the built-in TikTok sandbox and keeps everything in
`./data`.

Secrets can come from files instead of the environment: set `AUTOPOSTER_SECRET_KEY_FILE` or
`AUTOPOSTER_TIKTOK_CLIENT_SECRET_FILE` to a file holding the value (a Docker or systemd
secret). Setting both a secret and its `_FILE` variable is an error, and so is a value
out of its range: the command stops at start-up and names the setting.
"""


def render_setting(doc: SettingDoc) -> str:
    names = " or ".join(f"`{var}`" for var in doc.env_vars)
    lines = [
        f"## `{doc.env_vars[0]}`",
        "",
        doc.description or "(No description yet.)",
        "",
        f"- Variable: {names}",
        f"- Type: {doc.type_text}",
        f"- Default: {doc.default_text}",
    ]
    return "\n".join(lines) + "\n"


def render_configuration_reference() -> str:
    """The whole of ``docs/configuration.md``."""
    docs = settings_docs()
    index = "\n".join(f"- [`{d.env_vars[0]}`](#{d.env_vars[0].lower()})" for d in docs)
    body = "\n".join(render_setting(d) for d in docs)
    return f"{HEADER}\n{index}\n\n{body}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/configuration.md from the settings.")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="file to write")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs instead of writing it"
    )
    args = parser.parse_args(argv)
    text = render_configuration_reference()
    missing = undocumented_settings()
    if missing:
        print(f"Settings without a description: {', '.join(missing)}", file=sys.stderr)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(
                f"{args.output} is out of date: run `{REGENERATE_COMMAND}` and commit it",
                file=sys.stderr,
            )
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"Wrote {args.output} ({len(settings_docs())} settings).")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
