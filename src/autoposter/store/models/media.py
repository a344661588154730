"""Media uploaded through the REST API that no post uses yet (``POST /api/v1/media``).

An upload belongs to one user (erasing the user deletes it, ON DELETE CASCADE) and sits in
``<media dir>/uploads/`` until a post is composed from it: the post copies the file into its
own media and the upload goes. ``claimed_at`` is set while a post is being composed from the
upload (a compare-and-set, so two requests cannot both use it); an upload nobody used within
the retention period is deleted by the periodic clean-up.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, UTCDateTime


class MediaUpload(Base):
    __tablename__ = "media_uploads"
    __table_args__ = (CheckConstraint("kind IN ('video', 'photo')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    stored_path: Mapped[str] = mapped_column(Text)  # relative to Settings.media_dir
    original_name: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
