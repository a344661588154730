"""Keep tokens, secrets and authorization codes out of logs and exception messages.

The transport never logs bodies, headers or query strings in the first place; this is the
second net. :func:`redact` masks anything shaped like a TikTok credential (``act.``/``rft.``/
``clt.`` tokens §1.4, authorization codes with their ``*…!…`` tail §1.2, ``Bearer`` values,
``code=``/``upload_token=``-style query and form fields, JSON token fields) and every secret
registered with :func:`register_secret` (the client registers its client secret).
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # §1.4 token shapes: act.<…>, rft.<…>, clt.<…> (real ones end "!1234").
    (re.compile(r"\b(act|rft|clt)\.[A-Za-z0-9!*._~%\-]+"), r"\1." + MASK),
    (re.compile(r"(?i)\bBearer\s+[^\s,;\"')\]]+"), "Bearer " + MASK),
    # Query strings and form bodies.
    (
        re.compile(
            r"(?i)\b(code|code_verifier|access_token|refresh_token|client_secret|token"
            r"|upload_token)=([^&\s\"'<>]+)"
        ),
        r"\1=" + MASK,
    ),
    # JSON bodies.
    (
        re.compile(
            r"(?i)\"(access_token|refresh_token|client_secret|code|code_verifier|token"
            r"|upload_token)\"\s*:\s*\"[^\"]*\""
        ),
        r'"\1": "' + MASK + '"',
    ),
    # §1.2 authorization codes: a long opaque value with a "*…!…" tail.
    (re.compile(r"[A-Za-z0-9_\-.~]{16,}\*[A-Za-z0-9_\-.~]*![A-Za-z0-9_\-.~]+"), MASK),
)

_MIN_SECRET_LENGTH = 6
_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(secret: str) -> None:
    """Mask this exact value wherever it appears (e.g. the app's client secret)."""
    if len(secret) >= _MIN_SECRET_LENGTH:
        with _secrets_lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    """``text`` with every credential-looking value and registered secret masked."""
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def mask(value: str) -> str:
    """A safe stand-in for a credential in a repr: ``act.***`` (the kind stays visible)."""
    prefix = value[:4] if value[:4] in ("act.", "rft.", "clt.") else ""
    return f"{prefix}{MASK}" if value else ""


class RedactingFilter(logging.Filter):
    """Rewrites each record's message through :func:`redact` before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging system's problem, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()

# Loggers that see the client's traffic: ours, and the HTTP stack's (httpx logs each
# request URL at INFO, which for uploads includes the upload_token; httpcore logs headers
# at DEBUG). A logger's filters only apply to records created on that very logger.
LOGGER_NAMES = (
    "autoposter.tiktok",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def install_log_redaction() -> None:
    """Attach the redacting filter to every logger the client's requests pass through."""
    for name in LOGGER_NAMES:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
