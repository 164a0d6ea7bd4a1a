"""Sending mail. Without ``SMTP_HOST`` a message is written to the instance mail folder instead
(the embedded default), and the log says where: never to whom."""

from __future__ import annotations

import logging
import os
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

log = logging.getLogger(__name__)


def build_message(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="lms.local")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def send(msg: EmailMessage) -> str | None:
    """Send ``msg`` by SMTP, or write it to ``MAIL_FOLDER``. Returns the file path if written."""
    cfg = current_app.config
    if cfg.get("SMTP_HOST"):
        with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=30) as smtp:
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD", ""))
            smtp.send_message(msg)
        return None
    folder = cfg["MAIL_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{uuid.uuid4().hex}.eml")
    with open(path, "wb") as fh:
        fh.write(bytes(msg))
    log.info("mail written to %s (no SMTP_HOST configured)", path)
    return path
