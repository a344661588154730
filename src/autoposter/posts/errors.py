"""What can go wrong when composing or managing posts, each with a message a person can act on.

Adapters show ``str(error)``; a :class:`PostRejected` also carries the per-field problems
(:class:`~autoposter.posts.compose.FieldError`) so a form can show each next to its field.
"""

from __future__ import annotations

from collections.abc import Sequence

from .compose import FieldError


class PostsError(Exception):
    """Base class. ``retryable`` says whether the same action may work later."""

    retryable = False
    default_message = "The post action failed."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class PostNotFound(PostsError):
    """Unknown id, or a post of another user: the two look the same on purpose."""

    default_message = "There is no such post among yours."


class PostRejected(PostsError):
    """The post breaks TikTok's rules (or cannot be read); nothing was stored or changed."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        listed = "; ".join(str(error) for error in self.errors)
        super().__init__(f"The post cannot be sent as it is: {listed}")

    @property
    def fields(self) -> list[str]:
        return [error.field for error in self.errors]


class PostNotChangeable(PostsError):
    """The post is past the point where this action applies (sending began, or it ended)."""

    default_message = "This post can no longer be changed."


class ConfirmationExpired(PostsError):
    default_message = (
        "This post waited too long for your confirmation and expired, so nothing was sent: "
        "compose it again and confirm it within 30 minutes."
    )


class TikTokUnreachable(PostsError):
    retryable = True
    default_message = (
        "TikTok could not be reached to check the account's current settings, so the post "
        "was not saved: try again in a minute."
    )
