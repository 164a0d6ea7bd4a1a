"""Admin pages for themes: gallery, preview, activation, audience defaults, settings."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, ColorField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from lms import theme_settings as ts
from lms.admin.views import admin_required
from lms.extensions import db
from lms.forms import choices as select_choices
from lms.theme_manifest import (
    COLOR_RE,
    DEFAULT_IMAGE_MAX_KB,
    DEFAULT_TEXT_MAX,
    MAX_LINKS,
    contrast_ratio,
    css_property,
    image_kind,
    parse_links,
)
from lms.theme_select import PREVIEW_KEY, site_theme
from lms.themes_admin import AUDIENCE_LABELS, specs_for, upload_folder
from lms.theming import Theme

bp = Blueprint("themes_admin", __name__)


def _themes() -> dict[str, Theme]:
    return current_app.extensions["lms"].themes


def _theme_or_404(name: str) -> Theme:
    theme = _themes().get(name)
    if theme is None:
        abort(404)
    return theme


def _audience_codes(saved: dict[str, str]) -> list[str]:
    codes = list(ts.AUDIENCE_CODES)
    for code in list(saved):
        if code not in codes:
            codes.append(code)
    return codes


def options_form_class(codes: list[str]) -> type[FlaskForm]:
    choices = select_choices(
        [("", _l("The site's theme"))] + [(t.name, t.name) for t in _themes().values() if t.ok]
    )
    fields: dict[str, Any] = {
        f"audience_{code}": SelectField(AUDIENCE_LABELS.get(code, code), choices=choices)
        for code in codes
    }
    fields["learners_choose"] = BooleanField(_l("Learners may choose their own theme"))
    return type("ThemeOptionsForm", (FlaskForm,), fields)


@bp.route("/admin/themes", methods=["GET", "POST"])
@admin_required
def gallery():
    values = ts.core_values()
    audience = ts.audience_map(values)
    codes = _audience_codes(audience)
    form = options_form_class(codes)()
    if request.method == "GET":
        for code in codes:
            getattr(form, f"audience_{code}").data = audience.get(code, "")
        form.learners_choose.data = ts.learners_choose(values)
    if form.validate_on_submit():
        mapping = {c: getattr(form, f"audience_{c}").data for c in codes}
        mapping = {c: v for c, v in mapping.items() if v}
        ts.put(ts.CORE, ts.AUDIENCE, json.dumps(mapping, sort_keys=True))
        ts.put(ts.CORE, ts.LEARNERS_CHOOSE, "1" if form.learners_choose.data else "0")
        db.session.commit()
        flash(_("Theme options saved."), "success")
        return redirect(url_for("themes_admin.gallery"))
    state = current_app.extensions["lms"]
    return render_template(
        "themes_admin/gallery.html",
        themes=sorted(_themes().values(), key=lambda t: (t.name != "default", t.name)),
        active=site_theme(),
        preview=session.get(PREVIEW_KEY),
        runtime_errors=state.theme_errors,
        form=form,
        codes=codes,
    )


@bp.route("/admin/themes/<name>/preview", methods=["POST"])
@admin_required
def preview(name: str):
    theme = _theme_or_404(name)
    if not theme.ok:
        flash(_("This theme has errors and cannot be previewed."), "error")
        return redirect(url_for("themes_admin.gallery"))
    session[PREVIEW_KEY] = name
    flash(_("Previewing %(name)s: only you see it.", name=name), "success")
    return redirect(url_for("main.home"))


@bp.route("/admin/themes/preview/stop", methods=["POST"])
@admin_required
def stop_preview():
    session.pop(PREVIEW_KEY, None)
    return redirect(url_for("themes_admin.gallery"))


@bp.route("/admin/themes/<name>/activate", methods=["POST"])
@admin_required
def activate(name: str):
    theme = _theme_or_404(name)
    if not theme.ok:
        flash(_("This theme has errors and cannot be activated."), "error")
        return redirect(url_for("themes_admin.gallery"))
    ts.put(ts.CORE, ts.ACTIVE, name)
    db.session.commit()
    session.pop(PREVIEW_KEY, None)
    flash(_("%(name)s is now the site's theme.", name=name), "success")
    return redirect(url_for("themes_admin.gallery"))


def _check_links(form: FlaskForm, field: Any) -> None:
    links, bad = parse_links(field.data or "")
    if bad:
        lines = ", ".join(str(n) for n in bad)
        raise ValidationError(
            _(
                "Write each link as 'Label | https://address' or 'Label | /path' (line %(lines)s).",
                lines=lines,
            )
        )
    if len(links) > MAX_LINKS:
        raise ValidationError(_("At most %(n)s links.", n=MAX_LINKS))


#: Custom properties used for text on the page background (white in the shipped themes).
TEXT_PROPERTIES = ("--fg", "--muted", "--accent", "--danger", "--ok")


def _warn_low_contrast(specs: dict[str, dict[str, Any]], form: FlaskForm) -> None:
    """Warn (not refuse) when a text colour falls below WCAG AA (4.5:1) on white."""
    for key, spec in specs.items():
        value = form[key].data if spec.get("type") == "color" else None
        if value and css_property(key, spec) in TEXT_PROPERTIES:
            ratio = contrast_ratio(value, "#ffffff")
            if ratio < 4.5:
                flash(
                    _(
                        "%(colour)s has a contrast of %(ratio)s:1 on white; text needs at "
                        "least 4.5:1 to be readable.",
                        colour=value,
                        ratio=f"{ratio:.1f}",
                    ),
                    "error",
                )


def settings_form_class(name: str) -> type[FlaskForm]:
    fields: dict[str, Any] = {}
    for key, spec in specs_for(name).items():
        label = spec.get("label") or key
        kind = spec.get("type")
        if kind == "color":
            fields[key] = ColorField(
                label, validators=[Optional(), Regexp(COLOR_RE, message=_l("Use #rrggbb."))]
            )
        elif kind == "text":
            size = int(spec.get("max_length", DEFAULT_TEXT_MAX))
            fields[key] = StringField(label, validators=[Optional(), Length(max=size)])
        elif kind == "links":
            fields[key] = TextAreaField(
                label,
                description=_l("One link a line: Label | https://address"),
                validators=[_check_links],
            )
        elif kind == "image":
            max_kb = int(spec.get("max_kb", DEFAULT_IMAGE_MAX_KB))
            fields[key] = FileField(
                label, description=_l("PNG, JPEG, GIF or WebP, at most %(kb)s KB", kb=max_kb)
            )
            fields[f"{key}__remove"] = BooleanField(_l("Remove the uploaded image"))
    return type("ThemeSettingsForm", (FlaskForm,), fields)


def _save_image(name: str, key: str, spec: dict[str, Any], upload: Any) -> str | None:
    """Store an uploaded image; return an error message or ``None``."""
    max_kb = int(spec.get("max_kb", DEFAULT_IMAGE_MAX_KB))
    data = upload.read(max_kb * 1024 + 1)
    if len(data) > max_kb * 1024:
        return _("The file is larger than %(kb)s KB.", kb=max_kb)
    kind = image_kind(data)
    if kind is None:
        return _("Upload a PNG, JPEG, GIF or WebP image.")
    filename = f"{key}-{hashlib.sha256(data).hexdigest()[:12]}.{kind}"
    folder = upload_folder(name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, filename), "wb") as fh:
        fh.write(data)
    ts.put(ts.theme_plugin(name), key, filename)
    return None


@bp.route("/admin/themes/<name>/settings", methods=["GET", "POST"])
@admin_required
def settings(name: str):
    theme = _theme_or_404(name)
    specs = specs_for(name)
    saved = ts.theme_values([name]).get(name, {})
    form = settings_form_class(name)()
    if request.method == "GET":
        for key, spec in specs.items():
            value = ts.decode(spec.get("type"), saved.get(key), spec.get("default"))
            if spec.get("type") == "links":
                form[key].data = "\n".join(f"{x['label']} | {x['url']}" for x in value or [])
            elif spec.get("type") != "image":
                form[key].data = value or ""
    if form.validate_on_submit():
        ok = True
        for key, spec in specs.items():
            kind = spec.get("type")
            if kind == "links":
                links, _bad = parse_links(form[key].data or "")
                ts.put(ts.theme_plugin(name), key, json.dumps(links, ensure_ascii=False))
            elif kind == "image":
                upload = form[key].data
                if upload and getattr(upload, "filename", ""):
                    error = _save_image(name, key, spec, upload)
                    if error:
                        form[key].errors = [error]
                        ok = False
                elif form[f"{key}__remove"].data:
                    ts.put(ts.theme_plugin(name), key, None)
            else:
                ts.put(ts.theme_plugin(name), key, (form[key].data or "").strip() or None)
        if ok:
            db.session.commit()
            flash(_("Theme settings saved."), "success")
            _warn_low_contrast(specs, form)
            return redirect(url_for("themes_admin.settings", name=name))
        db.session.rollback()
    images = [
        (key, url_for("themes_admin.upload", name=name, filename=saved[key]))
        for key, spec in specs.items()
        if spec.get("type") == "image" and saved.get(key)
    ]
    return render_template("themes_admin/settings.html", theme=theme, form=form, images=images)


@bp.route("/themes/<name>/files/<filename>")
def upload(name: str, filename: str):
    _theme_or_404(name)
    return send_from_directory(upload_folder(name), filename, max_age=31536000)


@bp.route("/themes/choose", methods=["POST"])
@login_required
def choose():
    values = ts.core_values()
    if not ts.learners_choose(values):
        abort(403)
    wanted = request.form.get("theme", "")
    if wanted and (wanted not in _themes() or not _themes()[wanted].ok):
        abort(400)
    ts.put(ts.CORE, ts.user_key(current_user.id), wanted or None)
    db.session.commit()
    flash(_("Your theme is saved."), "success")
    return redirect(url_for("auth.profile"))
