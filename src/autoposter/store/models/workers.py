"""The worker processes that checked in: one row per running ``autoposter worker`` (or the
worker inside ``autoposter run``), refreshed by its heartbeat (``autoposter.posts.workers``).

``id`` is unique per process (host, pid and a random suffix, so a pid reused after a
restart is a new row). A worker stopped cleanly deletes its row; one killed outright leaves
it behind, and it goes stale: ``last_seen_at`` stops moving. Nothing here is about a person,
so exports and erasures leave the table alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, UTCDateTime


class Worker(Base):
    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    threads: Mapped[int] = mapped_column(Integer)  # huey consumer threads sending posts
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # "Is any worker alive?" reads the newest beats: the dashboard asks on every posts page.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
