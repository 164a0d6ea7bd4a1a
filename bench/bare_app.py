"""The bare baseline: Flask + Flask-SQLAlchemy, no hooks, no plugins, no theme chain.

It answers ``GET /activity/<id>`` for a logged-in learner with the same page the LMS shows
(tests/unit/test_bench_bare.py compares the two, word for word, in Thai and in English), doing
the same work the way a small hand-written app would: plain SQL, one template, no cache. That
work is: the session's user, with their own accessibility preferences and the variants of the
audience groups their age, their chosen groups, their organisations and their email domain put
them in (the page's body classes); the activity, its course and the learner's enrolment; the
page body; the completion row; the course's outline (previous and next lesson, position) and
progress; the count of unread in-site notifications (the bell); and Flask-WTF's CSRF token for
the page's forms. Like the LMS it shows the HTML the page stored when it was saved
(lms_page/stored.py) while its rendering version is current, and otherwise keeps the HTML of the
512 most recent lesson texts per process (lms/html.py), so the comparison measures the hooks,
plugins and themes, not a cache.

Its words come from the LMS's own compiled catalogues (read once at start), so both apps say
the same thing in each language. It serves learners only: a teacher's preview, locked lessons
and content types other than text pages are the LMS's alone. ``bench/run.py`` serves it beside
the LMS and reports the LMS's throughput and latency as ratios to it.

Run: ``LMS_DATABASE_URL=... LMS_SECRET_KEY=... gunicorn 'bench.bare_app:create_app()'``
"""

from __future__ import annotations

import os
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import nh3
from babel.support import Translations
from flask import Flask, abort, current_app, render_template, request, session
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import generate_csrf
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import text

from lms.html import RENDER_VERSION
from lms.settings import _coerce

ROOT = Path(__file__).resolve().parent.parent
db = SQLAlchemy()
_md = MarkdownIt("commonmark", {"html": True}).enable("table")
TIMEZONE = ZoneInfo("Asia/Bangkok")
LANGUAGES = ("th", "en")

#: The catalogues the page's words come from: the core's, the workshops' and the bell's.
CATALOGUES = [
    ROOT / "lms" / "translations",
    ROOT / "plugins" / "lms_outreach" / "lms_outreach" / "translations",
    ROOT / "plugins" / "lms_notify_inapp" / "lms_notify_inapp" / "translations",
]
WORDS = (
    "Skip to content",
    "Main",
    "Courses",
    "My learning",
    "Workshops",
    "Notifications",
    "Notifications (%(n)s unread)",
    "Profile",
    "Log out",
    "Breadcrumb",
    "Lesson %(n)s of %(count)s",
    "Completion",
    "You completed this lesson.",
    "Mark as not done",
    "Mark as complete",
    "This lesson is marked complete automatically.",
    "Course progress",
    "%(done)s of %(total)s done (%(percent)s%%)",
    "Lessons",
    "Previous",
    "All lessons",
    "Next",
    "Language",
)
#: Static files the page links, with their modification time as the cache-busting version.
STATIC = {
    "lms_css": ("/static/lms.css", ROOT / "lms" / "static" / "lms.css"),
    "theme_css": (
        "/themes/default/static/theme.css",
        ROOT / "themes" / "default" / "static" / "theme.css",
    ),
    "a11y_css": (
        "/plugins/lms_audience/static/a11y.css",
        ROOT / "plugins" / "lms_audience" / "lms_audience" / "static" / "a11y.css",
    ),
}
# The audience plugin's preference fields and body classes (lms_audience/prefs.py), copied:
# importing the plugin would hang its session listeners on the baseline's database session.
# tests/unit/test_bench_bare.py fails if the two drift apart.
PREF_FIELDS = ("text_size", "high_contrast", "reduced_motion", "simple_nav", "picture_led")
FLAG_CLASSES = {
    "high_contrast": "a11y-contrast",
    "reduced_motion": "a11y-reduced-motion",
    "simple_nav": "a11y-simple",
    "picture_led": "a11y-pictures",
}


# The LMS keeps the sanitised HTML of its 512 most recent lesson texts per process
# (lms/html.py); the baseline does the same, so the comparison leaves that out.
def _render(text: str) -> str:
    return nh3.clean(_md.render(text))


_render_cached = lru_cache(maxsize=512)(_render)


def _html(text: str) -> str:
    return _render_cached(text) if len(text) <= 64_000 else _render(text)


def _words(locale: str) -> dict[str, str]:
    """The page's words in ``locale``, looked up once in the LMS's catalogues."""
    found = Translations()
    for folder in CATALOGUES:
        found.merge(Translations.load(str(folder), [locale]))
    return {w: found.ugettext(w) for w in WORDS}


def create_app() -> Flask:
    app = Flask(__name__, template_folder="bare_templates")
    url = os.environ["LMS_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app.config.update(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=os.environ["LMS_SECRET_KEY"])
    # The staff-domain rule's setting, read from the environment as the LMS reads it (a comma
    # list or a JSON list); a value set only in the instance's lms.cfg is the LMS's alone.
    staff = _coerce(os.environ.get("LMS_AUDIENCE_STAFF_DOMAINS", ""), [])
    app.config["STAFF_DOMAINS"] = [d.strip().lower().lstrip("@") for d in staff if d.strip()]
    app.config["WORDS"] = {code: _words(code) for code in LANGUAGES}
    app.config["STATIC_URLS"] = {
        key: f"{href}?v={int(path.stat().st_mtime)}" for key, (href, path) in STATIC.items()
    }
    db.init_app(app)
    app.add_url_rule("/activity/<int:activity_id>", view_func=lesson)
    return app


def _age(birth: date | str | None) -> int | None:
    if birth is None:
        return None
    if isinstance(birth, str):  # SQLite hands plain SQL its dates as text
        birth = date.fromisoformat(birth[:10])
    today = datetime.now(TIMEZONE).date()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _is_staff(email: str, domains: list[str]) -> bool:
    _local, at, domain = (email or "").lower().rpartition("@")
    return bool(at) and any(domain == d or domain.endswith("." + d) for d in domains)


def _body_classes(q: Any, user: Any, staff_domains: list[str]) -> str:
    """The learner's own preferences, the rest from their groups' variants (in group order)."""
    values = {f: getattr(user, f) for f in PREF_FIELDS}
    if any(v is None for v in values.values()):
        age = _age(user.birth_date)
        variants = q(
            text(
                "SELECT v.text_size, v.high_contrast, v.reduced_motion, v.simple_nav, "
                "v.picture_led FROM lms_audience_group g "
                "JOIN lms_audience_group_variant v ON v.group_code = g.code "
                "WHERE NOT g.retired AND ("
                " g.code IN (SELECT group_code FROM lms_audience_profile_group WHERE user_id = :u)"
                " OR g.code IN (SELECT og.group_code FROM lms_audience_org_member m"
                "  JOIN lms_audience_org_group og ON og.org_id = m.org_id WHERE m.user_id = :u)"
                " OR (:age >= 0 AND (g.min_age IS NOT NULL OR g.max_age IS NOT NULL)"
                "  AND (g.min_age IS NULL OR :age >= g.min_age)"
                "  AND (g.max_age IS NULL OR :age <= g.max_age))"
                " OR (:staff AND g.code = 'staff')) "
                "ORDER BY g.position, g.code"
            ),
            {
                "u": user.id,
                "age": -1 if age is None else age,
                "staff": _is_staff(user.email, staff_domains),
            },
        )
        for variant in variants:
            for f in PREF_FIELDS:
                if values[f] is None and getattr(variant, f) is not None:
                    values[f] = getattr(variant, f)
    out = []
    if values["text_size"] in ("large", "larger"):
        out.append(f"a11y-text-{values['text_size']}")
    out += [cls for f, cls in FLAG_CLASSES.items() if values[f]]
    return " ".join(out)


def lesson(activity_id: int):
    user_id = session.get("_user_id")
    if not user_id:
        abort(401)
    q = db.session.execute
    user = q(
        text(
            "SELECT u.id, u.name, u.email, u.locale, p.birth_date, pr.text_size, "
            "pr.high_contrast, pr.reduced_motion, pr.simple_nav, pr.picture_led "
            'FROM "user" u LEFT JOIN lms_audience_profile p ON p.user_id = u.id '
            "LEFT JOIN lms_audience_prefs pr ON pr.user_id = u.id WHERE u.id = :id"
        ),
        {"id": int(user_id)},
    ).first()
    activity = q(
        text("SELECT id, course_id, title, completion FROM activity WHERE id = :id"),
        {"id": activity_id},
    ).first()
    if user is None or activity is None:
        abort(404)
    course = q(
        text("SELECT id, title, language FROM course WHERE id = :id"), {"id": activity.course_id}
    ).first()
    enrolled = q(
        text("SELECT role FROM enrolment WHERE user_id = :u AND course_id = :c"),
        {"u": user.id, "c": course.id},
    ).first()
    if enrolled is None or enrolled.role != "learner":
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
    unread = q(
        text(
            "SELECT count(*) FROM lms_notify_inapp_message WHERE user_id = :u AND read_at IS NULL"
        ),
        {"u": user.id},
    ).scalar()
    index = siblings.index(activity_id)
    locale = user.locale if user.locale in LANGUAGES else "th"
    here = request.full_path if request.query_string else request.path
    return render_template(
        "lesson.html",
        w=current_app.config["WORDS"][locale],
        static=current_app.config["STATIC_URLS"],
        locale=locale,
        body_classes=_body_classes(q, user, current_app.config["STAFF_DOMAINS"]),
        unread=unread,
        csrf=generate_csrf(),
        next_query=urlencode({"next": here}, safe="!$'()*,/:;?@"),
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
