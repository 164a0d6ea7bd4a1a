"""The in-site notification channel: a bell with the unread count, a list, mark as read.

Writing the message and marking the delivery sent happen in one transaction, so an in-site
notification is exactly once by construction (the message row is keyed by the delivery key).
"""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lms_notify.channels import Channel, Message
from sqlalchemy import insert

from lms import hookimpl
from lms.extensions import db
from lms.ui import NavItem

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent


class InappChannel(Channel):
    key = "inapp"
    label = _l("In the site")
    push = False
    transactional = True  # written in the batch's transaction: no sent ledger needed

    def send(self, message: Message) -> None:
        from lms_notify_inapp.models import InappMessage

        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:  # pragma: no cover
            dialect_insert = insert
        stmt = dialect_insert(InappMessage).values(
            key=message.key,
            user_id=message.user_id,
            event=message.event,
            subject=message.subject[:300],
            body=message.text,
            url=message.url[:500],
        )
        if dialect in ("postgresql", "sqlite"):
            stmt = stmt.on_conflict_do_nothing(index_elements=["key"])
        db.session.execute(stmt)  # committed together with the delivery's "sent"
        from lms_notify_inapp import unread

        unread.changed([message.user_id])


def unread_count(user_id: int) -> int:
    """The user's unread in-site messages (cached: see lms_notify_inapp/unread.py)."""
    from lms_notify_inapp import unread

    return unread.unread_count(user_id)


@hookimpl
def lms_shared_cache_keys(app, user_id):
    """The bell's count and its version: fetched with the page's other shared-cache keys."""
    from lms_notify_inapp import unread

    return unread.keys(user_id)


@hookimpl
def lms_load_models(app):
    from lms_notify_inapp import models, unread  # noqa: F401

    unread.install()


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_blueprints(app):
    from lms_notify_inapp.views import bp

    return [bp]


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")


@hookimpl
def lms_notify_channels(app):
    return [InappChannel()]


@hookimpl
def lms_tpl_nav_items(app, user):
    if not user.is_authenticated:
        return None
    n = unread_count(user.id)
    label = _("Notifications (%(n)s unread)", n=n) if n else _("Notifications")
    return [NavItem(label, url_for("lms_notify_inapp.inbox"), 80, "lms_notify_inapp.")]


@hookimpl
def lms_user_export(app, user):
    """PDPA access: the notifications shown to the person in the site."""
    from sqlalchemy import select

    from lms_notify_inapp.models import InappMessage

    rows = db.session.scalars(
        select(InappMessage).filter_by(user_id=user.id).order_by(InappMessage.id)
    )
    return (
        "messages",
        [
            {
                "event": m.event,
                "subject": m.subject,
                "body": m.body,
                "created_at": m.created_at.isoformat(),
                "read_at": m.read_at.isoformat() if m.read_at else None,
            }
            for m in rows
        ],
    )


@hookimpl
def lms_user_erase(app, user):
    """PDPA erasure: the in-site messages are personal; they go."""
    from sqlalchemy import delete

    from lms_notify_inapp import unread
    from lms_notify_inapp.models import InappMessage

    db.session.execute(delete(InappMessage).where(InappMessage.user_id == user.id))
    unread.changed([user.id])
