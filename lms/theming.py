"""Themes and the template lookup chain.

Templates are looked up along one chain: the active theme → its parent themes → the plugins'
template folders → the core's ``lms/templates``. Two prefixes reach further down the chain:

* ``parent:NAME`` inside a template finds the next ``NAME`` *after* the folder that template came
  from, so a theme can extend the very template it overrides
  (``{% extends "parent:base.html" %}``);
* ``core:NAME`` is always the core's own template.

Static files are served at ``/themes/<theme>/static/<file>`` (falling back along the parents) and
``/plugins/<plugin>/static/<file>``, through ``send_from_directory`` (a safe join), with a
``?v=`` cache-busting value taken from the file's modification time.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, send_from_directory, url_for
from jinja2 import BaseLoader, TemplateNotFound

log = logging.getLogger(__name__)
CORE_TEMPLATES = str(Path(__file__).resolve().parent / "templates")
_PARENT_RE = re.compile(r"""(["'])parent:""")


@dataclass
class Theme:
    name: str
    path: str
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def parent(self) -> str | None:
        parent = self.manifest.get("parent")
        if parent:
            return str(parent)
        return None if self.name == "default" else "default"

    @property
    def templates(self) -> str:
        return os.path.join(self.path, "templates")

    @property
    def static(self) -> str:
        return os.path.join(self.path, "static")


def discover_themes(app: Flask) -> dict[str, Theme]:
    """Themes in ``THEMES_DIR`` plus those theme packages offer through ``lms_theme_paths``."""
    folders: list[str] = []
    root = app.config.get("THEMES_DIR") or ""
    if root and os.path.isdir(root):
        folders += [os.path.join(root, d) for d in sorted(os.listdir(root))]
    for _plugin, paths in app.extensions["lms"].plugins.results(
        "lms_theme_paths", unregister_on_error=True, app=app
    ):
        folders += [str(p) for p in paths]
    themes: dict[str, Theme] = {}
    for folder in folders:
        manifest_file = os.path.join(folder, "theme.toml")
        if not os.path.isfile(manifest_file):
            continue
        try:
            with open(manifest_file, "rb") as fh:
                manifest = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            log.error("theme %s: unreadable theme.toml: %s", folder, exc)
            continue
        name = str(manifest.get("name") or os.path.basename(folder))
        themes.setdefault(name, Theme(name=name, path=folder, manifest=manifest))
    return themes


def theme_chain(themes: dict[str, Theme], name: str) -> list[Theme]:
    """The theme called ``name`` followed by its parents; unknown or cyclic parents stop it."""
    chain: list[Theme] = []
    current: str | None = name
    while current and current in themes and all(t.name != current for t in chain):
        chain.append(themes[current])
        current = themes[current].parent
    return chain


class ChainLoader(BaseLoader):
    """One loader for the whole chain, understanding ``parent:`` and ``core:`` prefixes."""

    def __init__(self, folders: list[str]) -> None:
        self.folders = folders

    def _find(self, name: str, start: int = 0) -> tuple[int, str] | None:
        for i in range(start, len(self.folders)):
            path = os.path.join(self.folders[i], *name.split("/"))
            if os.path.isfile(path):
                return i, path
        return None

    def get_source(self, environment, template):
        start = 0
        name = template
        if template.startswith("core:"):
            name, start = template[5:], len(self.folders) - 1
        elif template.startswith("@"):  # "@<index>:<name>", written by the parent: rewrite
            index, _, name = template[1:].partition(":")
            start = int(index)
        if ".." in name.split("/") or name.startswith("/"):
            raise TemplateNotFound(template)
        found = self._find(name, start)
        if found is None:
            raise TemplateNotFound(template)
        index, path = found
        with open(path, encoding="utf-8") as fh:
            source = fh.read()
        # "parent:X" means X from the folders after this one.
        source = _PARENT_RE.sub(lambda m: f"{m.group(1)}@{index + 1}:", source)
        mtime = os.path.getmtime(path)
        return source, path, lambda: os.path.getmtime(path) == mtime

    def list_templates(self):
        found = set()
        for folder in self.folders:
            for dirpath, _dirs, files in os.walk(folder):
                for f in files:
                    rel = os.path.relpath(os.path.join(dirpath, f), folder)
                    found.add(rel.replace(os.sep, "/"))
        return sorted(found)


bp = Blueprint("theming", __name__)


def _send(folder: str, filename: str):
    # send_from_directory refuses paths that escape ``folder`` (werkzeug.security.safe_join).
    return send_from_directory(folder, filename, max_age=31536000)


@bp.route("/themes/<name>/static/<path:filename>")
def theme_static(name: str, filename: str):
    themes = current_app.extensions["lms"].themes
    for theme in theme_chain(themes, name):
        if os.path.isfile(os.path.join(theme.static, *filename.split("/"))):
            return _send(theme.static, filename)
    abort(404)


@bp.route("/plugins/<name>/static/<path:filename>")
def plugin_static(name: str, filename: str):
    folder = current_app.extensions["lms"].static_dirs.get(name)
    if not folder:
        abort(404)
    return _send(folder, filename)


def _version(path: str) -> str:
    try:
        return str(int(os.path.getmtime(path)))
    except OSError:
        return "0"


def theme_url(filename: str) -> str:
    """URL of a static file of the active theme (or its parents), with cache-busting."""
    state = current_app.extensions["lms"]
    for theme in state.theme_chain:
        path = os.path.join(theme.static, *filename.split("/"))
        if os.path.isfile(path):
            return url_for(
                "theming.theme_static", name=theme.name, filename=filename, v=_version(path)
            )
    return url_for("theming.theme_static", name=state.theme, filename=filename)


def plugin_url(plugin: str, filename: str) -> str:
    folder = current_app.extensions["lms"].static_dirs.get(plugin, "")
    version = _version(os.path.join(folder, *filename.split("/")))
    return url_for("theming.plugin_static", name=plugin, filename=filename, v=version)


def core_url(filename: str) -> str:
    path = os.path.join(current_app.static_folder or "", filename)
    return url_for("static", filename=filename, v=_version(path))


def init_app(app: Flask) -> None:
    state = app.extensions["lms"]
    state.themes = discover_themes(app)
    wanted = app.config.get("THEME") or "default"
    if wanted not in state.themes:
        log.warning("theme %r not found; using the default theme", wanted)
        wanted = "default"
    state.theme = wanted
    state.theme_chain = theme_chain(state.themes, wanted)
    folders = [t.templates for t in state.theme_chain]
    folders += [folder for _plugin, folder in state.template_dirs]
    folders.append(CORE_TEMPLATES)
    app.jinja_loader = ChainLoader(folders)
    app.jinja_env.globals.update(theme_url=theme_url, plugin_url=plugin_url, core_url=core_url)
    app.register_blueprint(bp)
