"""The email notification channel: SMTP (``SMTP_*`` settings), HTML and plain text.

Templates: ``lms_notify_email/<event>.<locale>.html`` / ``.txt`` if a theme or plugin provides
them, else ``lms_notify_email/message.<locale>.*`` (Thai and English ship here), else
``message.*``. The Message-ID is derived from the delivery's idempotency key, so a duplicate is
visible to whoever receives it. Without ``SMTP_HOST`` messages go to the instance mail folder.
"""

from __future__ import annotations

import base64
import contextlib
import queue
import smtplib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from jinja2 import TemplateNotFound
from lms_notify.channels import (
    Channel,
    Message,
    PermanentError,
    SkipDelivery,
    TransientError,
)

from lms import hookimpl, mail
from lms.extensions import db

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent
CRLF = "\r\n"


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


class _Raw:
    """Bytes that :func:`lms.mail.send` can write to the mail folder as they are."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def __bytes__(self) -> bytes:
        return self.raw


def message_id(message: Message) -> str:
    address = parseaddr(current_app.config.get("MAIL_FROM") or "lms@localhost")[1]
    domain = address.rpartition("@")[2]
    return f"<{message.message_uuid}@{domain or 'localhost'}>"


class Lane:
    """One SMTP connection, opened on first use and kept for the rest of the batch."""

    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.smtp: smtplib.SMTP | None = None

    def _connection(self) -> smtplib.SMTP:
        if self.smtp is None:
            cfg = self.cfg
            smtp = smtplib.SMTP(cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=30)
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD", ""))
            self.smtp = smtp
        return self.smtp

    def _drop(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def send(self, to: str, raw: bytes) -> None:
        """Send ``raw`` to ``to``; raise :class:`TransientError` or :class:`PermanentError`."""
        try:
            self._connection().sendmail(parseaddr(self.cfg["MAIL_FROM"])[1], [to], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [c for c, _m in exc.recipients.values()]
            if all(400 <= c < 500 for c in codes):
                raise TransientError(f"SMTP {codes}") from exc
            raise PermanentError(f"SMTP {codes}") from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:
                self._drop()
            if 400 <= exc.smtp_code < 500:
                raise TransientError(f"SMTP {exc.smtp_code}") from exc
            raise PermanentError(f"SMTP {exc.smtp_code}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TransientError(type(exc).__name__) from exc

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


Outcomes = list[tuple[Message, Exception | None]]
SMTP_KEYS = ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_USER", "SMTP_PASSWORD", "MAIL_FROM")


class EmailChannel(Channel):
    """SMTP connections are kept for a batch of deliveries and closed by :meth:`close`;
    :meth:`send_many` sends a batch over ``NOTIFY_EMAIL_CONNECTIONS`` (4) connections at once."""

    key = "email"
    label = _l("Email")
    push = True

    def __init__(self) -> None:
        self._lanes: list[Lane] = []
        self._templates: dict[tuple[str, str, str], object] = {}  # looked up once per batch

    def render(self, message: Message, ext: str) -> str:
        key = (message.event, message.locale, ext)
        if key not in self._templates:
            self._templates[key] = _template(message, ext)
        with force_locale(message.locale):
            return self._templates[key].render(
                m=message, site_name=current_app.config.get("SITE_NAME", "LMS")
            )

    def _lane(self, i: int) -> Lane:
        while len(self._lanes) <= i:
            self._lanes.append(Lane({k: current_app.config.get(k) for k in SMTP_KEYS}))
        return self._lanes[i]

    def close(self) -> None:
        """End the batch: say QUIT and close every connection."""
        lanes, self._lanes = self._lanes, []
        for lane in lanes:
            lane.close()

    def reachable(self, user_ids: list[int]) -> set[int]:
        from sqlalchemy import select

        from lms.models import User

        return set(
            db.session.scalars(
                select(User.id).where(User.id.in_(user_ids), User.email.is_not(None))
            )
        )

    def build(self, message: Message) -> bytes:
        """The message as SMTP bytes (CRLF): text and HTML alternatives in UTF-8, Message-ID
        from the idempotency key.

        Written out directly rather than through ``email.message``: with 10,000 messages in
        one announcement the generic generator cost more than the SMTP conversation."""
        name, addr = parseaddr(current_app.config["MAIL_FROM"])
        subject = " ".join(message.subject.split())
        charset = "us-ascii" if subject.isascii() else "utf-8"
        boundary = "=_lms_" + message.message_uuid.replace("-", "")
        head = [
            f"From: {formataddr((name, addr), charset='utf-8')}",
            f"To: {message.email}",
            f"Subject: {Header(subject, charset).encode(linesep=CRLF)}",
            f"Message-ID: {message_id(message)}",
            f"Date: {formatdate(localtime=False)}",
            f"X-LMS-Delivery: {message.key}",
            "MIME-Version: 1.0",
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
        ]
        out = [CRLF.join(head).encode("ascii"), b""]
        for subtype, ext in (("plain", "txt"), ("html", "html")):
            body = base64.encodebytes(self.render(message, ext).encode("utf-8"))
            out += [
                f"--{boundary}".encode(),
                f'Content-Type: text/{subtype}; charset="utf-8"'.encode(),
                b"Content-Transfer-Encoding: base64",
                b"",
                body.replace(b"\n", b"\r\n"),
            ]
        out.append(f"--{boundary}--".encode())
        return b"\r\n".join(out) + b"\r\n"

    def prepare(self, message: Message) -> bytes:
        """Check the address and build the message (in the app context)."""
        if not message.email:
            raise PermanentError("the user has no email address")
        if is_reserved(message.email):
            raise SkipDelivery("address in the reserved .invalid domain")
        if any(c in message.email for c in "\r\n<>,") or "@" not in message.email:
            raise PermanentError("not a single email address")
        return self.build(message)

    def send(self, message: Message) -> None:
        raw = self.prepare(message)
        if not current_app.config.get("SMTP_HOST"):
            mail.send(_Raw(raw))  # the embedded default: the instance mail folder
            return
        self._lane(0).send(message.email, raw)

    def send_many(
        self, messages: list[Message]
    ) -> Iterator[list[tuple[Message, Exception | None]]]:
        """Send ``messages`` over up to ``NOTIFY_EMAIL_CONNECTIONS`` SMTP connections at once;
        yield outcomes (``None`` for accepted) in groups as soon as they are known, so the
        caller records each acceptance before the batch goes on."""
        n = min(int(current_app.config.get("NOTIFY_EMAIL_CONNECTIONS", 4)), len(messages))
        if n <= 1 or not current_app.config.get("SMTP_HOST"):
            for m in messages:
                try:
                    self.send(m)
                except Exception as exc:
                    yield [(m, exc)]
                else:
                    yield [(m, None)]
            return
        lanes: queue.SimpleQueue[Lane] = queue.SimpleQueue()
        for i in range(n):
            lanes.put(self._lane(i))
        done: queue.SimpleQueue[tuple[Message, Exception | None]] = queue.SimpleQueue()

        def work(m: Message, raw: bytes) -> None:
            lane = lanes.get()
            try:
                lane.send(m.email or "", raw)
            except Exception as exc:
                done.put((m, exc))
            else:
                done.put((m, None))
            finally:
                lanes.put(lane)

        pending = 0
        with ThreadPoolExecutor(n, thread_name_prefix="lms-smtp") as pool:
            for m in messages:
                try:
                    raw = self.prepare(m)
                except Exception as exc:
                    yield [(m, exc)]
                    continue
                pool.submit(work, m, raw)
                pending += 1
                got = _drain(done, block=False)
                pending -= len(got)
                if got:
                    yield got
            while pending:
                got = _drain(done, block=True)
                pending -= len(got)
                yield got


def _drain(q: queue.SimpleQueue, block: bool) -> list:
    out = [q.get()] if block else []
    while True:
        try:
            out.append(q.get_nowait())
        except queue.Empty:
            return out


def is_reserved(address: str) -> bool:
    """True for an address in the reserved ``.invalid`` top-level domain (RFC 2606): child and
    deleted accounts get one, and no mail can ever reach it."""
    domain = address.rpartition("@")[2].strip().rstrip(".").lower()
    return domain == "invalid" or domain.endswith(".invalid")


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")


@hookimpl
def lms_notify_channels(app):
    return [EmailChannel()]
