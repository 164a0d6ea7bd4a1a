"""The plugin manager: discovery, isolation of failures, and calling hooks.

Plugins are modules registered under the ``lms.plugins`` entry-point group. They load in sorted
name order, so the order never depends on the file system. A plugin that fails to import, or
raises in a start-up (``lms_load_*``) hook, is logged, recorded for the admin page and left out;
the site keeps running. A plugin that raises in any other hook is logged with its name and the
other implementations still run.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy
from flask import Flask, current_app

from lms import hookspecs

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "lms.plugins"
# The version of the hook contract. A plugin may declare ``LMS_PLUGIN_API = ">=1,<2"``.
PLUGIN_API_VERSION = 1


def normalise_name(name: str) -> str:
    """One spelling for plugin names (URLs, settings, tables): ``lms-page`` → ``lms_page``."""
    return name.strip().lower().replace("-", "_").replace(".", "_")


@dataclass
class PluginInfo:
    name: str
    module_name: str
    version: str = ""
    summary: str = ""
    author: str = ""
    package: str = ""
    loaded: bool = False
    disabled_by_config: bool = False
    errors: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    #: ``LMS_PLUGIN_API`` as the plugin declared it ("" when it did not).
    api: str = ""
    #: ``LMS_COURSE_PLUGIN = True``: educators switch it on or off per course.
    course_scoped: bool = False
    #: Problems that do not stop the plugin (tables without the plugin's prefix ...).
    warnings: list[str] = field(default_factory=list)
    #: Hook calls that raised in a row (reset by a call that succeeds).
    failures_in_a_row: int = 0

    @property
    def ok(self) -> bool:
        return self.loaded and not self.errors


class LMSPluginManager:
    """Wraps :class:`pluggy.PluginManager` with discovery and per-plugin failure isolation."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("lms")
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        #: Failures in a row after which ``on_too_many_failures(name, detail)`` is called
        #: (``PLUGIN_MAX_FAILURES``; 0 turns this off). The app sets both (lms.lifecycle).
        self.max_failures = 0
        self.on_too_many_failures: Any = None

    # -- discovery ---------------------------------------------------------------------------

    def discover(self, disabled: set[str] | None = None, extra: list[str] | None = None) -> None:
        """Load every ``lms.plugins`` entry point plus ``extra`` (``name=module`` strings)."""
        disabled = {normalise_name(n) for n in (disabled or set())}
        found: dict[str, tuple[str, Any]] = {}
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            found.setdefault(normalise_name(ep.name), (ep.value, ep))
        for spec in extra or []:
            name, _, module = spec.partition("=")
            found[normalise_name(name)] = (module.strip() or name.strip(), None)
        for name in sorted(found):
            module_name, ep = found[name]
            info = PluginInfo(name=name, module_name=module_name)
            if ep is not None:
                self._describe(info, ep)
            self.infos[name] = info
            if name in disabled:
                info.disabled_by_config = True
                continue
            self._load(info, ep)

    @staticmethod
    def _describe(info: PluginInfo, ep: EntryPoint) -> None:
        dist = getattr(ep, "dist", None)
        if dist is None:
            return
        meta = dist.metadata
        info.package = meta.get("Name", "") or ""
        info.version = dist.version or ""
        info.summary = meta.get("Summary", "") or ""
        info.author = meta.get("Author", "") or meta.get("Author-email", "") or ""

    def _load(self, info: PluginInfo, ep: EntryPoint | None) -> None:
        try:
            module = ep.load() if ep is not None else importlib.import_module(info.module_name)
            info.api = str(getattr(module, "LMS_PLUGIN_API", "") or "")
            info.course_scoped = bool(getattr(module, "LMS_COURSE_PLUGIN", False))
            check_api_version(module)
            self.pm.register(module, name=info.name)
        except Exception as exc:  # a broken plugin must never take the site down
            self.fail(info.name, exc, unregister=False)
            return
        info.loaded = True
        info.hooks = sorted(h.name for h in self.pm.get_hookcallers(module) or [])

    def register(self, module: Any, name: str) -> None:
        """Register an already imported plugin object (tests and embedding applications)."""
        name = normalise_name(name)
        info = self.infos.setdefault(name, PluginInfo(name=name, module_name=repr(module)))
        self.pm.register(module, name=name)
        info.loaded = True
        info.course_scoped = bool(getattr(module, "LMS_COURSE_PLUGIN", False))
        info.hooks = sorted(h.name for h in self.pm.get_hookcallers(module) or [])

    def fail(self, name: str, exc: BaseException, unregister: bool = True) -> None:
        """Record a plugin failure; with ``unregister`` take the plugin out of every hook."""
        info = self.infos.setdefault(name, PluginInfo(name=name, module_name="?"))
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        info.errors.append(detail)
        del info.errors[:-20]  # a plugin failing on every page keeps only its latest errors
        log.error("plugin %s failed: %s", name, detail, exc_info=exc)
        if unregister and self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)
            info.loaded = False

    # -- calling hooks -----------------------------------------------------------------------

    def results(
        self,
        hook_name: str,
        *,
        unregister_on_error: bool = False,
        skip: set[str] | None = None,
        **kwargs: Any,
    ) -> list[tuple[str, Any]]:
        """Call ``hook_name`` on every registered plugin, isolating failures.

        Returns ``(plugin name, result)`` pairs for the non-``None`` results, in pluggy's call
        order (``tryfirst`` first, then later-registered first). A plugin that raises is logged
        with its name and skipped; with ``unregister_on_error`` (start-up hooks) it is also taken
        out of every hook. ``skip`` names plugins to leave out (switched off by an admin).
        """
        caller = getattr(self.pm.hook, hook_name)
        out: list[tuple[str, Any]] = []
        for impl in reversed(caller.get_hookimpls()):
            if skip and impl.plugin_name in skip:
                continue
            try:
                result = impl.function(*[kwargs[a] for a in impl.argnames])
            except Exception as exc:
                self.fail(impl.plugin_name, exc, unregister=unregister_on_error)
                self._count_failure(impl.plugin_name)
                continue
            info = self.infos.get(impl.plugin_name)
            if info is not None and info.failures_in_a_row:
                info.failures_in_a_row = 0
            if result is not None:
                out.append((impl.plugin_name, result))
        return out

    def _count_failure(self, name: str) -> None:
        """After ``max_failures`` failures in a row, hand the plugin to the disable callback."""
        info = self.infos.get(name)
        if info is None or name == "core":
            return
        info.failures_in_a_row += 1
        if self.max_failures and info.failures_in_a_row >= self.max_failures:
            info.failures_in_a_row = 0
            if self.on_too_many_failures is not None:
                try:
                    self.on_too_many_failures(name, info.errors[-1] if info.errors else "")
                except Exception:  # never let the safety net break the page
                    log.exception("could not switch off failing plugin %s", name)

    def plugin_for(self, obj: Any) -> str | None:
        """The name of the plugin whose module defines ``obj`` (a class or instance)."""
        module = getattr(obj, "__module__", None) or type(obj).__module__
        for name, plugin in self.pm.list_name_plugin():
            plugin_mod = getattr(plugin, "__name__", "")
            if module == plugin_mod or module.startswith(plugin_mod.rsplit(".", 1)[0] + "."):
                return name
        return None


def check_api_version(module: Any) -> None:
    """Refuse a plugin whose ``LMS_PLUGIN_API`` range excludes this core's API version."""
    wanted = getattr(module, "LMS_PLUGIN_API", None)
    if wanted is None:
        return
    from packaging.specifiers import SpecifierSet

    if str(PLUGIN_API_VERSION) not in SpecifierSet(str(wanted)):
        raise RuntimeError(f"needs LMS plugin API {wanted}, this LMS provides {PLUGIN_API_VERSION}")


def get_manager(app: Flask | None = None) -> LMSPluginManager:
    return (app or current_app).extensions["lms"].plugins


def call(hook_name: str, app: Flask | None = None, **kwargs: Any) -> list[Any]:
    """Call a hook on all enabled plugins and return the flattened list of results.

    Hooks that return lists have them flattened, so ``call("lms_content_types")`` is a plain
    list of content types. ``app`` is passed to the hook automatically.
    """
    app = app or current_app._get_current_object()
    state = app.extensions["lms"]
    results = state.plugins.results(hook_name, app=app, skip=state.disabled_now(), **kwargs)
    flat: list[Any] = []
    for _name, r in results:
        if isinstance(r, list | tuple):
            flat.extend(r)
        else:
            flat.append(r)
    return flat
