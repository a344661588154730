"""Identifier and token shapes, following tiktok-api.md §1.2, §1.4, §0.2 and §4.11.

Values are random but drawn from one seeded generator, so a sandbox started with the same
seed hands out the same sequence (a failing run can be replayed).
"""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime

_ALNUM = string.ascii_letters + string.digits
_HEX_UPPER = "0123456789ABCDEF"


class IdFactory:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def _pick(self, alphabet: str, n: int) -> str:
        return "".join(self._rng.choice(alphabet) for _ in range(n))

    def digits(self, n: int = 19) -> str:
        return str(self._rng.randint(1, 9)) + self._pick(string.digits, n - 1)

    def log_id(self, now: float) -> str:
        """14-digit UTC timestamp followed by 20 upper-case hex characters (§0.2)."""
        stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%d%H%M%S")
        return stamp + self._pick(_HEX_UPPER, 20)

    def open_id(self) -> str:
        """Opaque, never UUID-shaped, sometimes with a leading dash as real ones have (§1.4)."""
        return "-000" + self._pick(_ALNUM + "_", 32)

    def union_id(self) -> str:
        return "u." + self._pick(_ALNUM, 30)

    def access_token(self) -> str:
        """``act.<32 hex><36 alnum>!<4 digits>`` like TikTok's real access tokens (§1.4)."""
        hexpart = self._pick("0123456789abcdef", 32)
        return f"act.{hexpart}{self._pick(_ALNUM, 36)}!{self._pick(string.digits, 4)}"

    def refresh_token(self) -> str:
        hexpart = self._pick("0123456789abcdef", 32)
        return f"rft.{hexpart}{self._pick(_ALNUM, 36)}!{self._pick(string.digits, 4)}"

    def client_token(self) -> str:
        return f"clt.{self._pick('0123456789abcdef', 32)}{self._pick(_ALNUM, 36)}"

    def auth_code(self) -> str:
        """Codes end in ``*…!…`` so clients must URL-decode them (§1.2)."""
        body = self._pick(_ALNUM + "-_", 60)
        return f"{body}*{self._pick(_ALNUM, 2)}!{self._pick(string.digits, 4)}"

    def upload_token(self) -> str:
        parts = (8, 4, 4, 4, 12)
        return "-".join(self._pick("0123456789abcdef", n) for n in parts)

    def publish_id(self, kind: str, mode: str, source: str) -> str:
        """``v_pub_file~v2-1.<19>``, ``v_inbox_url~v2.<19>``, ``p_pub_url~v2.<19>`` … (§4.11)."""
        media = "p" if kind == "photo" else "v"
        where = "pub" if mode == "DIRECT_POST" else "inbox"
        how = "file" if source == "FILE_UPLOAD" else "url"
        version = "v2-1" if (media, where, how) == ("v", "pub", "file") else "v2"
        return f"{media}_{where}_{how}~{version}.{self.digits(19)}"
