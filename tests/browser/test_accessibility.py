"""axe-core finds no WCAG 2.0/2.1 A or AA violation on the core pages, in Thai and English,
on a phone (360 px) and a desktop (1280 px); the lesson page works with the keyboard alone."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from lms import courses
from lms.demo import DEMO_USERS
from lms.extensions import db
from lms.models import Activity, Course, User
from tests.browser.axe import AXE_JS, axe_available, describe, run_axe
from tests.browser.helpers import assert_fits, log_in, new_page, progress_value, set_language
from tests.conftest import require

pytestmark = pytest.mark.browser

DEMO = {role: (email, password) for role, _name, email, password, _roles in DEMO_USERS}
GARDEN = "ปลูกผักสวนครัวในกระถาง"


@dataclass
class Site:
    url: str
    course_id: int
    lesson_ids: list[int]


@pytest.fixture(scope="module")
def site(shared_live_server) -> Site:
    """The demo site, with the demo learner enrolled in the garden course."""
    with shared_live_server.app.app_context():
        course = db.session.scalar(select(Course).where(Course.title == GARDEN))
        learner = db.session.scalar(select(User).where(User.email == DEMO["learner"][0]))
        courses.add_enrolment(learner, course)
        lessons = [
            a.id
            for a in db.session.scalars(
                select(Activity).where(Activity.course_id == course.id).order_by(Activity.id)
            )
        ]
        site = Site(shared_live_server.url, course.id, lessons)
        db.session.commit()
        db.session.remove()
    return site


@pytest.fixture
def axe_js():
    require(axe_available(), f"axe-core not found at {AXE_JS} (make install puts it there)")


def _submit_empty(page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def _wrong_login(page) -> None:
    page.locator("input[name=email]").fill(DEMO["learner"][0])
    page.locator("input[name=password]").fill("not the password")
    _submit_empty(page)


# (who, page name, path, then): each page as the person who would see it; ``then`` brings the
# page into another state first (a form sent back with its errors).
def _pages(site: Site) -> list[tuple]:
    return [
        ("anonymous", "home", "/", None),
        ("anonymous", "catalog", "/courses?q=%E0%B8%9C%E0%B8%B1%E0%B8%81", None),  # "ผัก"
        ("anonymous", "course", f"/courses/{site.course_id}", None),
        ("anonymous", "sign-up", "/signup", None),
        ("anonymous", "sign-up with errors", "/signup", _submit_empty),
        ("anonymous", "log-in", "/login", None),
        ("anonymous", "log-in with an error", "/login", _wrong_login),
        ("learner", "course (enrolled)", f"/courses/{site.course_id}", None),
        ("learner", "lesson", f"/activity/{site.lesson_ids[0]}", None),
        ("learner", "my learning", "/my", None),
        ("learner", "profile", "/profile", None),
        ("educator", "teach course editor", f"/teach/{site.course_id}", None),
        ("educator", "new course form", "/teach/new", None),
    ]


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["th", "en"])
def test_core_pages_have_no_wcag_violations(browser, site, axe_js, lang, width):
    pages = {}
    for who in ("anonymous", "learner", "educator"):
        page = new_page(browser, site.url, width=width, height=800)
        if who != "anonymous":
            log_in(page, *DEMO[who])
        set_language(page, lang)
        pages[who] = page
    problems: dict[str, str] = {}
    try:
        for who, name, path, then in _pages(site):
            page = pages[who]
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{name}: {path}"
            if then is not None:
                then(page)
                assert page.locator(".error").count() > 0, f"{name}: no error shown"
            assert page.locator("html").get_attribute("lang") == lang
            assert_fits(page, width)
            violations = run_axe(page)
            if violations:
                problems[f"{name} ({path})"] = describe(violations)
    finally:
        for page in pages.values():
            page.context.close()
    report = "\n".join(f"{name}:\n{text}" for name, text in problems.items())
    assert not problems, f"axe found WCAG problems ({lang}, {width}px):\n{report}"


def test_lesson_can_be_completed_with_the_keyboard(browser, site):
    page = new_page(browser, site.url)
    log_in(page, *DEMO["learner"])
    page.goto(f"/activity/{site.lesson_ids[1]}")
    before = progress_value(page)
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.className")
    assert "skip-link" in first, "the first Tab reaches the skip link"
    for _ in range(80):  # bounded: a few dozen focusable things at most
        if page.evaluate("document.activeElement.id") == "mark-complete":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reached the 'Mark as complete' button")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button shows a focus outline"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert progress_value(page) > before
    assert page.locator("#mark-complete").count() == 0
    page.context.close()


def test_course_text_is_marked_with_its_language(browser, site):
    """WCAG 3.1.2: a Thai course on an English page says it is Thai (screen readers switch)."""
    page = new_page(browser, site.url, width=1280, height=800)
    log_in(page, *DEMO["learner"])
    set_language(page, "en")
    page.goto("/")
    assert page.locator(".course-card", has_text=GARDEN).get_attribute("lang") == "th"
    assert page.locator(".course-card", has_text="Digital literacy").get_attribute("lang") == "en"
    page.goto(f"/courses/{site.course_id}")
    assert page.locator("h1").get_attribute("lang") == "th"
    page.goto(f"/activity/{site.lesson_ids[0]}")
    assert page.locator("article.lesson").get_attribute("lang") == "th"
    assert page.locator("html").get_attribute("lang") == "en"
    page.context.close()
