"""How the post pages show things: the compose form's context, labels and shared helpers.

The rules of TikTok's Content Sharing Guidelines live in ``compose.html`` and here: the
privacy options are exactly the creator's, with none chosen (§8 2b); interactions start off
and are disabled where the creator disabled them (§8 2c); "Only me" is unavailable with
branded content (§8 3); the declaration matches the disclosure (§8 4). The services check
every one of them again on the server, which is the truth; the page only makes them visible.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from fastapi import Request
from markupsafe import Markup, escape
from starlette.responses import Response

from ...accounts import AccountView
from ...posts import PostKind, PostRequest
from ...posts.compose import BRANDED_DECLARATION, MUSIC_DECLARATION, declaration, disclosure_label
from ...posts.validation import PRIVACY_LABELS
from ...tiktok.posting import MAX_PHOTO_DESCRIPTION, MAX_PHOTO_TITLE, MAX_VIDEO_TITLE, PrivacyLevel
from .post_form import CreatorState, FormErrors, FormValues
from .render import render, templates

MUSIC_URL = "https://www.tiktok.com/legal/page/global/music-usage-confirmation/en"
BRANDED_URL = "https://www.tiktok.com/legal/page/global/bc-policy/en"
BRANDED_NOT_PRIVATE = "Branded content visibility cannot be set to private."
NEEDS_CHOICE = "You need to indicate if your content promotes yourself, a third party, or both."


# --- The compose form ----------------------------------------------------------------


@dataclass(frozen=True)
class PrivacyChoice:
    value: str
    label: str
    selected: bool
    disabled: bool
    reason: str = ""


def privacy_choices(values: FormValues, creator: CreatorState) -> list[PrivacyChoice]:
    """Exactly the creator's options (§8 2b), none selected unless the person chose one;
    "Only me" disabled while branded content is ticked (§8 3)."""
    options = creator.info.privacy_level_options if creator.info else ()
    branded = values.commercial_content and values.brand_content
    choices = []
    for option in options:
        blocked = branded and option == PrivacyLevel.SELF_ONLY
        choices.append(
            PrivacyChoice(
                value=option,
                label=_privacy_label(option),
                selected=option == values.privacy_level and not blocked,
                disabled=blocked,
                reason=BRANDED_NOT_PRIVATE if option == PrivacyLevel.SELF_ONLY else "",
            )
        )
    return choices


def _privacy_label(option: str) -> str:
    try:
        return PRIVACY_LABELS[PrivacyLevel(option)]
    except ValueError:
        return option.replace("_", " ").capitalize()


def declaration_html(text: str) -> Markup:
    """The declaration (§8 2d, 4) with TikTok's policies linked; its text stays exact."""
    html = escape(text)
    for name, url in (
        ("Music Usage Confirmation", MUSIC_URL),
        ("Branded Content Policy", BRANDED_URL),
    ):
        link = Markup('<a href="{}" target="_blank" rel="noopener">{}</a>').format(url, name)
        html = Markup(html.replace(name, link))
    return html


def disclosure(values: FormValues) -> tuple[str | None, str]:
    """The label TikTok will add (§8 3) and the declaration to show (§8 4)."""
    probe = PostRequest(
        kind=values.kind,
        mode=values.mode,
        media=(),
        commercial_content=values.commercial_content,
        brand_organic=values.brand_organic,
        brand_content=values.brand_content,
    )
    return disclosure_label(probe), declaration(probe)


def text_limits(kind: PostKind) -> dict[str, int]:
    """TikTok's caption limits in UTF-16 units, which is what HTML ``maxlength`` counts."""
    if kind is PostKind.VIDEO:
        return {"title": MAX_VIDEO_TITLE}
    return {"title": MAX_PHOTO_TITLE, "description": MAX_PHOTO_DESCRIPTION}


def form_context(
    creator: CreatorState,
    accounts: list[AccountView],
    values: FormValues,
    errors: FormErrors | None = None,
    *,
    action: str,
    editing: bool = False,
) -> dict[str, Any]:
    """Everything ``compose.html`` needs to show the form for ``creator``."""
    label, declared = disclosure(values)
    organic = replace(values, commercial_content=True, brand_organic=True, brand_content=False)
    paid = replace(values, commercial_content=True, brand_organic=False, brand_content=True)
    info = creator.info
    return {
        "accounts": accounts,
        "creator": creator,
        "values": values,
        "errors": errors or FormErrors(),
        "action": action,
        "editing": editing,
        "privacy_choices": privacy_choices(values, creator),
        "disclosure_label": label,
        "declaration": declaration_html(declared),
        "declarations": {
            "music": declaration_html(MUSIC_DECLARATION),
            "branded": declaration_html(BRANDED_DECLARATION),
        },
        "labels": {"organic": disclosure(organic)[0], "paid": disclosure(paid)[0]},
        "limits": text_limits(values.kind),
        "max_duration": info.max_video_post_duration_sec if info else None,
        "blocked": not creator.can_post,
        "branded_not_private": BRANDED_NOT_PRIVATE,
        "needs_choice": NEEDS_CHOICE,
    }


# --- Page helpers the post pages share --------------------------------------------------------


_BACK_TO = {"/posts": "Back to your posts", "/accounts": "Back to accounts"}


def not_found(request: Request, message: str, *, back: str = "/posts") -> Response:
    """The 404 page for a post (or account, ``back="/accounts"``) that is not the signed-in
    user's."""
    context = {
        "title": "Not found",
        "message": message,
        "action_url": back,
        "action_label": _BACK_TO.get(back, "Back"),
    }
    return render(request, "error.html", context, status_code=404)


def parse_id(text: object) -> int | None:
    """A positive integer id from a query or form value, else None."""
    if isinstance(text, str) and text.strip().isdigit():
        number = int(text.strip())
        return number if number > 0 else None
    return None


STATUS_LABELS = {
    "draft": "Draft",
    "scheduled": "Scheduled",
    "queued": "Queued",
    "uploading": "Uploading",
    "processing": "Processing",
    "published": "Published",
    "in_inbox": "In TikTok inbox",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "expired": "Expired",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def privacy_label(option: str | None) -> str:
    return _privacy_label(option) if option else "Chosen in the TikTok app"


templates.env.filters["status_label"] = status_label
templates.env.filters["privacy_label"] = privacy_label
