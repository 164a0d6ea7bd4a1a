"""The application factory: a short list of ``configure_*`` steps.

Nothing here queries the database, so start-up is fast and works before migrations ran.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from werkzeug.exceptions import NotFound

from lms import cli, errors, i18n, site_cache, theming
from lms.content import ContentRegistry
from lms.extensions import cache, csrf, db, limiter, login_manager, migrate
from lms.memo import LMSFlask, install_csrf_memo
from lms.plugins import LMSPluginManager
from lms.settings import load_config
from lms.tasks import celery_init_app

log = logging.getLogger(__name__)
CORE_DIR = Path(__file__).resolve().parent


class LMSState:
    """What the core knows about the running site, in ``app.extensions["lms"]``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.plugins = LMSPluginManager()
        self.content = ContentRegistry()
        self.template_dirs: list[tuple[str, str]] = []  # (plugin, folder)
        self.static_dirs: dict[str, str] = {}  # plugin -> folder
        self.migration_dirs: list[str] = []
        self.translation_dirs: list[str] = []
        self.blueprint_plugins: dict[str, str] = {}  # blueprint name -> plugin
        self.site_cache: Any = None  # lms.site_cache.SiteCache, set by configure_plugins

    def disabled_now(self) -> set[str]:
        """Plugins an admin switched off, checked once per request (see docs/plugins.md)."""
        if "lms_disabled_plugins" in g:
            return g.lms_disabled_plugins
        # Kept per process until the table changes (lms/site_cache.py): no query per request.
        names = set(self.site_cache.get("disabled_plugins", self._read_disabled))
        g.lms_disabled_plugins = names
        return names

    def _read_disabled(self) -> frozenset[str]:
        from lms.models import PluginState

        try:
            names = set(
                db.session.scalars(
                    db.select(PluginState.name).where(PluginState.enabled.is_(False))
                )
            )
        except Exception:  # before `lms init` created the table
            db.session.rollback()
            names = set()
        names.discard("core")
        return frozenset(names)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the LMS application. ``config`` overrides every other source (used by tests)."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get("LMS_INSTANCE_PATH")
    app = LMSFlask(
        "lms",
        instance_path=instance_path or None,
        instance_relative_config=True,
        static_folder=str(CORE_DIR / "static"),
        template_folder=None,
    )
    load_config(app, config)
    configure_logging(app)
    configure_extensions(app)
    celery_init_app(app)  # Celery from app.config, before plugins add tasks and schedules
    configure_plugins(app)
    theming.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    configure_requests(app)
    configure_templates_context(app)
    cli.init_app(app)
    return app


def configure_logging(app: Flask) -> None:
    level = app.config.get("LOG_LEVEL", "INFO")
    logging.getLogger("lms").setLevel(level)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure_extensions(app: Flask) -> None:
    db.init_app(app)
    after = float(app.config.get("DATABASE_PING_AFTER") or 0)
    if after > 0 and app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        with app.app_context():  # the engine exists after init_app; nothing connects here
            ping_idle_connections(db.engine, after)
    migrate.init_app(app, db, directory=str(CORE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    limiter.init_app(app)
    skip_unused_limit_check(app)
    cache.init_app(app)

    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import joinedload

    from lms.models import User

    # The user and their roles in one query (the roles' own default is a second one). Built
    # once: building a statement on every request costs as much as running it.
    by_id = select(User).options(joinedload(User.roles)).where(User.id == bindparam("uid"))

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = (
            db.session.execute(by_id, {"uid": int(user_id)}).unique().scalar_one_or_none()
            if user_id.isdigit()
            else None
        )
        # A deactivated or deleted account is logged out everywhere at its next request.
        return user if user is not None and user.is_active else None


def ping_idle_connections(engine: Any, after: float) -> None:
    """Test a pooled connection before it serves a request only when it sat idle for
    ``after`` seconds (setting ``DATABASE_PING_AFTER``).

    ``pool_pre_ping`` tests every checkout: one more round trip on every request. A connection
    in steady use has just proved itself; one left idle is the kind a database restart or a
    firewall's idle timeout closes. Raising ``DisconnectionError`` makes the pool throw it
    away and connect again (SQLAlchemy's documented way for a custom pessimistic check).
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection: Any, record: Any) -> None:
        record.info["lms_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("lms_idle_since")
        if since is None or time.monotonic() - since < after:
            return  # new, or in steady use
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("a pooled connection failed its idle check") from exc


def skip_unused_limit_check(app: Flask) -> None:
    """Run Flask-Limiter's check before every request only while some limit needs it.

    That check counts default, application-wide and blueprint limits; a view decorated with
    ``limiter.limit`` (log-in, sign-up, password reset, the child sign-in, workshop
    registration) counts its own in its decorator. The LMS sets none of the first three, and
    the check finding nothing cost about 4 % of a lesson page's CPU. A plugin that limits a
    whole blueprint, or a setting that adds defaults, turns it back on."""
    funcs = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit not in funcs:
        return
    manager = limiter.limit_manager
    meta = bool(app.config.get("RATELIMIT_META"))

    def check_rate_limits() -> None:
        if (
            meta
            or manager.default_limits
            or manager.application_limits
            or getattr(manager, "_blueprint_limits", True)  # unknown Flask-Limiter: check
        ):
            limiter._check_request_limit()

    funcs[funcs.index(limiter._check_request_limit)] = check_rate_limits


def configure_plugins(app: Flask) -> None:
    """Discover plugins and collect everything their ``lms_load_*`` hooks offer."""
    state = LMSState(app)
    app.extensions["lms"] = state
    state.site_cache = site_cache.init_app(app)
    pm = state.plugins
    pm.discover(
        disabled=set(app.config.get("DISABLED_PLUGINS") or []),
        extra=list(app.config.get("EXTRA_PLUGINS") or []),
    )

    def each(hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        # A plugin that raises in a start-up hook is left out of this process altogether.
        return pm.results(hook, unregister_on_error=True, app=app, **kwargs)

    each("lms_load_models")
    for plugin, blueprints in each("lms_load_blueprints"):
        for bp in blueprints:
            try:
                app.register_blueprint(bp)
            except Exception as exc:
                pm.fail(plugin, exc)
                break
            state.blueprint_plugins[bp.name] = plugin
    core = pm.infos.get("core")
    if core is None or not core.ok:  # without its own blueprints the core cannot serve a page
        raise RuntimeError(
            f"the LMS core failed to load: {core.errors if core else 'not installed'}"
        )
    for plugin, folder in each("lms_load_templates"):
        state.template_dirs.append((plugin, str(folder)))
    for plugin, folder in each("lms_load_static"):
        state.static_dirs[plugin] = str(folder)
    for _plugin, folder in each("lms_load_translations"):
        state.translation_dirs.append(str(folder))
    for _plugin, folder in each("lms_load_migrations"):
        state.migration_dirs.append(str(folder))
    for plugin, types in each("lms_content_types"):
        for ct in types:
            state.content.add(ct, plugin)
    each("lms_load_cli", group=app.cli)
    from lms import lifecycle  # failure counting (PLUGIN_MAX_FAILURES), table prefix check

    lifecycle.init_app(app)


@migrate.configure
def _add_plugin_branches(config):
    """Each plugin's migrations are its own Alembic branch: add their folders."""
    from flask import current_app

    state = current_app.extensions["lms"]
    locations = [str(CORE_DIR / "migrations" / "versions"), *state.migration_dirs]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(locations))
    return config


def configure_requests(app: Flask) -> None:
    @app.before_request
    def block_disabled_plugins() -> None:
        plugin = app.extensions["lms"].blueprint_plugins.get(request.blueprint or "")
        if plugin and plugin in app.extensions["lms"].disabled_now():
            raise NotFound()

    # The security headers are added to every response by lms.memo.LMSFlask.


def configure_templates_context(app: Flask) -> None:
    """Values every template can use: navigation and plugin snippets, computed lazily."""
    from flask_login import current_user
    from markupsafe import Markup

    from lms import plugins

    def nav_items():
        # The user object itself: each attribute read through the proxy looks it up again.
        items = plugins.call("lms_tpl_nav_items", user=current_user._get_current_object())
        return sorted(items, key=lambda i: i.order)

    def slot(name: str, **context: Any) -> Markup:
        snippets = plugins.call("lms_tpl_snippets", slot=name, context=context)
        return Markup("").join(s.html for s in sorted(snippets, key=lambda s: s.order))

    def body_classes() -> str:
        return " ".join(
            str(c)
            for c in plugins.call("lms_tpl_body_classes", user=current_user._get_current_object())
        )

    # Flask-WTF's context processor names its own csrf_token; this one, later, replaces it.
    csrf_token = install_csrf_memo(app)

    @app.context_processor
    def lms_context() -> dict[str, Any]:
        return {
            "csrf_token": csrf_token,
            "nav_items": nav_items,
            "slot": slot,
            "body_classes": body_classes,
            "site_name": app.config.get("SITE_NAME", "LMS"),
            "languages": app.config["LANGUAGES"],
        }
