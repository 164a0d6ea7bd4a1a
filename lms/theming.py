"""Themes and the template lookup chain.

Templates are looked up along one chain: the theme → its parent themes → the plugins' template
folders → the core's ``lms/templates``. Two prefixes reach further down the chain:

* ``parent:NAME`` inside a template finds the next ``NAME`` *after* the folder that template came
  from, so a theme can extend the very template it overrides
  (``{% extends "parent:base.html" %}``);
* ``core:NAME`` is always the core's own template.

Which theme a request uses is decided per request (:func:`request_theme`: admin preview, the
learner's own choice, the audience group's default, the site's theme). Jinja caches templates
by name on the one environment, so names are qualified internally with the theme:
``render_template("home.html")`` loads ``"provincial::home.html"``; templates it extends or
includes inherit the qualifier (:meth:`ThemedEnvironment.join_path`). Two requests with
different themes in one process therefore never share a cached template.

A template error inside a theme's own files is logged, recorded for the admin theme page, and
the page is rendered again through the parent theme (ultimately plain core templates).

Static files are served at ``/themes/<theme>/static/<file>`` (falling back along the parents) and
``/plugins/<plugin>/static/<file>``, through a safe join, with a ``?v=`` cache-busting value
taken from the file's modification time.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    has_request_context,
    request,
    send_from_directory,
    url_for,
)
from flask.templating import Environment as FlaskEnvironment
from jinja2 import BaseLoader, Template, TemplateNotFound, TemplatesNotFound, TemplateSyntaxError
from werkzeug.security import safe_join

from lms.theme_manifest import validate
from lms.theme_select import request_theme, site_theme

log = logging.getLogger(__name__)
CORE_TEMPLATES = str(Path(__file__).resolve().parent / "templates")
_PARENT_RE = re.compile(r"""(["'])parent:""")
SEP = "::"  # "<theme>::<template>"
CORE_KEY = "~core"  # the chain without any theme: plugins' and core templates only


@dataclass
class Theme:
    name: str
    path: str
    manifest: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

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

    @property
    def ok(self) -> bool:
        return not self.errors


def read_theme(folder: str) -> Theme | None:
    """The theme in ``folder`` (``None`` without a ``theme.toml``), its manifest checked."""
    manifest_file = os.path.join(folder, "theme.toml")
    if not os.path.isfile(manifest_file):
        return None
    try:
        with open(manifest_file, "rb") as fh:
            manifest = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        name = os.path.basename(folder.rstrip("/"))
        return Theme(name=name, path=folder, errors=[f"theme.toml cannot be read: {exc}"])
    name = str(manifest.get("name") or os.path.basename(folder.rstrip("/")))
    return Theme(name=name, path=folder, manifest=manifest, errors=validate(manifest))


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
        theme = read_theme(folder)
        if theme is None:
            continue
        if theme.errors:
            log.error("theme %s: invalid theme.toml: %s", theme.name, "; ".join(theme.errors))
        themes.setdefault(theme.name, theme)
    for theme in themes.values():
        if theme.parent and theme.parent not in themes:
            theme.errors.append(f"parent: theme {theme.parent!r} is not installed")
        elif theme.parent and theme.name in [t.name for t in theme_chain(themes, theme.parent)]:
            theme.errors.append("parent: the parents form a loop")
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
    """One loader for one chain of folders, understanding ``parent:`` and ``core:`` prefixes."""

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
            if not index.isdigit():
                raise TemplateNotFound(template)
            start = int(index)
        if ".." in name.split("/") or name.startswith("/") or "\\" in name:
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


class ThemeLoader(BaseLoader):
    """Loads ``"<theme>::<name>"`` through that theme's :class:`ChainLoader`."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self._chains: dict[str, ChainLoader] = {}

    def chain_loader(self, key: str) -> ChainLoader:
        if key not in self._chains:
            themes = [] if key == CORE_KEY else theme_chain(self.state.themes, key)
            if key != CORE_KEY and not themes:
                raise TemplateNotFound(key)
            folders = [t.templates for t in themes]
            folders += [folder for _plugin, folder in self.state.template_dirs]
            folders.append(CORE_TEMPLATES)
            self._chains[key] = ChainLoader(folders)
        return self._chains[key]

    def get_source(self, environment, template):
        key, sep, name = template.partition(SEP)
        if not sep:
            key, name = site_theme(), template
        return self.chain_loader(key).get_source(environment, name)

    def list_templates(self):
        return self.chain_loader(self.state.theme).list_templates()


class ThemedTemplate(Template):
    """A template that, when a theme's own file fails, renders again through the parent."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except Exception as exc:
            key, sep, name = (self.name or "").partition(SEP)
            fallback = self.environment.fallback_key(key, exc) if sep else None
            if fallback is None:
                raise
            return self.environment.load_themed(fallback, name).render(*args, **kwargs)


class ThemedEnvironment(FlaskEnvironment):
    """Flask's Jinja environment with theme-qualified template names (see the module doc)."""

    template_class = ThemedTemplate

    def join_path(self, template: str, parent: str) -> str:
        if SEP in template:
            return template
        key, sep, _ = parent.partition(SEP)
        return f"{key}{SEP}{template}" if sep else template

    def get_template(self, name, parent=None, globals=None):
        if isinstance(name, str) and parent is None and SEP not in name:
            return self.load_themed(request_theme(), name, globals)
        return super().get_template(name, parent, globals)

    def load_themed(self, key: str, name: str, globals=None) -> Template:
        """``name`` through theme ``key``'s chain, skipping themes whose file fails to compile."""
        current: str | None = key
        while True:
            try:
                return super().get_template(f"{current}{SEP}{name}", None, globals)
            except TemplateSyntaxError as exc:
                current = self.fallback_key(current, exc)
                if current is None:
                    raise

    def select_template(self, names, parent=None, globals=None):
        if parent is not None or isinstance(names, str):
            return super().select_template(names, parent, globals)
        for name in names:
            try:
                return self.get_template(name, None, globals)
            except TemplateNotFound:
                continue
        raise TemplatesNotFound(names)

    def fallback_key(self, key: str, exc: BaseException) -> str | None:
        """If ``exc`` came from a file of a theme in ``key``'s chain, record it and return the
        chain to render with instead (the one after the faulty theme); else ``None``.

        The faulty file is the innermost template in the traceback: an error in a core page's
        block, rendered inside a theme's ``base.html``, is not the theme's fault."""
        state = current_app.extensions["lms"]
        if key == CORE_KEY:
            return None
        chain = theme_chain(state.themes, key)
        folders = [t.templates for t in chain] + [f for _p, f in state.template_dirs]
        roots = [os.path.realpath(f) + os.sep for f in [*folders, CORE_TEMPLATES]]
        files = [f for f in _error_files(exc) if os.path.realpath(f).startswith(tuple(roots))]
        if not files:
            return None
        bad = os.path.realpath(files[-1])
        for i, theme in enumerate(chain):
            if bad.startswith(os.path.realpath(theme.path) + os.sep):
                record_error(theme.name, f"{os.path.relpath(bad, theme.path)}: {exc}")
                return chain[i + 1].name if i + 1 < len(chain) else CORE_KEY
        return None


def _error_files(exc: BaseException) -> list[str]:
    """Files of the traceback, outermost first; a syntax error's own file last."""
    files = []
    tb = exc.__traceback__
    while tb is not None:
        files.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        files.append(exc.filename)
    return files


def record_error(theme: str, message: str) -> None:
    """Log a theme's template error once and keep it for the admin theme page."""
    errors = current_app.extensions["lms"].theme_errors.setdefault(theme, [])
    if message not in errors:
        log.error("theme %s: template error, rendering through its parent: %s", theme, message)
        errors.append(message)
        del errors[:-10]


bp = Blueprint("theming", __name__)


def _send(folder: str, filename: str):
    # send_from_directory refuses paths that escape ``folder`` (werkzeug.security.safe_join).
    return send_from_directory(folder, filename, max_age=31536000)


def find_static(name: str, filename: str) -> Theme | None:
    """The first theme along ``name``'s chain that has ``static/<filename>`` (safely joined)."""
    themes = current_app.extensions["lms"].themes
    for theme in theme_chain(themes, name):
        path = safe_join(theme.static, filename)
        if path is not None and os.path.isfile(path):
            return theme
    return None


@bp.route("/themes/<name>/static/<path:filename>")
def theme_static(name: str, filename: str):
    theme = find_static(name, filename)
    if theme is None:
        abort(404)
    return _send(theme.static, filename)


@bp.route("/themes/<name>/screenshot")
def theme_screenshot(name: str):
    theme = current_app.extensions["lms"].themes.get(name)
    shot = theme.manifest.get("screenshot") if theme else None
    if not isinstance(shot, str) or safe_join(theme.path, shot) is None:
        abort(404)
    return send_from_directory(theme.path, shot, max_age=3600)


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


def _root() -> str:
    return request.script_root if has_request_context() else ""


def _remembered(key: tuple[str, ...], find: Any) -> Any:
    """``find()``, remembered for the life of the process: static files change only with a
    deployment, which restarts the processes. In debug mode (or with TEMPLATES_AUTO_RELOAD)
    the files are looked at on every call, so an edited file gets a new ``?v=`` at once."""
    app = current_app
    if app.debug or app.config.get("TEMPLATES_AUTO_RELOAD"):
        return find()
    found = app.extensions["lms"].static_versions
    if key not in found:
        found[key] = find()
    return found[key]


def theme_url(filename: str) -> str:
    """URL of a static file of the request's theme (or its parents), with cache-busting."""
    wanted = request_theme()

    def find() -> str:
        theme = find_static(wanted, filename)
        if theme is None:
            return url_for("theming.theme_static", name=wanted, filename=filename)
        version = _version(safe_join(theme.static, filename) or "")
        return url_for("theming.theme_static", name=theme.name, filename=filename, v=version)

    return _remembered(("theme", wanted, filename, _root()), find)


def plugin_url(plugin: str, filename: str) -> str:
    def find() -> str:
        folder = current_app.extensions["lms"].static_dirs.get(plugin, "")
        version = _version(os.path.join(folder, *filename.split("/")))
        return url_for("theming.plugin_static", name=plugin, filename=filename, v=version)

    return _remembered(("plugin", plugin, filename, _root()), find)


def core_url(filename: str) -> str:
    # The whole URL is remembered (for the request's script root): building it costs as much
    # as the rest of the page head.
    def find() -> str:
        version = _version(os.path.join(current_app.static_folder or "", filename))
        return url_for("static", filename=filename, v=version)

    return _remembered(("core", filename, _root()), find)


def _install_environment(app: Flask, state: Any) -> None:
    """Replace the app's Jinja environment with a :class:`ThemedEnvironment`, keeping what
    extensions already put into the old one."""
    old = app.jinja_env
    app.jinja_environment = ThemedEnvironment
    env = app.create_jinja_environment()
    env.globals.update(old.globals)
    env.filters.update(old.filters)
    env.tests.update(old.tests)
    env.policies.update(old.policies)
    for ext in old.extensions.values():
        env.add_extension(type(ext))
    env.loader = ThemeLoader(state)
    app.jinja_env = env  # werkzeug's cached_property: stored on the instance


def init_app(app: Flask) -> None:
    state = app.extensions["lms"]
    state.themes = discover_themes(app)
    state.theme_errors = {}
    state.theme_warned = set()
    state.static_versions = {}  # (kind, theme or plugin, file) -> what theme_url & co. found
    wanted = app.config.get("THEME") or "default"
    if wanted not in state.themes or not state.themes[wanted].ok:
        log.warning("theme %r not found or invalid; using the default theme", wanted)
        wanted = "default"
    state.theme = wanted
    state.theme_chain = theme_chain(state.themes, wanted)
    _install_environment(app, state)
    app.jinja_env.globals.update(
        theme_url=theme_url, plugin_url=plugin_url, core_url=core_url, current_theme=request_theme
    )
    app.register_blueprint(bp)
    from lms.themes_admin import init_app as init_admin

    init_admin(app)
