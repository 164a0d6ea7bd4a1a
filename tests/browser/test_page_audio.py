"""A text page's narration in a real browser at 360 px: a young child (the picture-led
variant) gets a big Listen button at the top of the lesson that plays and pauses with the
keyboard; an adult gets the plain labelled player. Both pages pass axe-core."""

from __future__ import annotations

import io
import struct
from datetime import date

import pytest

from lms.auth.services import create_user
from lms.courses import add_enrolment
from lms.extensions import db
from tests.browser.axe import AXE_JS, axe_available, describe, run_axe
from tests.browser.helpers import assert_fits, log_in, new_page, shot
from tests.conftest import require

pytestmark = pytest.mark.browser

PASSWORD = "narration-password-2569"


def _wav(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A real, playable WAV file of silence (8-bit mono PCM)."""
    frames = b"\x80" * int(seconds * rate)
    header = struct.pack("<4sI4s", b"RIFF", 36 + len(frames), b"WAVE")
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, rate, rate, 1, 8)
    return header + fmt + struct.pack("<4sI", b"data", len(frames)) + frames


@pytest.fixture(scope="module")
def lesson(shared_live_server) -> dict:
    """A published course with one narrated page; a young learner and an adult enrolled."""
    from lms_audience.models import Profile

    from lms.storage import check_upload, store
    from tests import factories

    with shared_live_server.app.app_context():
        course = factories.course(lessons=0, title="นิทานก่อนนอน")
        activity = factories.page(course.sections[0].id, "กระต่ายกับเต่า", "กาลครั้งหนึ่ง…")
        page_type = shared_live_server.app.extensions["lms"].content.get("page")
        data = _wav()
        ftype = check_upload(io.BytesIO(data), "นิทาน.wav", "audio")
        stored = store(io.BytesIO(data), "นิทาน.wav", ftype, course.id, activity.id)
        page_type.import_data(
            activity, {"format": "markdown", "body": "กาลครั้งหนึ่ง…", "narration": stored.id}
        )
        people = {}
        for key, name, born in (("child", "น้องต้นกล้า", 2021), ("adult", "คุณแม่", 1990)):
            email = f"{key}-narration@example.com"
            user = create_user(name, email, PASSWORD, consent=True)
            db.session.add(Profile(user_id=user.id, birth_date=date(born, 6, 1), district=""))
            add_enrolment(user, course)
            people[key] = email
        db.session.commit()
        result = {"path": f"/activity/{activity.id}", **people}
        db.session.remove()
    return result


@pytest.fixture
def axe_js():
    require(axe_available(), f"axe-core not found at {AXE_JS} (make install puts it there)")


def test_child_gets_a_big_listen_button_that_plays(
    browser, shared_live_server, lesson, axe_js, screenshots
):
    page = new_page(browser, shared_live_server.url, width=360)
    log_in(page, lesson["child"], PASSWORD)
    page.goto(lesson["path"])
    assert "a11y-pictures" in (page.locator("body").get_attribute("class") or "")
    button = page.get_by_role("button", name="ฟังบทเรียนนี้")
    button.wait_for()
    box = button.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 260, box  # a big target, full width
    lesson_box = page.locator(".page-body").bounding_box()
    assert box["y"] < lesson_box["y"]  # at the top of the lesson
    assert page.get_by_role("group", name="ฟังบทเรียนนี้").count() == 1
    violations = run_axe(page)
    assert violations == [], describe(violations)
    assert_fits(page, 360)
    shot(page, screenshots, "page-narration-child")

    button.focus()
    page.keyboard.press("Enter")  # keyboard operable
    page.wait_for_function("!document.querySelector('.page-narration audio').paused")
    pause = page.get_by_role("button", name="หยุดเสียงบทเรียนชั่วคราว")
    pause.wait_for()
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('.page-narration audio').paused")
    page.get_by_role("button", name="ฟังบทเรียนนี้").wait_for()  # the label follows the audio
    page.context.close()


def test_adult_gets_the_plain_player(browser, shared_live_server, lesson, axe_js):
    page = new_page(browser, shared_live_server.url, width=360)
    log_in(page, lesson["adult"], PASSWORD)
    page.goto(lesson["path"])
    assert "a11y-pictures" not in (page.locator("body").get_attribute("class") or "")
    audio = page.locator(".page-narration audio")
    assert audio.is_visible() and audio.get_attribute("preload") == "none"
    assert not page.locator(".page-listen").is_visible()
    label = page.locator(".page-narration-label")
    assert label.is_visible() and label.inner_text() == "ฟังบทเรียนนี้"
    violations = run_axe(page)
    assert violations == [], describe(violations)
    assert_fits(page, 360)
    page.context.close()
