"""The video content type: YouTube/Vimeo by address, or an uploaded MP4 with WebVTT captions.

Completion ``auto``: the learner's browser reports the furthest point played (see
``static/video.js``); the server keeps the maximum in ``ActivityProgress.score`` and completes
the activity once it passes the educator's percentage.
"""

from __future__ import annotations

import math
from pathlib import Path

from flask import abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from lms import hookimpl, progress
from lms.content import ContentType
from lms.extensions import db
from lms.models import StoredFile
from lms.storage import UploadError, check_upload, discard, file_url, store_upload
from lms_video import providers

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent
URL_REFUSED = _l(
    "Only YouTube and Vimeo addresses are accepted (for example "
    "https://www.youtube.com/watch?v=… or https://vimeo.com/…). Or upload an MP4 file."
)


class VideoForm(FlaskForm):
    video_url = StringField(
        _l("YouTube or Vimeo address"),
        validators=[Optional(), Length(max=500)],
        description=_l("Shown with the providers' privacy-enhanced players."),
        render_kw={"type": "url", "inputmode": "url", "placeholder": "https://"},
    )
    video_upload = FileField(
        _l("Or upload an MP4 video"),
        description=_l("Used when the address is empty."),
        render_kw={"accept": ".mp4,video/mp4"},
    )
    captions_upload = FileField(
        _l("Captions (WebVTT, optional)"),
        description=_l("A .vtt file shown with an uploaded video."),
        render_kw={"accept": ".vtt,text/vtt"},
    )
    threshold = IntegerField(
        _l("Percentage to watch for completion"),
        default=90,
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l("Used when completion is automatic."),
    )


def _is_learner(user, activity) -> bool:
    from lms.courses import enrolment_of

    enrolment = enrolment_of(user, activity.course)
    return enrolment is not None and enrolment.role == "learner"


def _has_file(field) -> bool:
    return field.data is not None and bool(getattr(field.data, "filename", ""))


class VideoType(ContentType):
    key = "video"
    label = _l("Video")
    description = _l("A YouTube or Vimeo video, or an uploaded MP4, with captions.")
    icon = "🎬"
    completion_modes = ("auto", "manual", "view")
    file_fields = ("file", "captions")

    def _video(self, activity):
        from lms_video.models import Video

        return db.session.get(Video, activity.id)

    def form_class(self):
        return VideoForm

    def load(self, activity, form):
        video = self._video(activity)
        if video is not None:
            form.video_url.data = video.url
            form.threshold.data = video.threshold
            if video.file is not None:
                form.video_upload.description = _(
                    "Current video: %(name)s. Choose a file to replace it.",
                    name=video.file.filename,
                )
            if video.captions is not None:
                form.captions_upload.description = _(
                    "Current captions: %(name)s. Choose a file to replace them.",
                    name=video.captions.filename,
                )

    def validate(self, activity, form):
        ok = True
        url = (form.video_url.data or "").strip()
        existing = self._video(activity) if activity is not None else None
        if url:
            if providers.parse(url) is None:
                form.video_url.errors.append(str(URL_REFUSED))
                ok = False
        elif _has_file(form.video_upload):
            try:
                check_upload(
                    form.video_upload.data.stream, form.video_upload.data.filename, "video"
                )
            except UploadError as exc:
                form.video_upload.errors.append(str(exc))
                ok = False
        elif existing is None or existing.provider != "upload":
            form.video_url.errors.append(
                str(_l("Enter a YouTube or Vimeo address, or upload an MP4."))
            )
            ok = False
        if _has_file(form.captions_upload):
            try:
                check_upload(
                    form.captions_upload.data.stream, form.captions_upload.data.filename, "captions"
                )
            except UploadError as exc:
                form.captions_upload.errors.append(str(exc))
                ok = False
        return ok

    def save(self, activity, form):
        data = self.export_data(activity) or {}
        url = (form.video_url.data or "").strip()
        data.update(url=url, threshold=form.threshold.data or 90)
        if not url and _has_file(form.video_upload):
            data["file"] = store_upload(
                form.video_upload.data, "video", activity.course_id, activity.id
            ).id
        if _has_file(form.captions_upload):
            captions = store_upload(
                form.captions_upload.data, "captions", activity.course_id, activity.id
            )
            data["captions"] = captions.id
        self.import_data(activity, data)

    def render(self, activity, user) -> Markup:
        video = self._video(activity)
        if video is None:
            return Markup("")
        embed = providers.parse(video.url) if video.provider != "upload" else None
        record = progress.get_progress(user, activity)
        return Markup(
            render_template(
                "lms_video/view.html",
                video=video,
                embed=embed,
                origin=request.host_url.rstrip("/"),
                title=activity.title,
                video_url=file_url(video.file),
                captions_url=file_url(video.captions),
                lang=str(get_locale() or "th"),
                report=activity.completion == "auto" and _is_learner(user, activity),
                watched=record.score if record is not None else None,
                progress_url=url_for("learn.report_progress", activity_id=activity.id),
                script_url=url_for("theming.plugin_static", name="lms_video", filename="video.js"),
            )
        )

    def on_progress(self, activity, user, payload):
        """Keep the highest percentage watched; complete past the threshold (``auto``)."""
        try:
            percent = float(payload.get("percent"))
        except (TypeError, ValueError):
            percent = math.nan
        if not math.isfinite(percent):
            abort(400, "percent must be a number from 0 to 100")
        percent = max(0.0, min(100.0, percent))
        record = progress.mark_viewed(user, activity)
        record.score = max(record.score or 0.0, percent)
        video = self._video(activity)
        threshold = video.threshold if video is not None else 90
        completed = record.completed_at is not None
        if activity.completion == "auto" and record.score >= threshold and not completed:
            completed = progress.complete(user, activity, record)
        return {"score": record.score, "completed": completed, "threshold": threshold}

    def delete(self, activity):
        video = self._video(activity)
        if video is not None:
            discard(video.file)
            discard(video.captions)
            db.session.delete(video)

    def export_data(self, activity):
        video = self._video(activity)
        if video is None:
            return {}
        return {
            "url": video.url,
            "threshold": video.threshold,
            "file": video.file_id,
            "captions": video.captions_id,
        }

    def import_data(self, activity, data):
        from lms_video.models import Video

        url = str(data.get("url") or "").strip()
        embed = providers.parse(url) if url else None
        if url and embed is None:
            raise ValueError(f"video url {url[:100]!r} is not a YouTube or Vimeo address")
        stored = self._file(data.get("file"))
        if embed is None and stored is None:
            raise ValueError("a video needs a YouTube or Vimeo url or an uploaded file")
        video = self._video(activity) or Video(activity_id=activity.id)
        if embed is not None:
            if video.file is not None:
                discard(video.file)
            video.provider, video.video_ref, video.url, video.file = (
                embed.provider,
                embed.ref,
                url,
                None,
            )
        else:
            if video.file is not None and video.file is not stored:
                discard(video.file)
            video.provider, video.video_ref, video.url, video.file = "upload", "", "", stored
        captions = self._file(data.get("captions"))
        if video.captions is not None and video.captions is not captions:
            discard(video.captions)
        video.captions = captions
        try:
            threshold = int(data.get("threshold") or 90)
        except (TypeError, ValueError):
            threshold = 90
        video.threshold = max(1, min(100, threshold))
        db.session.add(video)

    @staticmethod
    def _file(file_id) -> StoredFile | None:
        if not file_id:
            return None
        stored = db.session.get(StoredFile, file_id)
        if stored is None:
            raise ValueError(f"file {file_id!r} does not exist")
        return stored

    def summary(self, activity):
        video = self._video(activity)
        return video.provider if video else ""


@hookimpl
def lms_load_models(app):
    from lms_video import models  # noqa: F401


@hookimpl
def lms_content_types(app):
    return [VideoType()]


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_static(app):
    return str(HERE / "static")


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")
