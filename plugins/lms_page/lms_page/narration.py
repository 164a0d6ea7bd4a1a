"""A page's optional narration: one audio file the educator recorded, read aloud to learners.

The file is an upload of kind ``audio`` (MP3, M4A, Ogg or WAV, checked by extension and first
bytes, at most ``UPLOAD_MAX_MB_AUDIO``, default 20 MB), stored through :mod:`lms.storage`,
linked to the activity and served by the access-checked ``learn.file`` route (Range requests
included). ``Page.narration_id`` names it; in packages it is the ``narration`` file field.

Every learner gets a labelled ``<audio controls preload="none">`` at the top of the page. A
"Listen" button (``static/narration.js``) is hidden by ``static/page.css`` unless the page's
``<body>`` carries ``a11y-pictures``, the picture-led variant of the audience plugin; then it
is shown as a big play/pause button. Nothing here knows about audience groups.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from lms.extensions import db
from lms.models import StoredFile
from lms.storage import UploadError, check_upload, discard, file_url, store_upload
from lms.theming import plugin_url

KIND = "audio"
FIELD = "narration"  # the key in export_data and file_fields


def has_file(field) -> bool:
    data = field.data if field is not None else None
    return data is not None and bool(getattr(data, "filename", ""))


def attach(form, page) -> None:
    """Offer "remove the narration" only when the page has one, naming its file."""
    if "page_audio_remove" not in form:
        return
    stored = page.narration if page is not None else None
    if stored is None:
        del form.page_audio_remove
        return
    form.page_audio_remove.description = _("Now: %(name)s", name=stored.filename)


def validate(form) -> bool:
    if not has_file(form.page_audio):
        return True
    upload = form.page_audio.data
    try:
        check_upload(upload.stream, upload.filename, KIND)
    except UploadError as exc:
        form.page_audio.errors.append(str(exc))
        return False
    return True


def save(page, activity, form) -> None:
    """Replace or remove the narration as the form asks (the old file is discarded)."""
    remove = "page_audio_remove" in form and bool(form.page_audio_remove.data)
    new = has_file(form.page_audio)
    if (remove or new) and page.narration is not None:
        old, page.narration = page.narration, None
        discard(old)
    if new:
        page.narration = store_upload(form.page_audio.data, KIND, activity.course_id, activity.id)


def drop(page) -> None:
    if page is not None and page.narration is not None:
        old, page.narration = page.narration, None
        discard(old)


def import_into(page, data: dict[str, Any]) -> None:
    """Point ``page`` at the narration named in package/duplication ``data`` (or none)."""
    file_id = data.get(FIELD)
    if file_id is None:
        drop(page)
        return
    stored = db.session.get(StoredFile, file_id) if isinstance(file_id, int) else None
    if stored is None or not (stored.content_type or "").startswith("audio/"):
        raise ValueError(f"{FIELD} {file_id!r} is not a stored audio file")
    if page.narration is not None and page.narration.id != stored.id:
        drop(page)
    page.narration = stored


def context(page, activity) -> dict[str, Any] | None:
    """What ``lms_page/view.html`` needs to show the narration, or None."""
    stored = page.narration if page is not None else None
    if stored is None:
        return None
    return {
        "id": activity.id,
        "url": file_url(stored),
        "download_url": file_url(stored, download=True),
        "type": stored.content_type,
        "css_url": plugin_url("lms_page", "page.css"),
        "script_url": plugin_url("lms_page", "narration.js"),
    }
