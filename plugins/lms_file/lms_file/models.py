from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import StoredFile


class FileResource(db.Model):
    """A document the learner reads or downloads: a stored file."""

    __tablename__ = "lms_file_file"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))

    file: Mapped[StoredFile | None] = relationship()
