"""Plugin settings: the declarations (``lms_load_settings``), their stored values, and the
per-course switches of course plugins, all in the ``plugin_setting`` table.

A value is looked up in this order: the environment variable ``LMS_<PLUGIN>_<NAME>`` (how
secrets are best given), the value an admin saved, the declared default. Plugins read
values with :func:`get_setting`.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, current_app, g
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from lms.extensions import db
from lms.forms import choices
from lms.models import PluginSetting
from lms.plugins import normalise_name
from lms.settings import Setting

RESERVED_PREFIXES = ("course:", "auto_disabled")
MASK = "••••"


def declared(app: Flask | None = None) -> dict[str, list[Setting]]:
    """Every plugin's declared settings, by plugin name (asked once per application)."""
    app = app or current_app._get_current_object()
    state = app.extensions["lms"]
    cached = getattr(state, "settings_declared", None)
    if cached is None:
        cached = {}
        for plugin, settings in state.plugins.results("lms_load_settings", app=app):
            cached[plugin] = [s for s in settings if isinstance(s, Setting)]
        state.settings_declared = cached
    return cached


def declaration(plugin: str, name: str) -> Setting | None:
    for s in declared().get(normalise_name(plugin), []):
        if s.name == name:
            return s
    return None


def env_name(plugin: str, name: str) -> str:
    """``LMS_<PLUGIN>_<NAME>``: ``("lms_line", "token")`` → ``LMS_LMS_LINE_TOKEN``."""
    return f"LMS_{normalise_name(plugin).upper()}_{name.upper()}"


def kind(setting: Setting) -> str:
    """``choice``, ``bool``, ``int`` or ``str``."""
    if setting.choices:
        return "choice"
    if setting.type is bool:
        return "bool"
    if setting.type is int:
        return "int"
    return "str"


def coerce(setting: Setting, raw: str) -> Any:
    """Turn a stored or environment string into the setting's type (bad values: the default)."""
    k = kind(setting)
    if k == "bool":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if k == "int":
        try:
            return int(raw.strip())
        except ValueError:
            return setting.default
    if k == "choice":
        return raw if raw in {str(v) for v, _label in setting.choices} else setting.default
    return raw


def stored(plugin: str) -> dict[str, str]:
    """The values admins saved for ``plugin`` (read once per request)."""
    plugin = normalise_name(plugin)
    cache = g.setdefault("lms_plugin_settings", {})
    if plugin not in cache:
        rows = db.session.execute(
            select(PluginSetting.key, PluginSetting.value).where(PluginSetting.plugin == plugin)
        )
        cache[plugin] = {k: v for k, v in rows if not k.startswith(RESERVED_PREFIXES)}
    return cache[plugin]


def source(plugin: str, setting: Setting) -> str:
    """Where the value comes from: ``env``, ``saved`` or ``default``."""
    if env_name(plugin, setting.name) in os.environ:
        return "env"
    return "saved" if setting.name in stored(plugin) else "default"


def get_setting(plugin: str, name: str, default: Any = None) -> Any:
    """The value of a plugin's setting: environment, then saved value, then declared default.

    Example: ``get_setting("lms_line", "channel_token")``.
    """
    setting = declaration(plugin, name) or Setting(name, type(default) if default else str)
    raw = os.environ.get(env_name(plugin, name))
    if raw is None:
        raw = stored(plugin).get(name)
    if raw is None:
        return setting.default if setting.default is not None else default
    return coerce(setting, raw)


def set_value(plugin: str, name: str, value: Any) -> None:
    """Save a value (in the caller's transaction)."""
    plugin = normalise_name(plugin)
    if isinstance(value, bool):
        value = "1" if value else "0"
    _put(plugin, name, "" if value is None else str(value))
    g.pop("lms_plugin_settings", None)


def _put(plugin: str, key: str, value: str) -> None:
    row = db.session.scalar(
        select(PluginSetting).where(PluginSetting.plugin == plugin, PluginSetting.key == key)
    )
    if row is None:
        db.session.add(PluginSetting(plugin=plugin, key=key, value=value))
    else:
        row.value = value


def masked(value: Any) -> str:
    """A secret as admins see it: ``••••`` and at most its last 2 characters."""
    text = "" if value is None else str(value)
    return MASK + text[-2:] if len(text) > 4 else MASK


def form_class(plugin: str, settings: list[Setting]) -> type[FlaskForm]:
    """A form generated from the declarations; secrets are password fields left empty."""
    fields: dict[str, Any] = {}
    for s in settings:
        label = str(s.label or s.name)
        help_text = str(s.help or "")
        k = kind(s)
        if source(plugin, s) == "env":
            continue  # set by the environment: shown, not editable
        if k == "bool":
            fields[s.name] = BooleanField(label, description=help_text)
        elif k == "int":
            fields[s.name] = IntegerField(label, [Optional()], description=help_text)
        elif k == "choice":
            fields[s.name] = SelectField(
                label,
                choices=choices((str(v), lbl) for v, lbl in s.choices),
                validators=[InputRequired()],
                description=help_text,
            )
        elif s.secret:
            fields[s.name] = PasswordField(
                label, [Optional(), Length(max=2000)], description=help_text
            )
        else:
            fields[s.name] = StringField(
                label, [Optional(), Length(max=2000)], description=help_text
            )
    return type(f"{plugin}SettingsForm", (FlaskForm,), fields)


def fill_form(plugin: str, settings: list[Setting], form: FlaskForm) -> None:
    for s in settings:
        field = getattr(form, s.name, None)
        if field is not None and not s.secret:
            field.data = get_setting(plugin, s.name)


def save_form(plugin: str, settings: list[Setting], form: FlaskForm) -> None:
    """Store the submitted values; an empty secret field keeps the saved secret."""
    for s in settings:
        field = getattr(form, s.name, None)
        if field is None:
            continue
        value = field.data
        if s.secret and not value:
            continue
        if kind(s) == "int" and value is None:
            value = "" if s.default is None else s.default
        set_value(plugin, s.name, value)


# -- course plugins ---------------------------------------------------------------------------


def course_key(course_id: int) -> str:
    return f"course:{int(course_id)}:enabled"


def course_disabled(course_id: int) -> set[str]:
    """Course plugins an educator switched off in this course (one query)."""
    rows = db.session.scalars(
        select(PluginSetting.plugin).where(
            PluginSetting.key == course_key(course_id), PluginSetting.value == "0"
        )
    )
    return set(rows)


def set_course_enabled(plugin: str, course_id: int, enabled: bool) -> None:
    _put(normalise_name(plugin), course_key(course_id), "1" if enabled else "0")
