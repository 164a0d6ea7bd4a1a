"""The link content type: an external resource with a description; done on click-through."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from lms import hookimpl, progress
from lms.content import ContentType, open_activity
from lms.extensions import db
from lms.html import markdown

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent

bp = Blueprint("lms_link", __name__, url_prefix="/link")


def is_web_url(url: str) -> bool:
    parts = urlsplit((url or "").strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_url(form, field):
    if not is_web_url(field.data):
        raise ValidationError(_l("Enter a web address starting with https:// or http://."))


class LinkForm(FlaskForm):
    link_url = StringField(
        _l("Web address"),
        validators=[DataRequired(), Length(max=2000), _check_url],
        render_kw={"type": "url", "inputmode": "url", "placeholder": "https://"},
    )
    link_description = TextAreaField(
        _l("Description"),
        validators=[Length(max=20_000)],
        description=_l("What the learner will find there. Markdown is allowed."),
        render_kw={"rows": 5},
    )


class LinkType(ContentType):
    key = "link"
    label = _l("Link")
    description = _l("An external web page or resource, opened in a new tab.")
    icon = "🔗"
    completion_modes = ("auto", "manual", "view")

    def _link(self, activity):
        from lms_link.models import Link

        return db.session.get(Link, activity.id)

    def form_class(self):
        return LinkForm

    def load(self, activity, form):
        link = self._link(activity)
        if link is not None:
            form.link_url.data = link.url
            form.link_description.data = link.description

    def save(self, activity, form):
        self.import_data(
            activity, {"url": form.link_url.data, "description": form.link_description.data}
        )

    def render(self, activity, user) -> Markup:
        link = self._link(activity)
        if link is None:
            return Markup("")
        return Markup(
            render_template(
                "lms_link/view.html",
                activity=activity,
                description=markdown(link.description),
                host=urlsplit(link.url).netloc,
            )
        )

    def delete(self, activity):
        link = self._link(activity)
        if link is not None:
            db.session.delete(link)

    def export_data(self, activity):
        link = self._link(activity)
        return {"url": link.url, "description": link.description} if link else {}

    def import_data(self, activity, data):
        from lms_link.models import Link

        url = str(data.get("url") or "").strip()
        if not is_web_url(url):
            raise ValueError(f"link url {url[:100]!r} is not an http(s) address")
        link = self._link(activity) or Link(activity_id=activity.id)
        link.url = url
        link.description = str(data.get("description") or "")
        db.session.add(link)

    def summary(self, activity):
        link = self._link(activity)
        return urlsplit(link.url).netloc if link else ""


@bp.route("/<int:activity_id>/go", methods=["POST"])
@login_required
def go(activity_id: int):
    """Record the click-through (CSRF-checked POST), then send the browser to the link."""
    activity, enrolment, _staff = open_activity(activity_id, current_user)
    if activity.content_type != LinkType.key:
        abort(404)
    link = LinkType()._link(activity)
    if link is None or not is_web_url(link.url):
        abort(404)
    if enrolment is not None and enrolment.role == "learner":
        record = progress.mark_viewed(current_user, activity)
        if activity.completion == "auto":
            progress.complete(current_user, activity, record)
    db.session.commit()
    response = redirect(link.url, code=303)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@hookimpl
def lms_load_models(app):
    from lms_link import models  # noqa: F401


@hookimpl
def lms_content_types(app):
    return [LinkType()]


@hookimpl
def lms_load_blueprints(app):
    return [bp]


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")
