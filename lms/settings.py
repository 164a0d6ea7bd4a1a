"""Loading configuration: ``config/default.py``, then the instance file, then ``LMS_*`` variables.

Also the :class:`Setting` declaration plugins use for their admin-editable settings.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_FILE = REPO_ROOT / "config" / "default.py"
DEFAULT_SECRET = "change-me-this-is-the-default-secret-key"  # noqa: S105 (the value refused)
ENV_PREFIX = "LMS_"


class ConfigError(RuntimeError):
    """The configuration cannot work (for example production with the default secret key)."""


@dataclass
class Setting:
    """A setting a plugin offers to admins. ``secret`` values may come from the environment
    (``LMS_<PLUGIN>_<NAME>``) and are never shown back in full."""

    name: str
    type: type = str
    default: Any = None
    help: str = ""
    secret: bool = False
    #: ``(value, label)`` pairs: the setting is a choice among them (see lms.settings_store).
    choices: tuple = ()
    #: The label on the admin form (defaults to ``name``).
    label: str = ""


def load_config(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Fill ``app.config`` in order: defaults, instance file, environment, then ``overrides``."""
    app.config.from_pyfile(str(DEFAULTS_FILE))
    instance_file = os.environ.get("LMS_CONFIG") or os.path.join(app.instance_path, "lms.cfg")
    app.config.from_pyfile(instance_file, silent=True)
    _load_env(app)
    if overrides:
        app.config.update(overrides)
    _derive(app)
    _check(app)


def _coerce(value: str, default: Any) -> Any:
    if isinstance(default, bool):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    if isinstance(default, list):
        value = value.strip()
        if value.startswith("["):
            return json.loads(value)
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def _load_env(app: Flask) -> None:
    for key, value in os.environ.items():
        if not key.startswith(ENV_PREFIX) or key == "LMS_CONFIG":
            continue
        name = key[len(ENV_PREFIX) :]
        app.config[name] = _coerce(value, app.config.get(name, ""))


def _derive(app: Flask) -> None:
    """Settings computed from others: database URL, stores and cookie flags."""
    cfg = app.config
    if not cfg.get("DATABASE_URL"):
        os.makedirs(app.instance_path, exist_ok=True)
        cfg["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "lms.db")
    url = cfg["DATABASE_URL"]
    if url.startswith("postgresql://"):  # the psycopg 3 driver, whatever the URL says
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    cfg["SQLALCHEMY_DATABASE_URI"] = url
    cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if url.startswith("postgresql") and not cfg.get("DATABASE_PING_AFTER"):
        # 0: test every pooled connection before use (a round trip per request); otherwise
        # lms.app.ping_idle_connections tests only those idle for that many seconds.
        cfg["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("pool_pre_ping", True)
    redis_url = cfg.get("REDIS_URL")
    cfg["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"
    cfg["RATELIMIT_KEY_PREFIX"] = "lms-limit"
    if redis_url:
        cfg.setdefault("CACHE_TYPE", "RedisCache")
        cfg.setdefault("CACHE_REDIS_URL", redis_url)
    else:
        cfg.setdefault("CACHE_TYPE", "SimpleCache")
    cfg.setdefault("CACHE_KEY_PREFIX", "lms:")
    cfg.setdefault("CACHE_DEFAULT_TIMEOUT", 300)
    cfg["BABEL_DEFAULT_LOCALE"] = cfg.get("DEFAULT_LOCALE", "th")
    cfg["BABEL_DEFAULT_TIMEZONE"] = cfg.get("TIMEZONE", "Asia/Bangkok")
    production = cfg.get("ENV") == "production"
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["REMEMBER_COOKIE_HTTPONLY"] = True
    cfg["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    secure = cfg.get("COOKIE_SECURE", production)
    if isinstance(secure, str):  # from the environment: "false" must mean false
        secure = secure.strip().lower() in {"1", "true", "yes", "on"}
    secure = bool(secure)
    cfg["SESSION_COOKIE_SECURE"] = secure
    cfg["REMEMBER_COOKIE_SECURE"] = secure
    if not cfg.get("MAIL_FOLDER"):
        cfg["MAIL_FOLDER"] = os.path.join(app.instance_path, "mail")
    if not cfg.get("THEMES_DIR"):
        cfg["THEMES_DIR"] = str(REPO_ROOT / "themes")


def _check(app: Flask) -> None:
    if app.config.get("ENV") == "production" and app.config.get("SECRET_KEY") in (
        DEFAULT_SECRET,
        "",
        None,
    ):
        raise ConfigError(
            "Refusing to start in production with the default secret key: "
            "set LMS_SECRET_KEY to a long random value."
        )
