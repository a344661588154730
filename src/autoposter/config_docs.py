"""The configuration reference, ``docs/configuration.md``, rendered from :class:`Settings`.

Every field of the settings model becomes one entry: the environment variable(s) it is read
from, its type, its default and its description, which is the field's
``Field(description=…)`` in ``config.py`` (a test fails on a field without one).

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
                description=field.description,
            )
        )
    return docs


def undocumented_settings() -> list[str]:
    """Fields without a ``Field(description=…)``."""
    return [doc.name for doc in settings_docs() if not doc.description]


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
