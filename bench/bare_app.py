"""The bare baseline: Flask + Flask-SQLAlchemy, no hooks, no plugins, no theme chain.

It answers ``GET /activity/<id>`` for a logged-in learner with the same work as the LMS lesson
page (session user, activity, course, enrolment check, page body rendered from Markdown and
sanitised, completion row, course progress, previous/next lesson) and the same markup, read
from the same database. Like the LMS it shows the HTML the page stored when it was saved
(lms_page/stored.py) while its rendering version is current, and otherwise keeps the HTML of
the 512 most recent lesson texts per process (lms/html.py), so the comparison measures the
hooks, plugins and themes, not a cache. ``bench/run.py`` serves it beside the LMS and reports
the LMS's throughput and latency as ratios to it.

Run: ``LMS_DATABASE_URL=... LMS_SECRET_KEY=... gunicorn 'bench.bare_app:create_app()'``
"""

from __future__ import annotations

import os
from functools import lru_cache

import nh3
from flask import Flask, abort, render_template, session
from flask_sqlalchemy import SQLAlchemy
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import text

from lms.html import RENDER_VERSION

db = SQLAlchemy()
_md = MarkdownIt("commonmark", {"html": True}).enable("table")


# The LMS keeps the sanitised HTML of its 512 most recent lesson texts per process
# (lms/html.py); the baseline does the same, so the comparison leaves that out.
def _render(text: str) -> str:
    return nh3.clean(_md.render(text))


_render_cached = lru_cache(maxsize=512)(_render)


def _html(text: str) -> str:
    return _render_cached(text) if len(text) <= 64_000 else _render(text)


def create_app() -> Flask:
    app = Flask(__name__, template_folder="bare_templates")
    url = os.environ["LMS_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app.config.update(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=os.environ["LMS_SECRET_KEY"])
    db.init_app(app)
    app.add_url_rule("/activity/<int:activity_id>", view_func=lesson)
    return app


def lesson(activity_id: int):
    user_id = session.get("_user_id")
    if not user_id:
        abort(401)
    q = db.session.execute
    user = q(
        text('SELECT id, name, locale FROM "user" WHERE id = :id'), {"id": int(user_id)}
    ).first()
    activity = q(
        text("SELECT id, course_id, title, completion FROM activity WHERE id = :id"),
        {"id": activity_id},
    ).first()
    if user is None or activity is None:
        abort(404)
    course = q(
        text("SELECT id, title FROM course WHERE id = :id"), {"id": activity.course_id}
    ).first()
    enrolled = q(
        text("SELECT role FROM enrolment WHERE user_id = :u AND course_id = :c"),
        {"u": user.id, "c": course.id},
    ).first()
    if enrolled is None:
        abort(403)
    page = q(
        text("SELECT body, html, html_version FROM lms_page_page WHERE activity_id = :id"),
        {"id": activity_id},
    ).first()
    body = ""
    if page is not None:  # the HTML stored at save, as the LMS shows it (lms_page/stored.py)
        body = page.html if page.html_version == RENDER_VERSION else _html(page.body)
    done = q(
        text("SELECT completed_at FROM activity_progress WHERE user_id = :u AND activity_id = :a"),
        {"u": user.id, "a": activity_id},
    ).first()
    siblings = [
        r.id
        for r in q(
            text(
                "SELECT a.id FROM activity a JOIN section s ON s.id = a.section_id "
                "WHERE a.course_id = :c AND a.is_visible ORDER BY s.position, a.position, a.id"
            ),
            {"c": course.id},
        )
    ]
    total = len(siblings)
    completed = q(
        text(
            "SELECT count(*) FROM activity_progress p JOIN activity a ON a.id = p.activity_id "
            "WHERE p.user_id = :u AND p.course_id = :c AND p.completed_at IS NOT NULL AND a.is_visible"
        ),
        {"u": user.id, "c": course.id},
    ).scalar()
    index = siblings.index(activity_id)
    return render_template(
        "lesson.html",
        user=user,
        course=course,
        activity=activity,
        body=Markup(body),
        done=done,
        percent=round(100 * completed / total) if total else 0,
        completed=completed,
        total=total,
        position=index + 1,
        prev_id=siblings[index - 1] if index > 0 else None,
        next_id=siblings[index + 1] if index + 1 < total else None,
    )
