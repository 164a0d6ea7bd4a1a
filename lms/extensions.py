"""Every Flask extension the core uses, created once and bound in ``create_app``."""

from functools import cached_property

import click
from flask import g, has_app_context, request
from flask_babel import Babel, Domain
from flask_caching import Cache
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names keep migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _client_address() -> str:
    return request.remote_addr or "unknown"


class LazyMigrate:
    """Flask-Migrate, imported the first time something asks for it: a migration command,
    ``lms init``, a plugin upgrade. Alembic brings Mako and Pygments along, about 11 MB that
    every web worker would otherwise hold and never use.

    ``init_app`` leaves a stand-in at ``app.extensions["migrate"]``; the first attribute read
    from it binds the real :class:`flask_migrate.Migrate`, which takes its place."""

    def __init__(self) -> None:
        self._configure: list = []
        self._real = None

    def configure(self, f):
        self._configure.append(f)
        return f

    def init_app(self, app, db, **kwargs) -> None:
        app.extensions["migrate"] = _MigrateStandIn(self, app, db, kwargs)
        app.cli.add_command(_LazyDbCommands("db", help="Perform database migrations."))

    def real(self):
        if self._real is None:
            from flask_migrate import Migrate

            self._real = Migrate()
            for f in self._configure:
                self._real.configure(f)
        return self._real


class _LazyDbCommands(click.Group):
    """``lms db ...``: Flask-Migrate's command group, imported when it is used (its context,
    options and subcommands are the real group's)."""

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[override]
        from flask_migrate.cli import db as commands

        return commands.make_context(info_name, args, parent=parent, **extra)


class _MigrateStandIn:
    def __init__(self, lazy: LazyMigrate, app, db, kwargs: dict) -> None:
        self._bind = (lazy, app, db, kwargs)

    def __getattr__(self, name: str):
        lazy, app, db, kwargs = self.__dict__["_bind"]
        lazy.real().init_app(app, db, **kwargs)  # replaces this stand-in
        return getattr(app.extensions["migrate"], name)


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()


class RequestDomain(Domain):
    """Flask-Babel's message domain, finding the request's catalogue once per request: its own
    lookup (context, locale, cache key) costs more than the translation, and a page asks for
    dozens of words. The catalogue is kept where ``flask_babel.refresh`` (so ``force_locale``)
    forgets it, so a change of language is always seen."""

    def get_translations(self):  # noqa: ANN201 (babel's Translations or NullTranslations)
        ctx = getattr(g, "_flask_babel", None) if has_app_context() else None
        found = getattr(ctx, "babel_translations", None)
        if found is not None:
            return found
        found = super().get_translations()
        ctx = getattr(g, "_flask_babel", None) if has_app_context() else None
        if ctx is not None:  # made by the lookup above inside a context
            ctx.babel_translations = found
        return found


class LMSBabel(Babel):
    @cached_property
    def domain_instance(self) -> Domain:
        return RequestDomain(domain=self.domain)


babel = LMSBabel()
limiter = Limiter(key_func=_client_address)
cache = Cache()
