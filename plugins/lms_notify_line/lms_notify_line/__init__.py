"""The LINE notification channel: push messages through the LINE Messaging API.

Settings: ``LINE_API_BASE`` (default ``https://api.line.me``), ``LINE_CHANNEL_TOKEN`` and
``LINE_CHANNEL_SECRET`` (for the webhook that links accounts). A user links their account by
sending the code shown on /notify/line to the site's LINE official account; the webhook at
/notify/line/webhook stores their LINE user id. Each push carries ``X-Line-Retry-Key`` derived
from the delivery's idempotency key, so LINE itself refuses a second copy (HTTP 409).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lms_notify.channels import Channel, Message, PermanentError, TransientError
from markupsafe import Markup
from sqlalchemy import select

from lms import hookimpl
from lms.extensions import db
from lms.ui import Snippet

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent
PUSH_PATH = "/v2/bot/message/push"


def push(to: str, text: str, retry_key: str) -> None:
    cfg = current_app.config
    base = (cfg.get("LINE_API_BASE") or "https://api.line.me").rstrip("/")
    body = json.dumps({"to": to, "messages": [{"type": "text", "text": text[:5000]}]}).encode()
    req = urllib.request.Request(  # noqa: S310 (the configured LINE API base URL)
        base + PUSH_PATH,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {cfg.get('LINE_CHANNEL_TOKEN', '')}",
            "X-Line-Retry-Key": retry_key,
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=float(cfg.get("LINE_TIMEOUT", 10))) as resp:  # noqa: S310
            resp.read()
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 409:  # LINE already accepted a request with this retry key
            return
        if exc.code == 429 or exc.code >= 500:
            raise TransientError(f"LINE HTTP {exc.code}") from exc
        raise PermanentError(f"LINE HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TransientError(type(exc).__name__) from exc


class LineChannel(Channel):
    key = "line"
    label = _l("LINE")
    push = True

    def reachable(self, user_ids: list[int]) -> set[int]:
        from lms_notify_line.models import LineLink

        return set(
            db.session.scalars(
                select(LineLink.user_id).where(
                    LineLink.user_id.in_(user_ids), LineLink.line_user_id.is_not(None)
                )
            )
        )

    def send(self, message: Message) -> None:
        from lms_notify_line.models import LineLink

        link = db.session.get(LineLink, message.user_id)
        if link is None or not link.line_user_id:
            raise PermanentError("LINE account not linked")
        lines = [message.subject]
        if message.text:
            lines.append(message.text)
        lines.extend(f"- {i.get('subject', '')}" for i in message.items)
        if message.url:
            lines.append(message.url)
        push(link.line_user_id, "\n\n".join(lines), message.message_uuid)


@hookimpl
def lms_load_models(app):
    from lms_notify_line import models  # noqa: F401


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_blueprints(app):
    from lms_notify_line.views import bp

    return [bp]


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")


@hookimpl
def lms_notify_channels(app):
    return [LineChannel()]


@hookimpl
def lms_tpl_snippets(app, slot, context):
    if slot == "profile":
        return Snippet(
            Markup('<p><a href="{}">{}</a></p>').format(
                url_for("lms_notify_line.link"), _("Get notifications on LINE")
            ),
            order=41,
        )
    return None


@hookimpl
def lms_user_export(app, user):
    """PDPA access: whether and when the person linked a LINE account (the LINE user id)."""
    from lms_notify_line.models import LineLink

    link = db.session.get(LineLink, user.id)
    if link is None:
        return ("line", None)
    linked = link.linked_at.isoformat() if link.linked_at else None
    return ("line", {"line_user_id": link.line_user_id, "linked_at": linked})


@hookimpl
def lms_user_erase(app, user):
    """PDPA erasure: unlink the LINE account."""
    from sqlalchemy import delete

    from lms_notify_line.models import LineLink

    db.session.execute(delete(LineLink).where(LineLink.user_id == user.id))
