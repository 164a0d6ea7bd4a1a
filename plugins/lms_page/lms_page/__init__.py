"""The text page content type: Markdown (markdown-it-py) or pasted HTML, sanitised with nh3,
with images uploaded into the course.

Images are stored through :mod:`lms.storage` (kind ``image``: PNG, JPEG, GIF, WebP, checked by
extension and first bytes, at most ``UPLOAD_MAX_MB_IMAGE``), linked to the activity, and listed
on the edit form with a ready-to-paste Markdown snippet. The body refers to them by their file
URL (``/files/<id>/<name>``); :meth:`PageType.export_data` replaces those URLs with portable
``lms-page-image:<n>`` references and names the files in ``image_<n>`` (``file_fields``), so
course packages and duplication copy the files and :meth:`PageType.import_data` points the body
at the copies.

A page may also carry a narration, an audio file read aloud to learners: see
:mod:`lms_page.narration`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from sqlalchemy import bindparam, select
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length

from lms import hookimpl
from lms.content import ContentType
from lms.extensions import db
from lms.forms import choices
from lms.models import Activity, StoredFile
from lms.storage import KINDS, UploadError, check_upload, discard, store_upload
from lms_page import narration
from lms_page import stored as page_html

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent

#: Most images one page may hold (each is a ``file_fields`` slot, ``image_1`` … ``image_20``).
MAX_IMAGES = 20
IMAGE_FIELDS = tuple(f"image_{n}" for n in range(1, MAX_IMAGES + 1))
REFERENCE = "lms-page-image:"
_TOKEN_RE = re.compile(re.escape(REFERENCE) + r"(\d+)")
# A file URL in a body: optional scheme and host, up to three prefix segments (the site's
# script root), /files/<id>/<name>. Every repeat starts with a literal, so long runs of Thai
# text (no spaces) cannot make it backtrack.
FILE_URL_RE = re.compile(
    r"(?:https?://[A-Za-z0-9.:-]+)?(?:/[A-Za-z0-9._~%-]+){0,3}?/files/(\d+)"
    r"(?:/[^\s\"'<>()\[\]`]*)?"
)
_MD_IMAGE_RE = re.compile(r"!\[(?:[^\]\\\n]|\\.)*\]\([^)\n]*\)")
_IMG_TAG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)


def _has_file(field) -> bool:
    return field.data is not None and bool(getattr(field.data, "filename", ""))


def image_url(stored: StoredFile) -> str:
    """The lasting URL of an image in a body: always the access-checked file route (a storage's
    direct URLs may expire), with a name safe in Markdown (no spaces or brackets)."""
    ext = Path(stored.filename).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(stored.filename).stem).strip("-") or "image"
    return url_for("learn.file", file_id=stored.id, name=f"{stem}{ext}", _external=False)


def markdown_snippet(alt: str, url: str) -> str:
    alt = re.sub(r"\s+", " ", alt).strip()
    return "![{}]({})".format(re.sub(r"([\\\[\]])", r"\\\1", alt), url)


def html_snippet(alt: str, url: str) -> str:
    return f'<img src="{escape(url)}" alt="{escape(alt)}">'


def _file_ids_in(text: str) -> set[int]:
    return {int(m.group(1)) for m in FILE_URL_RE.finditer(text or "")}


def remove_references(body: str, file_id: int) -> str:
    """``body`` without the Markdown images and ``<img>`` tags that show file ``file_id``."""

    def drop(match: re.Match) -> str:
        return "" if file_id in _file_ids_in(match.group(0)) else match.group(0)

    return _IMG_TAG_RE.sub(drop, _MD_IMAGE_RE.sub(drop, body or ""))


class ImageListWidget:
    """The page's images: a thumbnail, the snippet to paste, and a "remove" box for each."""

    def __call__(self, field, **kwargs: Any) -> Markup:
        kwargs.pop("aria-invalid", None)
        described = kwargs.pop("aria-describedby", "")
        selected = set(field.data or ())
        items = []
        for image in getattr(field, "images", ()):
            box_id = f"{field.id}-{image['id']}"
            checked = " checked" if image["id"] in selected else ""
            items.append(
                Markup(
                    '<li class="page-image card">'
                    '<img src="{url}" alt="{alt}" width="120" loading="lazy">'
                    '<label for="{sid}">{snippet_label}</label>'
                    '<input type="text" id="{sid}" readonly value="{snippet}">'
                    '<label class="check"><input type="checkbox" name="{name}" value="{id}" '
                    'id="{bid}"{checked}> <span>{remove}</span></label></li>'
                ).format(
                    url=image["url"],
                    alt=image["alt"],
                    sid=f"{field.id}-snippet-{image['id']}",
                    snippet_label=_(
                        "Paste this where the image goes (%(name)s)", name=image["name"]
                    ),
                    snippet=image["snippet"],
                    name=field.name,
                    id=image["id"],
                    bid=box_id,
                    checked=Markup(checked),
                    remove=_("Remove %(name)s from the page (it is deleted)", name=image["name"]),
                )
            )
        return Markup('<ul class="page-images plain" id="{}"{}>{}</ul>').format(
            field.id,
            Markup(' aria-describedby="{}"').format(described) if described else "",
            Markup("").join(items),
        )


class PageForm(FlaskForm):
    page_format = SelectField(
        _l("Format"), choices=choices([("markdown", _l("Markdown")), ("html", _l("HTML (pasted)"))])
    )
    page_body = TextAreaField(
        _l("Text"),
        validators=[Length(max=200_000)],
        description=_l("Headings with ##, **bold**, *italic*, lists with -. HTML is cleaned."),
        render_kw={"rows": 14},
    )
    page_images = SelectMultipleField(
        _l("Images in this page"),
        coerce=int,
        validate_choice=False,
        widget=ImageListWidget(),
        description=_l(
            "Copy an image's line into the text where it should appear. Tick an image to "
            "remove it: it is deleted when you save."
        ),
    )
    page_image = FileField(
        _l("Add an image (optional)"),
        description=_l(
            "PNG, JPEG, GIF or WebP. It is added at the end of the text: move its line to "
            "where it belongs."
        ),
        render_kw={"accept": ",".join("." + e for e in KINDS["image"])},
    )
    page_image_alt = StringField(
        _l("Image description (alt text)"),
        validators=[Length(max=300)],
        description=_l(
            "Say what the picture shows, for learners who cannot see it. Required with an image."
        ),
    )
    page_audio = FileField(
        _l("Narration audio (optional)"),
        description=_l(
            "MP3, M4A, Ogg or WAV: the lesson read aloud. Learners see a player at the top "
            "of the page; young children get a big Listen button. A new file replaces the "
            "old one."
        ),
        render_kw={"accept": ",".join("." + e for e in KINDS["audio"]) + ",audio/*"},
    )
    page_audio_remove = BooleanField(_l("Remove the narration (its file is deleted)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        obj = kwargs.get("obj")
        activity = obj if isinstance(obj, Activity) else None
        attach_images(self, activity)
        page = db.session.get(_page_model(), activity.id) if activity and activity.id else None
        narration.attach(self, page)


def page_images(activity_id: int) -> list:
    from lms_page.models import PageImage

    return list(
        db.session.scalars(
            select(PageImage)
            .where(PageImage.activity_id == activity_id)
            .order_by(PageImage.position, PageImage.id)
        )
    )


def attach_images(form: FlaskForm, activity: Activity | None) -> None:
    """Give the form's image list the activity's images (or drop the list when there are none)."""
    if "page_images" not in form:
        return
    rows = page_images(activity.id) if activity is not None and activity.id else []
    if not rows:
        del form.page_images
        return
    page = db.session.get(_page_model(), activity.id)
    html = page is not None and page.format == "html"
    images = []
    for row in rows:
        url = image_url(row.file)
        snippet = html_snippet(row.alt, url) if html else markdown_snippet(row.alt, url)
        images.append(
            {
                "id": row.id,
                "url": url,
                "alt": row.alt,
                "name": row.file.filename,
                "snippet": snippet,
            }
        )
    form.page_images.images = images
    form.page_images.choices = [(i["id"], i["name"]) for i in images]


def _page_model():
    from lms_page.models import Page

    return Page


@functools.cache
def _by_activity():
    page = _page_model()
    return select(page).where(page.activity_id == bindparam("activity_id"))


def _page_for(activity_id: int):
    """The page row of a lesson, by a statement built once (every lesson view runs it)."""
    return db.session.scalar(_by_activity(), {"activity_id": activity_id})


class PageType(ContentType):
    key = "page"
    label = _l("Text page")
    description = _l("Text and pictures, written in Markdown or pasted as HTML.")
    icon = "📄"
    completion_modes = ("manual", "view")
    file_fields = (*IMAGE_FIELDS, narration.FIELD)

    def _page(self, activity):
        return _page_for(activity.id)

    def form_class(self):
        return PageForm

    def load(self, activity, form):
        page = self._page(activity)
        if page is not None:
            form.page_format.data = page.format
            form.page_body.data = page.body
        attach_images(form, activity)

    def validate(self, activity, form):
        if (
            activity is not None
            and "page_images" in form
            and not hasattr(form.page_images, "images")
        ):
            attach_images(form, activity)
        if not narration.validate(form):
            return False
        if not _has_file(form.page_image):
            return True
        ok = True
        if not (form.page_image_alt.data or "").strip():
            form.page_image_alt.errors.append(
                _("Describe the image: learners who cannot see it hear this text.")
            )
            ok = False
        upload = form.page_image.data
        try:
            check_upload(upload.stream, upload.filename, "image")
        except UploadError as exc:
            form.page_image.errors.append(str(exc))
            return False
        kept = len(page_images(activity.id)) if activity is not None else 0
        if "page_images" in form:
            kept -= len(set(form.page_images.data or ()))
        if kept >= MAX_IMAGES:
            form.page_image.errors.append(
                _("A page holds at most %(n)s images: remove one first.", n=MAX_IMAGES)
            )
            ok = False
        return ok

    def save(self, activity, form):
        from lms_page.models import PageImage

        page = self._page(activity) or _page_model()(activity_id=activity.id)
        page.format = form.page_format.data if form.page_format.data == "html" else "markdown"
        body = form.page_body.data or ""
        rows = page_images(activity.id)
        remove = set(form.page_images.data or ()) if "page_images" in form else set()
        for row in rows:
            if row.id in remove:
                body = remove_references(body, row.file_id)
                discard(row.file)
                db.session.delete(row)
        if _has_file(form.page_image):
            stored = store_upload(form.page_image.data, "image", activity.course_id, activity.id)
            alt = (form.page_image_alt.data or "").strip()
            position = max((r.position for r in rows), default=0) + 1
            db.session.add(
                PageImage(activity_id=activity.id, file=stored, alt=alt, position=position)
            )
            url = image_url(stored)
            if page.format == "html":
                snippet = f"<p>{html_snippet(alt, url)}</p>"
            else:
                snippet = markdown_snippet(alt, url)
            body = f"{body.rstrip()}\n\n{snippet}\n" if body.strip() else f"{snippet}\n"
        page.body = body
        page_html.store(page)
        narration.save(page, activity, form)
        db.session.add(page)
        db.session.flush()

    def render(self, activity, user) -> Markup:
        page = self._page(activity)
        body = ""
        if page is not None:
            body = page_html.html_of(page)
            if "<img" in body:
                alts = {row.file_id: row.alt for row in page_images(activity.id)}
                body = _finish_images(body, alts)
        return Markup(
            render_template(
                "lms_page/view.html", body=body, narration=narration.context(page, activity)
            )
        )

    def delete(self, activity):
        for row in page_images(activity.id):
            discard(row.file)
            db.session.delete(row)
        page = self._page(activity)
        if page is not None:
            narration.drop(page)
            db.session.delete(page)

    def export_data(self, activity):
        page = self._page(activity)
        if page is None:
            return {}
        rows = page_images(activity.id)
        slots = {row.file_id: n for n, row in enumerate(rows, start=1)}

        def portable(match: re.Match) -> str:
            n = slots.get(int(match.group(1)))
            return f"{REFERENCE}{n}" if n else match.group(0)

        data: dict[str, Any] = {
            "format": page.format,
            "body": FILE_URL_RE.sub(portable, page.body) if slots else page.body,
        }
        if rows:
            data["images"] = [{"alt": row.alt} for row in rows]
            for n, row in enumerate(rows, start=1):
                data[f"image_{n}"] = row.file_id
        if page.narration_id is not None:
            data[narration.FIELD] = page.narration_id
        return data

    def import_data(self, activity, data):
        from lms_page.models import PageImage

        images = data.get("images") or []
        if not isinstance(images, list) or len(images) > MAX_IMAGES:
            raise ValueError(f"images must be a list of at most {MAX_IMAGES}")
        new: dict[int, tuple[StoredFile, str]] = {}
        for n, meta in enumerate(images, start=1):
            file_id = data.get(f"image_{n}")
            if file_id is None:
                continue  # the file was not exported: its references stay unresolved
            stored = db.session.get(StoredFile, file_id) if isinstance(file_id, int) else None
            if stored is None or not stored.content_type.startswith("image/"):
                raise ValueError(f"image_{n} {file_id!r} is not a stored image")
            alt = meta.get("alt") if isinstance(meta, dict) else None
            new[n] = (stored, str(alt or "")[:300])
        keep = {stored.id for stored, _alt in new.values()}
        for row in page_images(activity.id):
            if row.file_id not in keep:
                discard(row.file)
                db.session.delete(row)
        existing = {row.file_id: row for row in page_images(activity.id) if row.file_id in keep}
        for n, (stored, alt) in new.items():
            row = existing.get(stored.id) or PageImage(activity_id=activity.id, file=stored)
            row.alt, row.position = alt, n
            db.session.add(row)

        def resolve(match: re.Match) -> str:
            found = new.get(int(match.group(1)))
            return image_url(found[0]) if found else match.group(0)

        page = self._page(activity) or _page_model()(activity_id=activity.id)
        page.format = (
            data.get("format") if data.get("format") in ("markdown", "html") else "markdown"
        )
        page.body = _TOKEN_RE.sub(resolve, str(data.get("body") or ""))
        page_html.store(page)
        narration.import_into(page, data)
        db.session.add(page)
        db.session.flush()

    def summary(self, activity):
        return ""


def _finish_images(body: Markup, alts: dict[int, str]) -> Markup:
    """Every ``<img>`` of sanitised ``body`` gets ``loading="lazy"``, and an ``alt``: the
    uploaded image's description, or empty (decorative) for a pasted image without one."""

    def finish(match: re.Match) -> str:
        tag = match.group(0)
        extra = ""
        if not re.search(r"\salt=", tag):
            src = re.search(r'\ssrc="([^"]*)"', tag)
            ids = _file_ids_in(src.group(1)) if src else set()
            alt = next((alts[i] for i in ids if i in alts), "")
            extra += f' alt="{escape(alt)}"'
        if not re.search(r"\sloading=", tag):
            extra += ' loading="lazy"'
        end = -2 if tag.endswith("/>") else -1
        return tag[:end].rstrip() + extra + tag[end:]

    return Markup(_IMG_TAG_RE.sub(finish, str(body)))


@hookimpl
def lms_load_models(app):
    from lms_page import models  # noqa: F401


@hookimpl
def lms_content_types(app):
    return [PageType()]


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


@hookimpl
def lms_load_cli(app, group):
    group.add_command(page_html.page_group)


@hookimpl
def lms_bench_generate(app, site):
    """The core's generator writes the lessons' text: store their HTML as a save would. The
    rows are the core's, so none are counted here."""
    page_html.store_all(commit=False)
    return {}
