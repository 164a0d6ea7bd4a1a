"""Browser test at 360 px: a timed quiz survives a reload and a dropped connection; an
educator grades the essay and the gradebook updates."""

from __future__ import annotations

import re

import pytest

from lms.courses import add_enrolment
from lms.extensions import db
from tests import factories

pytestmark = pytest.mark.browser

GIFT = """::Capital::เมืองหลวงของประเทศไทยคือ? {=กรุงเทพฯ ~เชียงใหม่ ~ลำปาง}

::District::Which district is Doi Suthep in? {=Mueang Chiang Mai =เมืองเชียงใหม่}

::Essay::Write one sentence about your village. {}
"""


@pytest.fixture
def quiz_server(live_server):
    """The live server (migrated, demo data) plus a course with a timed three-question quiz."""
    from lms_quiz.testing import make_quiz

    with live_server.app.app_context():
        teacher = factories.user("educator", email="quiz-teacher@example.com")
        learner = factories.user(name="Somsri", email="quiz-learner@example.com")
        course = factories.course(teacher=teacher, lessons=0, title="Quiz course")
        add_enrolment(learner, course)
        activity, _quiz, _qs = make_quiz(
            course, GIFT, title="Timed quiz", time_limit=900, questions_per_page=0,
            shuffle_answers=False,
        )  # fmt: skip
        ids = {"activity": activity.id, "course": course.id}
        db.session.remove()
    return live_server.url, ids


def _login(page, base, email):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("form button[type=submit].wide")
    page.wait_for_url(re.compile(r".*(?<!login)$"))


def test_timed_quiz_reload_offline_submit_and_essay_grading(quiz_server, browser):
    from playwright.sync_api import expect

    base, ids = quiz_server
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    page = context.new_page()
    _login(page, base, "quiz-learner@example.com")
    page.goto(f"{base}/activity/{ids['activity']}")
    page.click("#quiz-start")
    page.wait_for_url(re.compile(r".*/quiz/attempt/\d+$"))
    attempt_url = page.url
    expect(page.locator("#quiz-timer")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    # nothing is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # answer two questions; each change is autosaved in the background
    with page.expect_response(lambda r: r.url.endswith("/autosave") and r.ok):
        page.get_by_label("กรุงเทพฯ").check()
    page.get_by_label("Answer", exact=True).fill("เมืองเชียงใหม่")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")

    # reload mid-attempt: the answers come back from the server
    page.reload()
    expect(page.get_by_label("กรุงเทพฯ")).to_be_checked()
    expect(page.get_by_label("Answer", exact=True)).to_have_value("เมืองเชียงใหม่")

    # the connection drops while the learner writes the essay
    page.route("**/autosave", lambda route: route.abort())
    page.get_by_label("Your answer").fill("หมู่บ้านของฉันอยู่ใกล้ดอย")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "offline")
    # a reload (still offline for autosave) restores the copy kept in localStorage
    page.reload()
    expect(page.get_by_label("Your answer")).to_have_value("หมู่บ้านของฉันอยู่ใกล้ดอย")
    page.unroute("**/autosave")
    with page.expect_response(lambda r: r.url.endswith("/autosave") and r.ok):
        page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")

    # submit and see the score
    page.click("#quiz-finish")
    page.wait_for_url(re.compile(r".*/review$"))
    expect(page.locator("body")).to_contain_text("Mark 1 out of 1")
    expect(page.locator("body")).to_contain_text("Waiting for grading")
    review_url = page.url
    assert attempt_url.rsplit("/", 1)[-1] in review_url

    # the educator grades the essay
    teacher_context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    teacher = teacher_context.new_page()
    _login(teacher, base, "quiz-teacher@example.com")
    teacher.goto(f"{base}/teach/quiz/course/{ids['course']}/grading")
    expect(teacher.locator("body")).to_contain_text("หมู่บ้านของฉันอยู่ใกล้ดอย")
    teacher.get_by_label(re.compile(r"^Mark")).fill("1")
    teacher.get_by_label("Comment for the learner").fill("ดีมาก")
    teacher.click("text=Save the mark")
    expect(teacher.locator("body")).to_contain_text("Nothing to grade.")
    teacher.goto(f"{base}/teach/quiz/course/{ids['course']}/gradebook")
    row = teacher.locator("#gradebook tbody tr", has_text="Somsri")
    expect(row).to_contain_text("10.00")

    # and the learner sees the final grade
    page.goto(review_url)
    expect(page.locator("#attempt-grade")).to_contain_text("10.00 / 10")
    expect(page.locator("body")).to_contain_text("ดีมาก")
    context.close()
    teacher_context.close()
