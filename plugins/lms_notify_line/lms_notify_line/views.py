from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from lms.extensions import csrf, db
from lms.models.base import utcnow
from lms_notify_line.models import LineLink

bp = Blueprint("lms_notify_line", __name__, url_prefix="/notify/line")


@bp.route("/", methods=["GET", "POST"])
@login_required
def link():
    row = db.session.get(LineLink, current_user.id)
    form = FlaskForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        row = row or LineLink(user_id=current_user.id)
        if request.form.get("action") == "unlink":
            row.line_user_id, row.linked_at, row.code = None, None, None
            flash(_("Your LINE account is no longer linked."), "success")
        else:
            row.code = f"LMS-{secrets.randbelow(10**6):06d}"
        db.session.add(row)
        db.session.commit()
        return redirect(url_for(".link"))
    return render_template("lms_notify_line/link.html", row=row, form=form)


def signature_ok(body: bytes, signature: str) -> bool:
    secret = current_app.config.get("LINE_CHANNEL_SECRET") or ""
    if not secret:
        return False
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), signature or "")


@bp.route("/webhook", methods=["POST"])
@csrf.exempt
def webhook():
    body = request.get_data()
    if not signature_ok(body, request.headers.get("X-Line-Signature", "")):
        abort(403)
    try:
        events = json.loads(body).get("events", [])
    except ValueError:
        abort(400)
    for ev in events:
        text = ((ev.get("message") or {}).get("text") or "").strip().upper()
        line_id = (ev.get("source") or {}).get("userId")
        if ev.get("type") != "message" or not text.startswith("LMS-") or not line_id:
            continue
        row = db.session.scalar(db.select(LineLink).where(LineLink.code == text))
        if row is not None:
            row.line_user_id, row.linked_at, row.code = line_id, utcnow(), None
    db.session.commit()
    return "", 200
