"""Posts: compose, validate, schedule, and the publishing pipeline (DESIGN "A post's life").

Adapters call :mod:`.service` (compose, confirm, edit, cancel, read, history); the worker's
tasks call :func:`.pipeline.run_post` and the periodic work in :mod:`.dispatch`; the web
adapter hands verified webhooks to :func:`.tracking.apply_webhook`. Importing the package
adds posts to every data export and their media files to every erasure (:mod:`.privacy`).
"""

from . import privacy as _privacy
from .compose import Delivery, FieldError, PostInputError, PostKind, PostRequest
from .dispatch import CleanUp, clean_up, dispatch_due, reconcile
from .errors import (
    ConfirmationExpired,
    PostNotChangeable,
    PostNotFound,
    PostRejected,
    PostsError,
    TikTokUnreachable,
)
from .pipeline import DEFAULT_TIMINGS, Timings, run_post
from .quota import QuotaWarning
from .service import (
    Composed,
    cancel_post,
    confirm_post,
    create_and_confirm,
    create_post,
    edit_post,
    get_post,
    list_posts,
    post_history,
)
from .tracking import apply_webhook
from .views import HistoryEntry, MediaView, PostView

_privacy.register()

__all__ = [
    "DEFAULT_TIMINGS",
    "CleanUp",
    "Composed",
    "ConfirmationExpired",
    "Delivery",
    "FieldError",
    "HistoryEntry",
    "MediaView",
    "PostInputError",
    "PostKind",
    "PostNotChangeable",
    "PostNotFound",
    "PostRejected",
    "PostRequest",
    "PostView",
    "PostsError",
    "QuotaWarning",
    "TikTokUnreachable",
    "Timings",
    "apply_webhook",
    "cancel_post",
    "clean_up",
    "confirm_post",
    "create_and_confirm",
    "create_post",
    "dispatch_due",
    "edit_post",
    "get_post",
    "list_posts",
    "post_history",
    "reconcile",
    "run_post",
]
