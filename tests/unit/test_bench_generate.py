"""``lms bench generate`` (issue 10): the core's rows, every plugin's through
``lms_bench_generate``, and a failing plugin that stops the run with nothing kept."""

from __future__ import annotations

import re

from lms_page.models import Page
from sqlalchemy import func, select

from lms import hookimpl
from lms.benchmark import BENCH_PASSWORD, SIZES
from lms.extensions import db
from lms.html import RENDER_VERSION
from lms.models import Activity, ActivityProgress, Course, Enrolment, User


def _generate(app) -> str:
    result = app.test_cli_runner().invoke(args=["bench", "generate", "--size", "XS"])
    assert result.exit_code == 0, result.output
    return result.output


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_xs_site_has_the_sizes_rows_and_each_plugins_tables(app):
    output = _generate(app)
    size = SIZES["XS"]
    assert _count(User) == size.learners + 1
    assert _count(Course) == size.courses
    # Every lesson body is its own text, in the course's language, as educators write them.
    bodies = db.session.scalars(select(Page.body)).all()
    lessons = db.session.scalar(
        select(func.count()).select_from(Activity).where(Activity.content_type == "page")
    )
    assert len(bodies) == lessons > 0
    assert len(set(bodies)) == len(bodies)
    assert all(b.startswith("## ") and len(b) > 400 for b in bodies)
    thai = db.session.scalars(
        select(Page.body).join(Activity).join(Course).where(Course.language == "th")
    ).all()
    assert thai and all(re.search("[\u0e00-\u0e7f]", b) for b in thai)
    # Each page's HTML is stored as a save stores it (lms_page/stored.py), the body rendered.
    stored = db.session.execute(select(Page.body, Page.html, Page.html_version)).all()
    assert {v for _b, _h, v in stored} == {RENDER_VERSION}
    assert all(h.startswith("<h2>") and h.count("<p>") >= 2 for _b, h, _v in stored)
    # The core's progress rows, and the quiz plugin's completions on top of them.
    printed = dict(re.findall(r"^\s+(\w+)\s+([\d,]+)$", output, re.M))
    assert int(printed["activity_progress"].replace(",", "")) == _count(ActivityProgress)
    assert int(printed["activity"].replace(",", "")) == _count(Activity)
    # Each first-party plugin added its own rows.
    for table in ("lms_audience_profile", "lms_quiz_attempt", "lms_outreach_event"):
        assert int(printed[table].replace(",", "")) > 0, table
    assert int(printed["lms_outreach_event"].replace(",", "")) == size.participation_rows
    # Every learner consented to the current privacy notice, as at sign-up.
    versions = set(db.session.scalars(select(User.consent_version)))
    assert versions == {str(app.config.get("PRIVACY_POLICY_VERSION", "1"))}


def test_a_bench_learner_signs_in_and_reads_a_lesson(app, client):
    _generate(app)
    # the first learner with a password: children's accounts sign in with their child login
    # (tests/unit/test_bench_audience.py)
    enrolment = db.session.scalars(
        select(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.role == "learner", User.password_hash.is_not(None))
        .order_by(Enrolment.id)
    ).first()
    user = db.session.get(User, enrolment.user_id)
    lesson = db.session.scalars(
        select(Activity).where(
            Activity.course_id == enrolment.course_id, Activity.content_type == "page"
        )
    ).first()
    resp = client.post("/login", data={"email": user.email, "password": BENCH_PASSWORD})
    assert resp.status_code == 302, resp.text
    page = client.get(f"/activity/{lesson.id}")
    assert page.status_code == 200
    assert lesson.title in page.text


class BrokenBench:
    @hookimpl
    def lms_bench_generate(self, app, site):
        raise RuntimeError("no rows today")


def test_a_plugin_that_fails_stops_the_run_and_nothing_is_kept(app):
    app.extensions["lms"].plugins.pm.register(BrokenBench(), name="broken_bench")
    result = app.test_cli_runner().invoke(args=["bench", "generate", "--size", "XS"])
    assert result.exit_code == 1
    assert "plugin broken_bench failed to add its rows" in result.output
    assert "no rows today" in result.output
    assert "Nothing was kept" in result.output
    db.session.rollback()
    assert _count(Course) == 0 and _count(ActivityProgress) == 0
