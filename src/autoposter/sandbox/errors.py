"""The two error families the sandbox answers with (§0.2 / §3.5 and §1.9)."""

from __future__ import annotations


class ApiError(Exception):
    """A v2 error: rendered as ``{"data": {}, "error": {code, message, log_id}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class OAuthError(Exception):
    """An OAuth error: rendered flat as ``{"error", "error_description", "log_id"}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.error = error
        self.description = description
