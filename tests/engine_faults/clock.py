"""A clock several processes can share with the sandbox: real time, sped up by a scale.

The sandbox's clock (``clock_scale``) runs ``scale`` times faster than real time; the
engine's pacing, leases and backoff read ``Context.clock``. Giving every process of a run the
same :class:`ScaledClock`, anchored on the sandbox's clock, keeps them agreeing on what time
it is, so TikTok's minute of rate limit passes as fast for the engine as for the sandbox.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from autoposter.sandbox import RunningSandbox


@dataclass(frozen=True)
class ScaledClock:
    """``epoch`` at the real moment ``real_epoch``, then ``scale`` seconds per real second."""

    real_epoch: float
    epoch: float
    scale: float

    @classmethod
    def following(cls, sandbox: RunningSandbox) -> ScaledClock:
        clock = sandbox.world.clock
        return cls(real_epoch=time.time(), epoch=clock.now(), scale=clock.scale)

    @classmethod
    def parse(cls, text: str) -> ScaledClock:
        real_epoch, epoch, scale = (float(part) for part in text.split(","))
        return cls(real_epoch, epoch, scale)

    def __str__(self) -> str:
        return f"{self.real_epoch!r},{self.epoch!r},{self.scale!r}"

    def __call__(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def timestamp(self) -> float:
        return self.epoch + (time.time() - self.real_epoch) * self.scale

    def real_seconds(self, seconds: float) -> float:
        """How long ``seconds`` of this clock take in real time."""
        return seconds / self.scale
