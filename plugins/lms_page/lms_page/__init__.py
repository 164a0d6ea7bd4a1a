"""The text page content type: Markdown (markdown-it-py) or pasted HTML, sanitised with nh3."""

from __future__ import annotations

from pathlib import Path

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from lms import hookimpl
from lms.content import ContentType
from lms.extensions import db
from lms.forms import choices
from lms.html import markdown, sanitize

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent


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


class PageType(ContentType):
    key = "page"
    label = _l("Text page")
    description = _l("Text and pictures, written in Markdown or pasted as HTML.")
    icon = "📄"
    completion_modes = ("manual", "view")

    def _page(self, activity):
        from lms_page.models import Page

        return db.session.get(Page, activity.id)

    def form_class(self):
        return PageForm

    def load(self, activity, form):
        page = self._page(activity)
        if page is not None:
            form.page_format.data = page.format
            form.page_body.data = page.body

    def save(self, activity, form):
        self.import_data(activity, {"format": form.page_format.data, "body": form.page_body.data})

    def render(self, activity, user) -> Markup:
        page = self._page(activity)
        body = ""
        if page is not None:
            body = markdown(page.body) if page.format == "markdown" else sanitize(page.body)
        return Markup(render_template("lms_page/view.html", body=body))

    def delete(self, activity):
        page = self._page(activity)
        if page is not None:
            db.session.delete(page)

    def export_data(self, activity):
        page = self._page(activity)
        return {"format": page.format, "body": page.body} if page else {}

    def import_data(self, activity, data):
        from lms_page.models import Page

        page = self._page(activity) or Page(activity_id=activity.id)
        page.format = (
            data.get("format") if data.get("format") in ("markdown", "html") else "markdown"
        )
        page.body = str(data.get("body") or "")
        db.session.add(page)

    def summary(self, activity):
        return ""


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
def lms_load_migrations(app):
    return str(HERE / "migrations")
