"""Posts: compose, validate, schedule, and the publishing pipeline (DESIGN "A post's life").

Adapters call :mod:`.service` (compose, confirm, edit, cancel, read, history); the worker's
tasks call :func:`.pipeline.run_post` and the periodic work in :mod:`.dispatch`; the web
adapter hands verified webhooks to :func:`.tracking.apply_webhook`. Importing the package
adds posts to every data export and their media files to every erasure (:mod:`.privacy`),
and so for media uploaded on their own (:mod:`.uploads`).
"""

from . import privacy as _privacy
from . import uploads as _uploads
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
from .listing import InvalidCursor, InvalidStatus, PostPage, list_posts_page
from .pipeline import DEFAULT_TIMINGS, Timings, run_post
from .quota import QuotaWarning
from .service import (
    Composed,
    cancel_post,
    check_post,
    confirm_post,
    create_and_confirm,
    create_post,
    delete_post,
    edit_post,
    get_post,
    list_posts,
    post_history,
    post_warnings,
)
from .tracking import apply_webhook
from .views import HistoryEntry, MediaView, PostView

_privacy.register()
_uploads.register()

__all__ = [
    "DEFAULT_TIMINGS",
    "CleanUp",
    "Composed",
    "ConfirmationExpired",
    "Delivery",
    "FieldError",
    "HistoryEntry",
    "InvalidCursor",
    "InvalidStatus",
    "MediaView",
    "PostInputError",
    "PostKind",
    "PostNotChangeable",
    "PostNotFound",
    "PostPage",
    "PostRejected",
    "PostRequest",
    "PostView",
    "PostsError",
    "QuotaWarning",
    "TikTokUnreachable",
    "Timings",
    "apply_webhook",
    "cancel_post",
    "check_post",
    "clean_up",
    "confirm_post",
    "create_and_confirm",
    "create_post",
    "delete_post",
    "dispatch_due",
    "edit_post",
    "get_post",
    "list_posts",
    "list_posts_page",
    "post_history",
    "post_warnings",
    "reconcile",
    "run_post",
]
