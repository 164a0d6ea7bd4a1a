"""Home page, language switch and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select

from lms.courses import catalog_query
from lms.extensions import db
from lms.utils import safe_next_url

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    latest = list(db.session.scalars(catalog_query().limit(6)))
    return render_template("home.html", courses=latest)


@bp.route("/lang/<code>")
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next_url() or url_for("main.home"))


@bp.route("/healthz")
def health():
    db.session.execute(select(1))
    return {"status": "ok"}
