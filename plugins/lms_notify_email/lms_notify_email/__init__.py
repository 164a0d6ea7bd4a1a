"""The email notification channel: SMTP (``SMTP_*`` settings), HTML and plain text.

Templates: ``lms_notify_email/<event>.<locale>.html`` / ``.txt`` if a theme or plugin provides
them, else ``lms_notify_email/message.<locale>.*`` (Thai and English ship here), else
``message.*``. The Message-ID is derived from the delivery's idempotency key, so a duplicate is
visible to whoever receives it. Without ``SMTP_HOST`` messages go to the instance mail folder.
"""

from __future__ import annotations

import contextlib
import smtplib
from email.utils import formatdate
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from jinja2 import TemplateNotFound
from lms_notify.channels import Channel, Message, PermanentError, TransientError

from lms import hookimpl, mail
from lms.extensions import db

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent


def _template(message: Message, ext: str):
    names = [
        f"lms_notify_email/{message.event}.{message.locale}.{ext}",
        f"lms_notify_email/message.{message.locale}.{ext}",
        f"lms_notify_email/message.{ext}",
    ]
    try:
        return current_app.jinja_env.get_or_select_template(names)
    except TemplateNotFound as exc:
        raise PermanentError("no email template") from exc


def message_id(message: Message) -> str:
    domain = (current_app.config.get("MAIL_FROM") or "lms@localhost").rpartition("@")[2]
    return f"<{message.message_uuid}@{domain or 'localhost'}>"


class EmailChannel(Channel):
    """One SMTP connection is kept for a batch of deliveries and closed by :meth:`close`."""

    key = "email"
    label = _l("Email")
    push = True

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None
        self._templates: dict[tuple[str, str, str], object] = {}  # looked up once per batch

    def render(self, message: Message, ext: str) -> str:
        key = (message.event, message.locale, ext)
        if key not in self._templates:
            self._templates[key] = _template(message, ext)
        with force_locale(message.locale):
            return self._templates[key].render(
                m=message, site_name=current_app.config.get("SITE_NAME", "LMS")
            )

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            cfg = current_app.config
            smtp = smtplib.SMTP(cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=30)
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD", ""))
            self._smtp = smtp
        return self._smtp

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def close(self) -> None:
        """End the batch: say QUIT and close the connection."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _transmit(self, msg) -> None:
        if not current_app.config.get("SMTP_HOST"):
            mail.send(msg)  # the embedded default: the instance mail folder
            return
        try:
            self._connection().send_message(msg)
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:
                self._drop()
            raise
        except (smtplib.SMTPServerDisconnected, OSError):
            self._drop()
            raise

    def reachable(self, user_ids: list[int]) -> set[int]:
        from sqlalchemy import select

        from lms.models import User

        return set(
            db.session.scalars(
                select(User.id).where(User.id.in_(user_ids), User.email.is_not(None))
            )
        )

    def send(self, message: Message) -> None:
        if not message.email:
            raise PermanentError("the user has no email address")
        msg = mail.build_message(
            message.email,
            message.subject,
            self.render(message, "txt"),
            self.render(message, "html"),
        )
        msg.replace_header("Message-ID", message_id(message))
        msg["Date"] = formatdate(localtime=False)
        msg["X-LMS-Delivery"] = message.key
        try:
            self._transmit(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [c for c, _m in exc.recipients.values()]
            if all(400 <= c < 500 for c in codes):
                raise TransientError(f"SMTP {codes}") from exc
            raise PermanentError(f"SMTP {codes}") from exc
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TransientError(f"SMTP {exc.smtp_code}") from exc
            raise PermanentError(f"SMTP {exc.smtp_code}") from exc
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as exc:
            raise TransientError(type(exc).__name__) from exc


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")


@hookimpl
def lms_notify_channels(app):
    return [EmailChannel()]
