from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime


class LineLink(db.Model):
    """A user's LINE account: ``line_user_id`` once linked, ``code`` while linking."""

    __tablename__ = "lms_notify_line_link"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    line_user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    code: Mapped[str | None] = mapped_column(String(16), unique=True)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
