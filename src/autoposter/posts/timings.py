"""How the publishing engine paces itself: leases, retries, status polls, the dispatcher.

Operators tune them with the ``AUTOPOSTER_ENGINE_*`` settings (:meth:`Timings.from_settings`);
tests build shorter ones directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings


@dataclass(frozen=True)
class Timings:
    """How the engine paces itself (seconds). Tests shrink them; the defaults suit TikTok
    and are the defaults of the ``AUTOPOSTER_ENGINE_*`` settings (:meth:`from_settings`)."""

    lease_seconds: float = 90.0
    renew_every: float = 20.0
    retry_base: float = 15.0
    retry_max: float = 900.0
    # Status polls (§4.7): backoff from first to max, within one run for at most
    # ``poll_hold`` (waiting in the worker's tracker, or in its thread), then again
    # ``poll_later`` after release; and never more for one account than STATUS_POLL_PACE
    # allows (§6: 30 a minute per token, shared by all its posts).
    poll_first: float = 1.0
    poll_max: float = 10.0
    poll_hold: float = 60.0
    poll_later: float = 20.0
    # The dispatcher (autoposter.jobs): how often it looks for due posts and how many it
    # claims at once; how often it rescues posts whose lease ran out; how long an enqueued
    # post may wait in the queue before it is enqueued again.
    dispatch_every: float = 1.0
    dispatch_batch: int = 100
    reconcile_every: float = 5.0
    delivery_grace: float = 120.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Timings:
        return cls(
            lease_seconds=settings.engine_lease_seconds,
            renew_every=settings.engine_lease_renew_every,
            retry_base=settings.engine_retry_base,
            retry_max=settings.engine_retry_max,
            poll_first=settings.engine_poll_first,
            poll_max=settings.engine_poll_max,
            poll_hold=settings.engine_poll_hold,
            poll_later=settings.engine_poll_later,
            dispatch_every=settings.engine_dispatch_every,
            dispatch_batch=settings.engine_dispatch_batch,
            reconcile_every=settings.engine_reconcile_every,
            delivery_grace=settings.engine_delivery_grace,
        )


DEFAULT_TIMINGS = Timings()
