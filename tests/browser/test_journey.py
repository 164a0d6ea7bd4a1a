"""The core journeys in a real browser on a 360 px phone screen.

A newcomer signs up, finds a Thai course by searching inside Thai text, enrols, completes a
lesson and watches the progress bar move; an educator builds and publishes a course that a
learner then finds. Every page visited fits the screen (no sideways scrolling).
"""

from __future__ import annotations

import pytest

from lms.demo import DEMO_USERS
from tests.browser.helpers import assert_fits, log_in, new_page, progress_value, shot

pytestmark = pytest.mark.browser

DEMO = {role: (email, password) for role, _name, email, password, _roles in DEMO_USERS}
GARDEN = "ปลูกผักสวนครัวในกระถาง"  # a demo course


def _check(page, screenshots, name: str) -> None:
    page.wait_for_load_state()
    assert_fits(page, 360)
    shot(page, screenshots, name)


def test_newcomer_signs_up_enrols_and_progresses(browser, live_server, screenshots):
    page = new_page(browser, live_server.url)
    page.goto("/")
    _check(page, screenshots, "01-home")

    page.locator(".site-header a[href$='/signup']").click()
    _check(page, screenshots, "02-signup")
    page.locator("input[name=name]").fill("มานี มีนา")
    page.locator("input[name=email]").fill("manee@example.com")
    page.locator("input[name=password]").fill("a long secret 2569")
    page.locator("input[name=confirm]").fill("a long secret 2569")
    consent = page.get_by_role("checkbox")
    assert not consent.is_checked()
    consent.check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/courses")  # signed up and sent to the catalog
    _check(page, screenshots, "03-catalog")

    # Search inside a run of Thai text (no spaces): "สวนครัว" is in the middle of a word.
    page.locator("input[name=q]").fill("สวนครัว")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**q=*")
    _check(page, screenshots, "04-search")
    results = page.locator(".course-card .h3 a")
    assert results.all_inner_texts() == [GARDEN]
    results.first.click()
    _check(page, screenshots, "05-course")

    page.locator("#enrol button[type=submit]").click()
    page.wait_for_load_state()
    assert progress_value(page) == 0
    _check(page, screenshots, "06-enrolled")

    lessons = page.locator(".activity-list a")
    assert lessons.count() == 2
    first_title = lessons.first.inner_text()
    lessons.first.click()
    _check(page, screenshots, "07-lesson")
    assert page.locator("h1").inner_text() == first_title
    assert progress_value(page) == 0
    page.locator("#mark-complete").click()
    page.wait_for_load_state()
    _check(page, screenshots, "08-completed")
    assert progress_value(page) == 50  # one of two lessons
    assert page.locator("#mark-complete").count() == 0

    page.locator(".main-nav a[href$='/my']").click()
    page.wait_for_url("**/my")
    _check(page, screenshots, "09-my-learning")
    card = page.locator(".card", has=page.locator(f"a:text-is('{GARDEN}')"))
    assert card.count() == 1
    assert int(card.get_by_role("progressbar").get_attribute("aria-valuenow")) == 50
    page.context.close()


def test_educator_publishes_a_course_a_learner_finds(browser, live_server, screenshots):
    title = "ทำขนมครกเบื้องต้น"
    teacher = new_page(browser, live_server.url)
    log_in(teacher, *DEMO["educator"])
    teacher.goto("/teach/")
    _check(teacher, screenshots, "t01-teaching")
    teacher.locator("main a[href$='/teach/new']").click()
    _check(teacher, screenshots, "t02-new-course")
    teacher.locator("input[name=title]").fill(title)
    teacher.locator("textarea[name=summary]").fill("ขนมไทยโบราณ ทำง่ายที่บ้าน")
    teacher.locator("select[name=language]").select_option("th")
    teacher.locator("main form button[type=submit]").click()
    teacher.wait_for_url("**/teach/*")
    _check(teacher, screenshots, "t03-editor")
    assert teacher.locator("h1").inner_text() == title

    new_section = teacher.locator("form[action$='/sections']")
    new_section.locator("input[name=title]").fill("เตรียมแป้ง")
    new_section.locator("button[type=submit]").click()
    teacher.wait_for_load_state()
    section = teacher.locator("section.section-block", has_text="เตรียมแป้ง")
    assert section.count() == 1
    _check(teacher, screenshots, "t04-section-added")

    section.locator("details summary").click()
    section.locator("a[href*='/add/page']").click()
    _check(teacher, screenshots, "t05-add-page")
    teacher.locator("input[name=title]").fill("ผสมแป้งกับกะทิ")
    teacher.locator("textarea[name=page_body]").fill("ใช้แป้งข้าวเจ้า **1 ถ้วย** กับกะทิ 2 ถ้วย")
    teacher.locator("main form button[type=submit]").click()
    teacher.wait_for_load_state()
    section = teacher.locator("section.section-block", has_text="เตรียมแป้ง")
    assert section.locator(".activity-list a", has_text="ผสมแป้งกับกะทิ").count() == 1

    teacher.locator("form[action$='/publish'] button").click()
    teacher.wait_for_load_state()
    assert teacher.locator("form[action$='/publish'] input[name=publish]").input_value() == "0"
    _check(teacher, screenshots, "t06-published")
    teacher.context.close()

    learner = new_page(browser, live_server.url)
    log_in(learner, *DEMO["learner"])
    learner.goto("/courses?q=" + "ขนมครก")
    _check(learner, screenshots, "t07-learner-search")
    found = learner.locator(".course-card .h3 a")
    assert found.all_inner_texts() == [title]
    found.first.click()
    _check(learner, screenshots, "t08-learner-course")
    assert learner.locator(".activity-list li", has_text="ผสมแป้งกับกะทิ").count() == 1
    learner.context.close()
