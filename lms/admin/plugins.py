"""Plugin pages: the admin's list (switch on and off, settings, upload a wheel) and the
educator's per-course plugin switches. Registered by the core plugin."""

from __future__ import annotations

import secrets
import shutil
import zipfile
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.utils import secure_filename
from wtforms import HiddenField

from lms import courses, lifecycle, settings_store
from lms.admin.views import admin_required
from lms.extensions import db
from lms.plugins import ENTRY_POINT_GROUP, PluginInfo

bp = Blueprint("plugin_admin", __name__)


class SwitchForm(FlaskForm):
    enable = HiddenField()


class UploadForm(FlaskForm):
    wheel = FileField(
        _l("Plugin package (.whl)"),
        validators=[FileRequired()],
        description=_l("A wheel built by the plugin's author. Only install code you trust."),
        render_kw={"accept": ".whl"},
    )


def _state():
    return current_app.extensions["lms"]


def _info_or_404(name: str) -> PluginInfo:
    info = _state().plugins.infos.get(name)
    if info is None:
        abort(404)
    return info


def index_page():
    """The admin's plugin list (``/admin/plugins``, endpoint ``admin.plugins``)."""
    state = _state()
    return render_template(
        "admin/plugins.html",
        infos=sorted(state.plugins.infos.values(), key=lambda i: i.name),
        disabled=state.disabled_now(),
        auto_disabled=lifecycle.auto_disabled(),
        declared=settings_store.declared(),
        form=SwitchForm(),
        upload_form=UploadForm(),
    )


@bp.route("/admin/plugins/<name>/switch", methods=["GET", "POST"])
@admin_required
def switch(name: str):
    info = _info_or_404(name)
    enable = request.values.get("enable") == "1"
    if name == "core":
        flash(_("The core cannot be switched off."), "error")
        return redirect(url_for("admin.plugins"))
    form = SwitchForm()
    if form.validate_on_submit():
        lifecycle.set_enabled(name, enable)
        db.session.commit()
        if enable:
            flash(_("%(name)s is switched on for the site.", name=name), "success")
        else:
            flash(_("%(name)s is switched off for the site.", name=name), "success")
        return redirect(url_for("admin.plugins"))
    form.enable.data = "1" if enable else "0"
    return render_template("admin/plugins_confirm.html", info=info, enable=enable, form=form)


@bp.route("/admin/plugins/<name>/dismiss", methods=["POST"])
@admin_required
def dismiss(name: str):
    """Acknowledge an automatic switch-off: the banner goes, the plugin stays off."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    from lms.models import PluginSetting

    db.session.execute(
        db.delete(PluginSetting).where(
            PluginSetting.plugin == name, PluginSetting.key == lifecycle.AUTO_DISABLED_KEY
        )
    )
    db.session.commit()
    return redirect(url_for("admin.plugins"))


@bp.route("/admin/plugins/<name>/settings", methods=["GET", "POST"])
@admin_required
def settings(name: str):
    info = _info_or_404(name)
    declared = settings_store.declared().get(name, [])
    if not declared:
        abort(404)
    form = settings_store.form_class(name, declared)()
    if request.method == "GET":
        settings_store.fill_form(name, declared, form)
    if form.validate_on_submit():
        settings_store.save_form(name, declared, form)
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("plugin_admin.settings", name=name))
    rows = []
    for s in declared:
        value = settings_store.get_setting(name, s.name)
        if s.secret and value:
            shown = settings_store.masked(value)
        elif isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        else:
            shown = next((lbl for v, lbl in s.choices if str(v) == str(value)), value)
        rows.append((s, settings_store.source(name, s), shown))
    return render_template(
        "admin/plugins_settings.html",
        info=info,
        form=form,
        rows=rows,
        env_name=settings_store.env_name,
    )


# -- upload a wheel ---------------------------------------------------------------------------


def _uploads() -> Path:
    return Path(current_app.instance_path) / "plugin_uploads"


def read_wheel(path: Path) -> dict[str, str] | None:
    """Name, version, summary and plugin entry points of a wheel; ``None`` if not a plugin."""
    if not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        meta = next((n for n in names if n.endswith(".dist-info/METADATA")), None)
        eps = next((n for n in names if n.endswith(".dist-info/entry_points.txt")), None)
        if meta is None or eps is None:
            return None
        entry_text = zf.read(eps).decode("utf-8", "replace")
        meta_text = zf.read(meta).decode("utf-8", "replace")
    if f"[{ENTRY_POINT_GROUP}]" not in entry_text:
        return None
    fields = {}
    for line in meta_text.splitlines():
        if not line.strip():
            break
        key, _sep, value = line.partition(":")
        fields.setdefault(key.strip().lower(), value.strip())
    section = entry_text.split(f"[{ENTRY_POINT_GROUP}]", 1)[1].split("[", 1)[0]
    plugins = [ln.split("=")[0].strip() for ln in section.splitlines() if "=" in ln]
    return {
        "name": fields.get("name", ""),
        "version": fields.get("version", ""),
        "summary": fields.get("summary", ""),
        "plugins": ", ".join(plugins),
    }


@bp.route("/admin/plugins/upload", methods=["POST"])
@admin_required
def upload():
    form = UploadForm()
    limit = int(current_app.config.get("PLUGIN_UPLOAD_MAX_MB", 20)) * 1024 * 1024
    if (request.content_length or 0) > limit + 64 * 1024:
        flash(_("The file is too large."), "error")
        return redirect(url_for("admin.plugins"))
    if not form.validate_on_submit():
        flash(_("Choose a .whl file to upload."), "error")
        return redirect(url_for("admin.plugins"))
    filename = secure_filename(form.wheel.data.filename or "")
    if not filename.endswith(".whl") or filename.count("-") < 4:
        flash(_("Only wheel files (.whl) can be installed here."), "error")
        return redirect(url_for("admin.plugins"))
    token = secrets.token_hex(12)
    folder = _uploads() / token
    folder.mkdir(parents=True)
    path = folder / filename
    form.wheel.data.save(path)
    wheel = read_wheel(path) if path.stat().st_size <= limit else None
    if wheel is None:
        shutil.rmtree(folder, ignore_errors=True)
        flash(_("This file is not an LMS plugin wheel (or it is too large)."), "error")
        return redirect(url_for("admin.plugins"))
    return render_template(
        "admin/plugins_upload.html", wheel=wheel, token=token, filename=filename, form=FlaskForm()
    )


@bp.route("/admin/plugins/upload/<token>", methods=["POST"])
@admin_required
def install_upload(token: str):
    if not FlaskForm().validate_on_submit() or not token.isalnum():
        abort(400)
    folder = _uploads() / token
    wheels = list(folder.glob("*.whl")) if folder.is_dir() else []
    if not wheels:
        abort(404)
    try:
        if request.form.get("confirm") == "1":
            check = lifecycle.install(str(wheels[0]), enable=False)
            flash(
                _(
                    "%(name)s %(version)s is installed and switched off. Restart the web and "
                    "worker processes to load it, then switch it on here.",
                    name=check.package,
                    version=check.version,
                ),
                "success",
            )
    except lifecycle.LifecycleError as exc:
        flash(str(exc), "error")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return redirect(url_for("admin.plugins"))


# -- course plugins ---------------------------------------------------------------------------


@bp.route("/teach/<int:course_id>/plugins", methods=["GET", "POST"])
@login_required
def course_plugins(course_id: int):
    course = courses.get_taught_course_or_403(course_id, current_user)
    state = _state()
    disabled = state.disabled_now()
    infos = [
        i
        for i in sorted(state.plugins.infos.values(), key=lambda i: i.name)
        if i.course_scoped and i.ok and i.name not in disabled and not i.disabled_by_config
    ]
    form = SwitchForm()
    if request.method == "POST":
        name = request.form.get("plugin", "")
        if not form.validate_on_submit() or name not in {i.name for i in infos}:
            abort(400)
        settings_store.set_course_enabled(name, course.id, form.enable.data == "1")
        db.session.commit()
        flash(_("Course plugins saved."), "success")
        return redirect(url_for("plugin_admin.course_plugins", course_id=course.id))
    return render_template(
        "admin/plugins_course.html",
        course=course,
        infos=infos,
        off=settings_store.course_disabled(course.id),
        types=state.content,
    )
