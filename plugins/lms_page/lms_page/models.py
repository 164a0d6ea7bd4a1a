from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class Page(db.Model):
    """A text page: the body as the educator wrote it, and its format."""

    __tablename__ = "lms_page_page"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[str] = mapped_column(String(10), default="markdown")
    body: Mapped[str] = mapped_column(Text, default="")
