from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import StoredFile


class Page(db.Model):
    """A text page: the body as the educator wrote it, its format, and its stored HTML."""

    __tablename__ = "lms_page_page"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[str] = mapped_column(String(10), default="markdown")
    body: Mapped[str] = mapped_column(Text, default="")
    #: The body rendered and sanitised when it was saved (``None``: not stored yet), and the
    #: rendering it was made with (``lms.html.RENDER_VERSION``): see lms_page/stored.py.
    html: Mapped[str | None] = mapped_column(Text, nullable=True)
    html_version: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: Optional narration: an audio file the educator recorded, read aloud to the learner.
    narration_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL"), nullable=True
    )

    narration: Mapped[StoredFile | None] = relationship()


class PageImage(db.Model):
    """An image uploaded into a page: a stored file (linked to the activity) and its alt text."""

    __tablename__ = "lms_page_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
    alt: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    file: Mapped[StoredFile] = relationship()
