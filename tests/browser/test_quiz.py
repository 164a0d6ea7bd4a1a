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


def test_educator_writes_a_question_at_360px(quiz_server, browser):
    """The question editor on a phone: errors beside the field, preview, save; no WCAG 2.1 AA
    violation and nothing wider than the screen."""
    from playwright.sync_api import expect

    from tests.browser.axe import axe_available, describe, run_axe

    base, ids = quiz_server
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    page = context.new_page()
    _login(page, base, "quiz-teacher@example.com")
    page.goto(f"{base}/teach/quiz/course/{ids['course']}/bank")
    page.click("#new-question")
    page.get_by_role("link", name="Multiple choice").click()
    page.wait_for_url(re.compile(r".*qtype=multichoice$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("Question text").fill("จังหวัดใดอยู่ภาคเหนือ?")
    page.locator("#answers-0-text").fill("เชียงราย")
    page.locator("#answers-1-text").fill("ชลบุรี")
    page.get_by_role("button", name="Save", exact=True).click()
    # no answer has a weight yet: the message sits beside the answers, nothing saved
    expect(page.locator("#answers-error")).to_be_visible()
    expect(page.locator("#answers")).to_have_attribute("aria-describedby", "answers-error")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if axe_available():
        violations = run_axe(page)
        assert not violations, describe(violations)
    page.locator("#answers-0-fraction").fill("100")
    page.locator("#answers-0-feedback").fill("ถูกต้อง")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#question-preview")).to_contain_text("จังหวัดใดอยู่ภาคเหนือ?")
    expect(page.locator("#question-preview").get_by_label("เชียงราย")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r".*/bank$"))
    expect(page.locator("main")).to_contain_text("จังหวัดใดอยู่ภาคเหนือ?")
    context.close()


def test_learner_checks_an_answer_during_the_attempt_at_360px(live_server, browser):
    """Immediate feedback: Check locks the answer and shows its mark and feedback on the page."""
    from lms_quiz.testing import make_quiz
    from playwright.sync_api import expect

    from tests.browser.axe import axe_available, describe, run_axe

    with live_server.app.app_context():
        learner = factories.user(name="Ploy", email="check-learner@example.com")
        course = factories.course(lessons=0, title="Check course")
        add_enrolment(learner, course)
        activity, _quiz, _qs = make_quiz(
            course, "::Q::ดอยสุเทพอยู่จังหวัดใด? {=เชียงใหม่#ถูกต้อง ~ลำพูน#ยังไม่ใช่}\n\n::R::Sun? {T}",
            title="Check quiz", questions_per_page=0, shuffle_answers=False,
            review_marks="during", review_feedback="during", review_correct="during",
        )  # fmt: skip
        activity_id = activity.id
        db.session.remove()
    base = live_server.url
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    page = context.new_page()
    _login(page, base, "check-learner@example.com")
    page.goto(f"{base}/activity/{activity_id}")
    page.click("#quiz-start")
    page.wait_for_url(re.compile(r".*/quiz/attempt/\d+$"))
    page.get_by_label("ลำพูน").check()
    page.click("#check-0")
    expect(page.locator("#checked-0")).to_contain_text("ยังไม่ใช่")
    expect(page.locator("#checked-0")).to_contain_text("Mark 0 out of 1")
    expect(page.locator("#checked-0")).to_contain_text("เชียงใหม่")  # the right answer: "during"
    expect(page.get_by_label("ลำพูน")).to_be_disabled()
    expect(page.locator("#check-1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if axe_available():
        violations = run_axe(page)
        assert not violations, describe(violations)
    context.close()
