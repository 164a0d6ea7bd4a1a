"""Plugin lifecycle: switch on and off, install, upgrade, remove, and the safety nets.

How a switch reaches every process: an admin's on/off choice is a row in ``plugin_state``.
Every web and worker process answers "which plugins are off?" once per request
(``LMSState.disabled_now``: one query, or with Redis a cached answer checked against a token
that every committed write replaces, see ``lms/site_cache.py``), skips a switched-off
plugin's hooks and answers 404 for its blueprints, so the change is seen on the next request
everywhere without a restart. Installing, upgrading or removing a package changes code, which
a running process cannot reload: restart the processes after those (a newly installed plugin
starts switched off, so restarting is safe).

pip always runs in a subprocess with the running interpreter (``sys.executable -m pip``), so
it installs into the environment the LMS runs from.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import distributions, entry_points
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import delete, select

from lms.extensions import db
from lms.models import PluginSetting, PluginState
from lms.plugins import ENTRY_POINT_GROUP, PLUGIN_API_VERSION, normalise_name

log = logging.getLogger(__name__)

#: The ``plugin_setting`` key that records why a plugin was switched off automatically.
AUTO_DISABLED_KEY = "auto_disabled"


class LifecycleError(RuntimeError):
    """An install, upgrade or removal that could not be done; the message says why."""


# -- switching on and off ---------------------------------------------------------------------


def set_enabled(name: str, enabled: bool) -> None:
    """Switch a plugin on or off for the whole site (in the caller's transaction)."""
    name = normalise_name(name)
    if name == "core" and not enabled:
        raise LifecycleError("the core cannot be switched off")
    state = db.session.get(PluginState, name)
    if state is None:
        state = PluginState(name=name)
        db.session.add(state)
    state.enabled = enabled
    if enabled:
        db.session.execute(
            delete(PluginSetting).where(
                PluginSetting.plugin == name, PluginSetting.key == AUTO_DISABLED_KEY
            )
        )


def auto_disabled() -> dict[str, dict[str, Any]]:
    """Plugins switched off for failing again and again: name → ``{"at", "error"}``."""
    rows = db.session.execute(
        select(PluginSetting.plugin, PluginSetting.value).where(
            PluginSetting.key == AUTO_DISABLED_KEY
        )
    )
    out = {}
    for plugin, value in rows:
        try:
            out[plugin] = json.loads(value)
        except ValueError:
            out[plugin] = {"at": "", "error": value}
    return out


def switch_off_failing(app: Flask, name: str, detail: str) -> None:
    """Called after ``PLUGIN_MAX_FAILURES`` failures in a row: write ``enabled = False``.

    Uses its own connection and transaction, so the request that saw the failure keeps its own.
    """
    log.error("plugin %s failed too often in a row: switching it off for the site", name)
    if has_app_context() and "lms_disabled_plugins" in g:
        g.lms_disabled_plugins.add(name)  # and for the rest of this request
    note = json.dumps({"at": datetime.now(UTC).isoformat(timespec="seconds"), "error": detail})
    state_t, setting_t = PluginState.__table__, PluginSetting.__table__
    with app.app_context(), db.engine.begin() as conn:
        if conn.execute(select(state_t.c.name).where(state_t.c.name == name)).first():
            conn.execute(state_t.update().where(state_t.c.name == name).values(enabled=False))
        else:
            conn.execute(state_t.insert().values(name=name, enabled=False))
        conn.execute(
            setting_t.delete().where(
                setting_t.c.plugin == name, setting_t.c.key == AUTO_DISABLED_KEY
            )
        )
        conn.execute(setting_t.insert().values(plugin=name, key=AUTO_DISABLED_KEY, value=note))


def init_app(app: Flask) -> None:
    """Wire the failure counter to :func:`switch_off_failing` and check table prefixes
    (called by ``create_app`` once the plugins are loaded)."""
    pm = app.extensions["lms"].plugins
    pm.max_failures = int(app.config.get("PLUGIN_MAX_FAILURES", 5) or 0)
    pm.on_too_many_failures = lambda name, detail: switch_off_failing(app, name, detail)
    check_table_prefixes(app)


# -- table prefixes ---------------------------------------------------------------------------


def check_table_prefixes(app: Flask, mappers: Any = None) -> dict[str, list[str]]:
    """Flag plugins whose models' tables do not start with ``<plugin>_``; returns them.

    ``mappers`` defaults to every model of ``db.Model``; the flag shows on the admin page.
    """
    pm = app.extensions["lms"].plugins
    bad: dict[str, list[str]] = {}
    for mapper in db.Model.registry.mappers if mappers is None else mappers:
        table = getattr(mapper, "local_table", None)
        name = pm.plugin_for(mapper.class_)
        if table is None or name in (None, "core") or table.name.startswith(name + "_"):
            continue
        bad.setdefault(name, []).append(table.name)
    for name, tables in bad.items():
        message = f"tables without the prefix {name}_: {', '.join(sorted(tables))}"
        log.warning("plugin %s has %s", name, message)
        info = pm.infos.get(name)
        if info is not None and message not in info.warnings:
            info.warnings.append(message)
    return bad


# -- packages ---------------------------------------------------------------------------------


@dataclass
class PackageCheck:
    """What a subprocess found in an installed distribution."""

    package: str
    version: str = ""
    plugins: list[dict[str, Any]] = field(default_factory=list)  # name, module, api, error

    def problem(self) -> str | None:
        """Why this package cannot be activated, or ``None``."""
        if not self.plugins:
            return f"{self.package} has no '{ENTRY_POINT_GROUP}' entry point: it is not a plugin"
        for p in self.plugins:
            if p.get("error"):
                return f"plugin {p['name']} cannot be imported: {p['error']}"
            if not p.get("api"):
                return (
                    f"plugin {p['name']} does not declare LMS_PLUGIN_API "
                    f"(this LMS provides plugin API {PLUGIN_API_VERSION})"
                )
            if not p.get("compatible"):
                return (
                    f"plugin {p['name']} needs LMS plugin API {p['api']}, "
                    f"this LMS provides {PLUGIN_API_VERSION}"
                )
        return None


_CHECK_SCRIPT = """
import importlib, json, sys
from importlib.metadata import distribution
from packaging.specifiers import SpecifierSet
from lms.plugins import ENTRY_POINT_GROUP, PLUGIN_API_VERSION, normalise_name
dist = distribution(sys.argv[1])
out = {"package": dist.metadata["Name"], "version": dist.version, "plugins": []}
for ep in dist.entry_points:
    if ep.group != ENTRY_POINT_GROUP:
        continue
    item = {"name": normalise_name(ep.name), "module": ep.value, "api": ""}
    try:
        module = ep.load()
        item["api"] = str(getattr(module, "LMS_PLUGIN_API", "") or "")
        api = item["api"]
        item["compatible"] = bool(api) and str(PLUGIN_API_VERSION) in SpecifierSet(api)
    except Exception as exc:
        item["error"] = f"{type(exc).__name__}: {exc}"
    out["plugins"].append(item)
print(json.dumps(out))
"""


def _run(args: list[str], what: str, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-8:])
        raise LifecycleError(f"{what} failed:\n{tail}")
    return result


def pip(*args: str) -> subprocess.CompletedProcess:
    """Run pip with the interpreter the LMS runs on."""
    return _run([sys.executable, "-m", "pip", *args], "pip " + (args[0] if args else ""))


def check_package(package: str) -> PackageCheck:
    """Import the installed ``package`` in a fresh process and read its plugin declarations."""
    result = _run([sys.executable, "-c", _CHECK_SCRIPT, package], f"checking {package}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return PackageCheck(data["package"], data["version"], data["plugins"])


def installed_packages() -> set[str]:
    return {normalise_name(d.metadata["Name"] or "") for d in distributions()}


def package_of(plugin: str) -> str | None:
    """The distribution (pip name) that provides ``plugin``."""
    plugin = normalise_name(plugin)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if normalise_name(ep.name) == plugin and getattr(ep, "dist", None) is not None:
            return ep.dist.metadata["Name"]
    return None


def run_lms(*args: str) -> subprocess.CompletedProcess:
    """Run an ``lms`` command in a fresh process (it sees packages installed just now)."""
    code = "from lms.cli import main; main()"
    env = dict(os.environ)
    if has_app_context():  # the same database as this process, whatever configured it
        env["LMS_DATABASE_URL"] = current_app.config["SQLALCHEMY_DATABASE_URI"]
    return _run([sys.executable, "-c", code, *args], "lms " + " ".join(args), env=env)


def _pip_install(args: list[str]) -> list[str]:
    """``pip install`` with a report; returns the names of the distributions it installed."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        pip("install", "--quiet", "--report", str(report), *args)
        data = json.loads(report.read_text()) if report.exists() else {"install": []}
    return [item["metadata"]["name"] for item in data.get("install", [])]


def install(source: str, *, enable: bool = False, migrate: bool = True) -> PackageCheck:
    """Install a wheel, sdist or package name; refuse (and uninstall) anything not a
    compatible plugin; run its migrations; leave it switched off unless ``enable``."""
    before = installed_packages()
    names = _pip_install([source])
    if not names:
        raise LifecycleError(f"{source} is already installed: use 'lms plugins upgrade'")
    checks = [check_package(n) for n in names]
    plugins = [c for c in checks if c.plugins]
    if plugins:
        problem = next((c.problem() for c in plugins if c.problem()), None)
    else:
        problem = f"{source} has no '{ENTRY_POINT_GROUP}' entry point: it is not a plugin"
    if problem:
        new = [n for n in names if normalise_name(n) not in before]
        if new:
            pip("uninstall", "--yes", "--quiet", *new)
        raise LifecycleError(f"refused: {problem}; it was not installed")
    if migrate:
        run_lms("plugins", "migrate")
    for check in plugins:
        for p in check.plugins:
            set_enabled(p["name"], enable)
    db.session.commit()
    return plugins[0]


def upgrade(plugin: str, source: str | None = None, find_links: str | None = None) -> PackageCheck:
    """Upgrade the package of ``plugin`` (from ``source`` or the index) and migrate its data."""
    package = package_of(plugin) or plugin
    args = ["--upgrade", "--upgrade-strategy", "only-if-needed"]
    if find_links:
        args += ["--find-links", find_links]
    _pip_install([*args, source or package])
    check = check_package(package)
    problem = check.problem()
    if problem:
        raise LifecycleError(
            f"{package} {check.version} is installed but cannot run: {problem}. "
            "Install a compatible version; the plugin stays as it is in the database."
        )
    run_lms("plugins", "migrate")
    return check


def migration_branches() -> set[str]:
    """The Alembic branch labels known to this application (one per plugin with migrations)."""
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return {label for rev in script.walk_revisions() for label in (rev.branch_labels or ())}


def remove(plugin: str, keep_data: bool = False) -> str:
    """Switch the plugin off (running processes stop using it on their next request), drop
    its tables (its branch down to base) and settings unless ``keep_data``, and pip uninstall
    its package. Returns the package name. The ``plugin_state`` row stays, switched off, so a
    process not restarted yet never calls into missing tables."""
    from flask_migrate import downgrade

    name = normalise_name(plugin)
    if name == "core":
        raise LifecycleError("the core cannot be removed")
    package = package_of(name)
    if package is None:
        raise LifecycleError(f"no installed package provides the plugin {name}")
    info = current_app.extensions["lms"].plugins.infos.get(name)
    if not keep_data and (info is None or not info.loaded):
        raise LifecycleError(
            f"{name} is not loaded in this process (DISABLED_PLUGINS or a load error), so its "
            "migrations are unknown: fix that first, or remove it with --keep-data"
        )
    set_enabled(name, False)
    db.session.commit()
    if not keep_data:
        if name in migration_branches():
            downgrade(revision=f"{name}@base")
        db.session.execute(delete(PluginSetting).where(PluginSetting.plugin == name))
        db.session.commit()
    pip("uninstall", "--yes", "--quiet", package)
    return package
