"""The file content type: a PDF shown inline, or an office document to download."""

from __future__ import annotations

from pathlib import Path

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup

from lms import hookimpl
from lms.content import ContentType
from lms.extensions import db
from lms.models import StoredFile
from lms.storage import KINDS, UploadError, check_upload, discard, file_url, store_upload

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


class FileForm(FlaskForm):
    file_upload = FileField(
        _l("File"),
        description=_l("PDF (shown in the page) or Word, Excel, PowerPoint, OpenDocument."),
        render_kw={"accept": ",".join("." + e for e in KINDS["document"])},
    )


class FileType(ContentType):
    key = "file"
    label = _l("File")
    description = _l("A PDF to read in the page, or a document to download.")
    icon = "📎"
    completion_modes = ("view", "manual")
    file_fields = ("file",)

    def _row(self, activity):
        from lms_file.models import FileResource

        return db.session.get(FileResource, activity.id)

    def form_class(self):
        return FileForm

    def load(self, activity, form):
        row = self._row(activity)
        if row is not None and row.file is not None:
            form.file_upload.description = _(
                "Current file: %(name)s. Choose a file to replace it.", name=row.file.filename
            )

    def validate(self, activity, form):
        upload = form.file_upload.data
        if upload is None or not getattr(upload, "filename", ""):
            if activity is None or self._row(activity) is None:
                form.file_upload.errors.append(str(_l("Choose a file to upload.")))
                return False
            return True
        try:
            check_upload(upload.stream, upload.filename, "document")
        except UploadError as exc:
            form.file_upload.errors.append(str(exc))
            return False
        return True

    def save(self, activity, form):
        upload = form.file_upload.data
        if upload is None or not getattr(upload, "filename", ""):
            return  # editing without a new file keeps the old one
        stored = store_upload(upload, "document", activity.course_id, activity.id)
        self.import_data(activity, {"file": stored.id})

    def render(self, activity, user) -> Markup:
        row = self._row(activity)
        stored = row.file if row is not None else None
        inline = stored is not None and stored.content_type == "application/pdf"
        return Markup(
            render_template(
                "lms_file/view.html",
                stored=stored,
                inline=inline,
                url=file_url(stored),
                download_url=file_url(stored, download=True),
                size=human_size(stored.size) if stored else "",
            )
        )

    def delete(self, activity):
        row = self._row(activity)
        if row is not None:
            discard(row.file)
            db.session.delete(row)

    def export_data(self, activity):
        row = self._row(activity)
        return {"file": row.file_id} if row is not None else {"file": None}

    def import_data(self, activity, data):
        from lms_file.models import FileResource

        file_id = data.get("file")
        stored = db.session.get(StoredFile, file_id) if file_id else None
        if file_id and stored is None:
            raise ValueError(f"file {file_id!r} does not exist")
        row = self._row(activity) or FileResource(activity_id=activity.id)
        if row.file_id and row.file_id != file_id:
            discard(row.file)
        row.file = stored
        db.session.add(row)

    def summary(self, activity):
        row = self._row(activity)
        return row.file.filename if row is not None and row.file else ""


@hookimpl
def lms_load_models(app):
    from lms_file import models  # noqa: F401


@hookimpl
def lms_content_types(app):
    return [FileType()]


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")
