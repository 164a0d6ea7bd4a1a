"""Every content type in a real browser at 360 px: an educator adds one activity of each type,
a learner completes them all and sees 100%. Nothing leaves 127.0.0.1 (other hosts are blocked),
so the YouTube video here uses "mark as done"; its automatic completion is unit-tested."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from lms.demo import DEMO_USERS
from lms.models.base import utcnow
from tests.browser.helpers import assert_fits, log_in, new_page, progress_value, shot
from tests.unit.content_helpers import PDF

pytestmark = pytest.mark.browser

DEMO = {role: (email, password) for role, _name, email, password, _roles in DEMO_USERS}
BKK = ZoneInfo("Asia/Bangkok")


def _local(delta: timedelta) -> str:
    return (utcnow() + delta).astimezone(BKK).strftime("%Y-%m-%dT%H:%M")


def _phone(browser, url):
    page = new_page(browser, url)
    page.context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(url) else route.abort(),
    )
    return page


def _add(page, type_key: str, title: str, fill) -> None:
    page.locator("details.add-activity summary").first.click()
    page.locator(f"details.add-activity a[href$='/add/{type_key}']").first.click()
    page.wait_for_load_state()
    assert_fits(page, 360)
    page.locator("input[name=title]").fill(title)
    fill(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/add/" not in page.url, page.locator("main").inner_text()


def test_every_content_type_on_a_phone(browser, live_server, screenshots):
    base = live_server.url
    teacher = _phone(browser, base)
    log_in(teacher, *DEMO["educator"])
    teacher.goto("/teach/new")
    teacher.locator("input[name=title]").fill("ทุกแบบบทเรียน")
    teacher.locator("main form button[type=submit]").click()
    teacher.wait_for_load_state()
    course_id = int(teacher.url.rstrip("/").split("/")[-1].split("#")[0])

    _add(teacher, "page", "อ่านก่อน", lambda p: p.locator("textarea[name=page_body]").fill(
        "## สวัสดี\n\n<script>window.__pwned = 1</script><img src=x onerror='window.__pwned=2'>ยินดีต้อนรับ"
    ))  # fmt: skip
    _add(teacher, "link", "เว็บกรมอุตุ", lambda p: p.locator("input[name=link_url]").fill(
        "https://www.tmd.go.th/"
    ))  # fmt: skip

    def file_fields(p):
        p.locator("input[name=file_upload]").set_input_files(
            files=[{"name": "คู่มือ.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )

    _add(teacher, "file", "คู่มือ", file_fields)

    def video_fields(p):
        p.locator("input[name=video_url]").fill("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
        p.locator("select[name=completion]").select_option("manual")

    _add(teacher, "video", "วิดีโอ", video_fields)

    def live_fields(p):
        p.locator("input[name=live_starts_at]").fill(_local(timedelta(minutes=-5)))
        p.locator("input[name=live_ends_at]").fill(_local(timedelta(minutes=60)))
        p.locator("input[name=live_join_url]").fill("https://meet.example/abc")

    _add(teacher, "live", "ห้องเรียนสด", live_fields)
    assert teacher.locator(".activity-list li.activity-item").count() == 5
    assert_fits(teacher, 360)
    shot(teacher, screenshots, "content-01-editor")
    teacher.locator("form[action$='/publish'] button").click()
    teacher.wait_for_load_state()

    learner = _phone(browser, base)
    log_in(learner, *DEMO["learner"])
    learner.goto(f"/courses/{course_id}")
    learner.locator("form[action$='/enrol'] button").click()
    learner.wait_for_load_state()
    links = learner.locator("ol.activity-list a[href*='/activity/']")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) == 5

    for i, href in enumerate(hrefs):
        learner.goto(href)
        learner.wait_for_load_state()
        assert_fits(learner, 360)
        shot(learner, screenshots, f"content-1{i}-lesson")
        if i in (0, 3):  # page and video: the learner marks them done
            learner.locator("#mark-complete").click()
            learner.wait_for_load_state()
        elif i == 1:  # link: completion on click-through, opened in a new tab
            with learner.expect_popup() as popup:
                learner.locator("#open-link").click()
            popup.value.wait_for_load_state()  # the POST finished, the redirect followed
            popup.value.close()
        elif i == 2:  # file: shown inline, done on view
            assert learner.locator("object.file-inline").count() == 1
        elif i == 4:  # live class: inside the window, joining records attendance
            with learner.expect_popup() as popup:
                learner.locator("#join-class").click()
            popup.value.wait_for_load_state()  # the POST finished, the redirect followed
            popup.value.close()
    assert learner.evaluate("window.__pwned") is None  # script in page HTML never ran

    learner.goto(f"/courses/{course_id}")
    assert progress_value(learner) == 100
    assert_fits(learner, 360)
    shot(learner, screenshots, "content-20-done")
