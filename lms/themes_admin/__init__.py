"""Theme administration and the theme's settings in pages.

The blueprint (``views``) gives admins the gallery, preview, activation, per-audience defaults,
"learners may choose" and a settings form generated from each manifest. This module gives
templates the settings of the request's theme:

* ``theme_setting(key)``: the saved value, else the manifest's default;
* ``theme_logo_url(key="logo")``: an uploaded logo or the theme's default image, or ``None``;
* a ``<style>`` with the saved colours as CSS custom properties, in the ``head`` slot.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, current_app, g, session, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from lms import theme_settings as ts
from lms.theme_manifest import COLOR_RE, css_property

AUDIENCE_LABELS = {
    "early_childhood": _l("Early childhood"),
    "youth": _l("Youth"),
    "general_public": _l("General public"),
    "staff": _l("Education and local-government staff"),
    "elderly": _l("Elderly"),
}


def specs_for(name: str) -> dict[str, dict[str, Any]]:
    """The settings theme ``name`` offers: its parents' manifests, overridden by its own."""
    from lms.theming import theme_chain

    specs: dict[str, dict[str, Any]] = {}
    for theme in reversed(theme_chain(current_app.extensions["lms"].themes, name)):
        for key, spec in (theme.manifest.get("settings") or {}).items():
            if isinstance(spec, dict):
                specs[key] = spec
    return specs


def upload_folder(name: str) -> str:
    return os.path.join(current_app.instance_path, "theme_files", name)


def settings_of(name: str, saved: dict[str, str] | None = None) -> dict[str, Any]:
    """Every setting of theme ``name``: saved values decoded, defaults for the rest."""
    if saved is None:
        saved = ts.theme_values([name]).get(name, {})
    return {
        key: ts.decode(spec.get("type", "text"), saved.get(key), spec.get("default"))
        for key, spec in specs_for(name).items()
    }


def _current() -> dict[str, Any]:
    if "lms_theme_settings" not in g:
        from lms.theme_select import choices as _choices

        choices = _choices()
        name = choices["theme"]
        saved = choices["theme_values"].get(name, {})
        # Decoded once per process while the saved settings stay (lms/site_cache.py).
        values = current_app.extensions["lms"].site_cache.get(
            f"theme-settings:{name}", lambda: settings_of(name, saved)
        )
        g.lms_theme_settings = {"name": name, "saved": saved, "values": values}
    return g.lms_theme_settings


def theme_setting(key: str, default: Any = None) -> Any:
    value = _current()["values"].get(key)
    return default if value in (None, "", []) else value


def theme_logo_url(key: str = "logo") -> str | None:
    """The logo to show: an uploaded file, else the manifest default (a theme static file)."""
    from lms.theming import theme_url

    cur = _current()
    spec = specs_for(cur["name"]).get(key)
    if not spec or spec.get("type") != "image":
        return None
    uploaded = cur["saved"].get(key)
    if uploaded:
        return url_for("themes_admin.upload", name=cur["name"], filename=uploaded)
    default = spec.get("default")
    return theme_url(default) if default else None


def colour_style() -> Markup:
    """``<style>`` setting the saved colours as CSS custom properties (values are #rrggbb)."""
    cur = _current()
    return current_app.extensions["lms"].site_cache.get(
        f"theme-colours:{cur['name']}", lambda: _colour_style(cur)
    )


def _colour_style(cur: dict[str, Any]) -> Markup:
    rules = []
    for key, spec in specs_for(cur["name"]).items():
        value = cur["saved"].get(key)
        if spec.get("type") == "color" and value and COLOR_RE.match(value):
            rules.append(f"{css_property(key, spec)}: {value};")
    if not rules:
        return Markup("")
    return Markup('<style id="theme-settings">:root { %s }</style>') % Markup(" ".join(rules))


def snippets(slot: str, context: dict[str, Any]) -> Any:
    """Theme snippets for the core's template slots (called from ``lms.core_plugin``)."""
    from flask import render_template
    from flask_login import current_user

    from lms.theme_select import PREVIEW_KEY
    from lms.theme_select import choices as _choices
    from lms.ui import Snippet

    if slot == "head":
        return Snippet(colour_style(), order=90)
    if slot == "body_end":
        preview = session.get(PREVIEW_KEY)
        if preview and getattr(current_user, "is_admin", False):
            return Snippet(Markup(render_template("themes_admin/_banner.html", name=preview)))
    if slot == "profile" and current_user.is_authenticated:
        choices = _choices()
        if ts.learners_choose(choices["values"]):
            own = choices["values"].get(ts.user_key(current_user.id), "")
            themes = [t for t in current_app.extensions["lms"].themes.values() if t.ok]
            html = render_template("themes_admin/_choose.html", themes=themes, own=own)
            return Snippet(Markup(html), order=80)
    return None


def nav_items() -> list[Any]:
    """The theme's header links, as main navigation items."""
    from lms.ui import NavItem

    links = theme_setting("header_links") or []
    return [
        NavItem(str(link.get("label", "")), str(link.get("url", "")), order=80 + i)
        for i, link in enumerate(links)
        if isinstance(link, dict)
    ]


def init_app(app: Flask) -> None:
    from lms.themes_admin.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals.update(theme_setting=theme_setting, theme_logo_url=theme_logo_url)
