"""axe-core finds no WCAG 2.0/2.1 A or AA violation on the core pages (home, catalog, course,
lesson, quiz, sign-up, log-in, my learning), in Thai and English, on a phone (360 px) and a desktop
(1280 px), also with the elderly interface variant on; the lesson and the quiz work with the
keyboard alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from lms import courses
from lms.auth.services import create_user
from lms.demo import DEMO_USERS
from lms.extensions import db
from lms.models import Activity, Course, User
from tests.browser.axe import AXE_JS, axe_available, describe, run_axe
from tests.browser.helpers import (
    assert_fits,
    log_in,
    new_page,
    progress_value,
    set_language,
    shot,
)
from tests.conftest import require

pytestmark = pytest.mark.browser

DEMO = {role: (email, password) for role, _name, email, password, _roles in DEMO_USERS}
GARDEN = "ปลูกผักสวนครัวในกระถาง"
ELDERLY = ("คุณยายบัวคำ ใจงาม", "elderly-a11y@example.com", "grandma-password-2569")
#: The elderly group's seeded variant (lms_audience.prefs.SEED_VARIANTS) as body classes.
ELDERLY_CLASSES = ("a11y-text-larger", "a11y-contrast", "a11y-reduced-motion", "a11y-simple")
#: One question of each kind the quiz plugin ships, all on one page.
QUIZ_GIFT = """::Capital::เมืองหลวงของประเทศไทยคือ? {=กรุงเทพฯ ~เชียงใหม่ ~ลำปาง}

::Sun::The sun rises in the east. {T}

::District::Doi Suthep is in which district? {=Mueang Chiang Mai =เมืองเชียงใหม่}

::Districts::How many districts has Chiang Mai province? {#25:0}

::Pairs::Match each vegetable with its colour. {=Chilli -> red =Morning glory -> green =Pumpkin -> orange}

::Garden::Write one sentence about your garden. {}
"""


@dataclass
class Site:
    url: str
    course_id: int
    lesson_ids: list[int]
    quiz_id: int


@pytest.fixture(scope="module")
def site(shared_live_server) -> Site:
    """The demo site, with a quiz added to the garden course, and the demo learner and an
    elderly learner (75 years old: the elderly group's interface variant) enrolled in it."""
    from lms_audience.models import Profile
    from lms_quiz.testing import make_quiz

    with shared_live_server.app.app_context():
        course = db.session.scalar(select(Course).where(Course.title == GARDEN))
        quiz, _quiz, _questions = make_quiz(
            course, QUIZ_GIFT, title="แบบทดสอบสวนครัว", questions_per_page=0,
            shuffle_answers=False,
        )  # fmt: skip
        learner = db.session.scalar(select(User).where(User.email == DEMO["learner"][0]))
        courses.add_enrolment(learner, course)
        name, email, password = ELDERLY
        grandma = create_user(name, email, password, consent=True)
        today = date.today()
        born = date(today.year - 75, 1, 1)
        db.session.add(Profile(user_id=grandma.id, birth_date=born, district=""))
        courses.add_enrolment(grandma, course)
        lessons = [
            a.id
            for a in db.session.scalars(
                select(Activity)
                .where(Activity.course_id == course.id, Activity.content_type != "quiz")
                .order_by(Activity.id)
            )
        ]
        site = Site(shared_live_server.url, course.id, lessons, quiz.id)
        db.session.commit()
        db.session.remove()
    return site


@pytest.fixture
def axe_js():
    require(axe_available(), f"axe-core not found at {AXE_JS} (make install puts it there)")


def _submit_empty(page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.locator(".error").count() > 0, "no error shown"


def _wrong_login(page) -> None:
    page.locator("input[name=email]").fill(DEMO["learner"][0])
    page.locator("input[name=password]").fill("not the password")
    _submit_empty(page)


def _open_attempt(page) -> None:
    """Start the quiz (or continue the attempt already open): the attempt page."""
    with page.expect_navigation():
        page.locator("#quiz-start").click()
    assert "/quiz/attempt/" in page.url, page.url
    assert page.locator("#quiz-finish").count() == 1


# (who, page name, path, then): each page as the person who would see it; ``then`` brings the
# page into another state first (a form sent back with its errors, a quiz attempt opened).
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
        ("learner", "quiz", f"/activity/{site.quiz_id}", None),
        ("learner", "quiz attempt", f"/activity/{site.quiz_id}", _open_attempt),
        ("learner", "my learning", "/my", None),
        ("learner", "profile", "/profile", None),
        ("educator", "teach course editor", f"/teach/{site.course_id}", None),
        ("educator", "new course form", "/teach/new", None),
    ]


# The learner's pages as the elderly learner sees them: large text, high contrast, reduced
# motion, simplified navigation (her group's variant).
def _elderly_pages(site: Site) -> list[tuple]:
    return [
        ("elderly", "home", "/", None),
        ("elderly", "catalog", "/courses?q=%E0%B8%9C%E0%B8%B1%E0%B8%81", None),
        ("elderly", "course (enrolled)", f"/courses/{site.course_id}", None),
        ("elderly", "lesson", f"/activity/{site.lesson_ids[0]}", None),
        ("elderly", "quiz", f"/activity/{site.quiz_id}", None),
        ("elderly", "quiz attempt", f"/activity/{site.quiz_id}", _open_attempt),
        ("elderly", "my learning", "/my", None),
        ("elderly", "profile", "/profile", None),
    ]


def _credentials(who: str) -> tuple[str, str]:
    if who == "elderly":
        return ELDERLY[1], ELDERLY[2]
    return DEMO[who]


def _body_classes(page) -> set[str]:
    return set((page.locator("body").get_attribute("class") or "").split())


def _check_pages(
    browser, site: Site, pages_to_check: list[tuple], lang: str, width: int, screenshots
) -> None:
    """Visit each page as its person and collect every axe violation; fail with all of them."""
    pages = {}
    for who in dict.fromkeys(who for who, *_rest in pages_to_check):
        page = new_page(browser, site.url, width=width, height=800)
        if who != "anonymous":
            log_in(page, *_credentials(who))
        set_language(page, lang)
        pages[who] = page
    problems: dict[str, str] = {}
    try:
        for who, name, path, then in pages_to_check:
            page = pages[who]
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{name}: {path}"
            if then is not None:
                then(page)
            assert page.locator("html").get_attribute("lang") == lang
            classes = _body_classes(page)
            if who == "elderly":  # the variant really is on, or this proves nothing
                missing = set(ELDERLY_CLASSES) - classes
                assert not missing, f"{name}: elderly variant classes missing: {missing}"
                font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
                assert font >= 22, f"{name}: body text is {font}px with the elderly variant"
            else:
                assert not classes & set(ELDERLY_CLASSES), f"{name} ({who}): {classes}"
            assert_fits(page, width)
            shot(page, screenshots, f"a11y-{who}-{name}-{lang}-{width}")
            violations = run_axe(page)
            if violations:
                problems[f"{name} ({path})"] = describe(violations)
    finally:
        for page in pages.values():
            page.context.close()
    report = "\n".join(f"{name}:\n{text}" for name, text in problems.items())
    assert not problems, f"axe found WCAG problems ({lang}, {width}px):\n{report}"


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["th", "en"])
def test_core_pages_have_no_wcag_violations(browser, site, axe_js, screenshots, lang, width):
    _check_pages(browser, site, _pages(site), lang, width, screenshots)


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["th", "en"])
def test_elderly_variant_pages_have_no_wcag_violations(
    browser, site, axe_js, screenshots, lang, width
):
    _check_pages(browser, site, _elderly_pages(site), lang, width, screenshots)


def _tab_to(page, selector: str, what: str) -> None:
    """Press Tab until the element matching ``selector`` has the focus (bounded)."""
    for _ in range(120):  # a few dozen focusable things at most
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"Tab never reached {what}")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", f"{what} shows no focus outline"


@pytest.mark.parametrize(("who", "key"), [("learner", "Enter"), ("elderly", "Space")])
def test_lesson_can_be_completed_with_the_keyboard(browser, site, who, key):
    page = new_page(browser, site.url)
    log_in(page, *_credentials(who))
    page.goto(f"/activity/{site.lesson_ids[1]}")
    if who == "elderly":
        assert set(ELDERLY_CLASSES) <= _body_classes(page)
    before = progress_value(page)
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.className")
    assert "skip-link" in first, "the first Tab reaches the skip link"
    _tab_to(page, "#mark-complete", "the 'Mark as complete' button")
    with page.expect_navigation():
        page.keyboard.press(key)
    assert progress_value(page) > before
    assert page.locator("#mark-complete").count() == 0
    page.context.close()


@pytest.mark.parametrize("who", ["learner", "elderly"])
def test_quiz_can_be_taken_with_the_keyboard(browser, site, axe_js, who):
    """Start (Enter), answer (Space on a radio button, typing) and submit (Space) a quiz without
    the mouse; the review page then passes axe too."""
    page = new_page(browser, site.url, width=360)
    log_in(page, *_credentials(who))
    set_language(page, "en")
    page.goto(f"/activity/{site.quiz_id}")
    page.keyboard.press("Tab")
    assert "skip-link" in page.evaluate("document.activeElement.className")
    _tab_to(page, "#quiz-start", "the start button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/quiz/attempt/" in page.url
    if who == "elderly":
        assert set(ELDERLY_CLASSES) <= _body_classes(page)
    # the first question's first choice (not shuffled: the right one), chosen with Space
    first = page.locator("#question-0 input[type=radio]").first
    assert page.locator("#question-0 input[type=radio]:checked").count() == 0
    _tab_to(page, "#question-0 input[type=radio]", "the first question's choices")
    assert first.evaluate("(el) => el === document.activeElement"), "Tab enters at the first"
    page.keyboard.press("Space")
    assert first.is_checked(), "Space chose the focused answer"
    _tab_to(page, "#question-2 input[type=text]", "the short-answer field")
    page.keyboard.type("Mueang Chiang Mai")
    _tab_to(page, "#quiz-finish", "the finish button")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.url.endswith("/review"), page.url
    assert page.get_by_text("Mark 1 out of 1").count() >= 2, page.locator("main").inner_text()
    violations = run_axe(page)
    assert violations == [], f"quiz review ({who}):\n{describe(violations)}"
    assert_fits(page, 360)
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
