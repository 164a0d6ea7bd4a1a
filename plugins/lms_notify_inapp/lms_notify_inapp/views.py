from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select, update

from lms.extensions import db
from lms.models.base import utcnow
from lms.utils import int_arg
from lms_notify_inapp import unread
from lms_notify_inapp.models import InappMessage

bp = Blueprint("lms_notify_inapp", __name__, url_prefix="/notify/inbox")
PAGE = 20


def _check_post() -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)


@bp.route("/")
@login_required
def inbox():
    page = max(int_arg("page", 1), 1)
    mine = InappMessage.user_id == current_user.id
    total = db.session.scalar(select(func.count(InappMessage.id)).where(mine)) or 0
    messages = list(
        db.session.scalars(
            select(InappMessage)
            .where(mine)
            .order_by(InappMessage.id.desc())
            .offset((page - 1) * PAGE)
            .limit(PAGE)
        )
    )
    pages = max((total + PAGE - 1) // PAGE, 1)
    return render_template("lms_notify_inapp/inbox.html", messages=messages, page=page, pages=pages)


@bp.route("/<int:message_id>/read", methods=["POST"])
@login_required
def mark_read(message_id: int):
    _check_post()
    m = db.session.get(InappMessage, message_id)
    if m is None or m.user_id != current_user.id:
        abort(404)
    if m.read_at is None:
        m.read_at = utcnow()
        unread.changed([current_user.id])
    url = m.url
    db.session.commit()
    if request.form.get("open") and url:
        return redirect(url)
    return redirect(url_for(".inbox"))


@bp.route("/read-all", methods=["POST"])
@login_required
def mark_all_read():
    _check_post()
    db.session.execute(
        update(InappMessage)
        .where(InappMessage.user_id == current_user.id, InappMessage.read_at.is_(None))
        .values(read_at=utcnow())
    )
    unread.changed([current_user.id])
    db.session.commit()
    return redirect(url_for(".inbox"))
