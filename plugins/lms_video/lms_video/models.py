from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import StoredFile


class Video(db.Model):
    """A video: a YouTube or Vimeo id, or an uploaded MP4; optional WebVTT captions."""

    __tablename__ = "lms_video_video"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    # youtube | vimeo | upload
    provider: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(String(500), default="")
    video_ref: Mapped[str] = mapped_column(String(60), default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    captions_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL")
    )
    # Percentage of the video to watch for completion ("auto").
    threshold: Mapped[int] = mapped_column(Integer, default=90)

    file: Mapped[StoredFile | None] = relationship(foreign_keys=[file_id])
    captions: Mapped[StoredFile | None] = relationship(foreign_keys=[captions_id])
