"""A person's own data (PDPA): "download my data" and "delete my account".

The core gathers what it holds (account, roles, enrolments, progress, theme choice) and asks
every plugin through ``lms_user_export``; deletion anonymises the account and asks every plugin
through ``lms_user_erase``. Progress and participation stay, tied to the anonymised account, so
the programme's statistics keep their counts. Plugins switched off at run time are asked too:
they are loaded and their data exists. Nothing here commits: the view commits once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import ActivityProgress, Enrolment, PluginSetting, Role, User
from lms.models.base import utcnow
from lms.models.user import user_roles

log = logging.getLogger("lms.account")

#: Anonymised accounts get this address; ``.invalid`` is reserved (RFC 2606): never delivered.
DELETED_DOMAIN = "deleted.invalid"
#: The name an anonymised account keeps (the same in every language).
DELETED_NAME = "—"


class EraseError(Exception):
    """A plugin could not erase its data: nothing was changed (the caller rolls back)."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def core_export(user: User) -> dict[str, Any]:
    """The core's own data about ``user``, JSON-able."""
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id).order_by(Enrolment.id)
    )
    progress = db.session.scalars(
        select(ActivityProgress)
        .where(ActivityProgress.user_id == user.id)
        .order_by(ActivityProgress.id)
    )
    theme = db.session.scalar(
        select(PluginSetting.value).where(
            PluginSetting.plugin == "core", PluginSetting.key == f"theme.user.{user.id}"
        )
    )
    return {
        "account": {
            "id": user.id,
            "name": user.name,
            "email": None if is_placeholder_email(user.email) else user.email,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
            "consent_at": _iso(user.consent_at),
            "consent_version": user.consent_version,
            "roles": sorted(user.role_codes),
            "theme": theme,
        },
        "enrolments": [
            {
                "course_id": e.course_id,
                "course": e.course.title,
                "role": e.role,
                "enrolled_at": _iso(e.enrolled_at),
                "completed_at": _iso(e.completed_at),
            }
            for e in enrolments
        ],
        "progress": [
            {
                "course_id": p.course_id,
                "activity_id": p.activity_id,
                "activity": p.activity.title,
                "first_viewed_at": _iso(p.first_viewed_at),
                "completed_at": _iso(p.completed_at),
                "score": p.score,
            }
            for p in progress
        ],
    }


def _impls(app: Flask, hook_name: str) -> list[Any]:
    """Every registered implementation, in pluggy's call order (switched-off plugins too)."""
    caller = getattr(app.extensions["lms"].plugins.pm.hook, hook_name)
    return list(reversed(caller.get_hookimpls()))


def export_data(user: User, app: Flask | None = None) -> dict[str, Any]:
    """Everything the site holds about ``user``: the core's sections, then one per plugin
    answer of ``lms_user_export`` (a plugin that raises is logged and listed in ``errors``)."""
    app = app or current_app._get_current_object()
    data: dict[str, Any] = {
        "format": "lms-user-export/1",
        "exported_at": _iso(utcnow()),
        "core": core_export(user),
        "plugins": {},
    }
    errors: list[str] = []
    for impl in _impls(app, "lms_user_export"):
        try:
            answer = impl.function(*[{"app": app, "user": user}[a] for a in impl.argnames])
        except Exception:
            log.exception("plugin %s failed to export user %s", impl.plugin_name, user.id)
            errors.append(impl.plugin_name)
            continue
        if answer is None:
            continue
        section, value = answer
        data["plugins"].setdefault(impl.plugin_name, {})[str(section)] = value
    if errors:
        data["errors"] = errors
    return data


def is_placeholder_email(email: str | None) -> bool:
    """True for addresses that are never mailed: deleted accounts, children (``.invalid``)."""
    return bool(email) and email.lower().endswith(".invalid")


def is_deleted(user: User) -> bool:
    return bool(user.email) and user.email.lower().endswith("@" + DELETED_DOMAIN)


def last_admin(user: User) -> bool:
    """True when ``user`` is the only active administrator (who must not delete themselves)."""
    if not user.has_role("admin"):
        return False
    others = db.session.scalar(
        select(func.count(User.id))
        .join(user_roles, user_roles.c.user_id == User.id)
        .join(Role, Role.id == user_roles.c.role_id)
        .where(Role.code == "admin", User.is_active_account.is_(True), User.id != user.id)
    )
    return not others


def erase_account(user: User, app: Flask | None = None) -> None:
    """Anonymise ``user`` and ask every plugin to erase its data, in the caller's transaction.

    The account row stays (id, enrolments, progress, participation: statistics keep their
    counts) but holds no personal data and can never log in. Raises :class:`EraseError` when a
    plugin fails; the caller must then roll back.
    """
    app = app or current_app._get_current_object()
    for impl in _impls(app, "lms_user_erase"):
        try:
            impl.function(*[{"app": app, "user": user}[a] for a in impl.argnames])
        except Exception as exc:
            log.exception("plugin %s failed to erase user %s", impl.plugin_name, user.id)
            raise EraseError(_("Your account could not be deleted. The error was logged.")) from exc
    db.session.execute(
        db.delete(PluginSetting).where(
            PluginSetting.plugin == "core", PluginSetting.key == f"theme.user.{user.id}"
        )
    )
    user.name = DELETED_NAME
    user.email = f"deleted-{user.id}@{DELETED_DOMAIN}"
    user.password_hash = None
    user.is_active_account = False
    user.last_login_at = None
    user.locale = None
    user.consent_at = None
    user.consent_version = None
    log.info("account %s deleted (anonymised)", user.id)
    db.session.flush()
