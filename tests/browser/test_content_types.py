"""Every content type in a real browser at 360 px: an educator adds one activity of each type
the picker offers, a learner completes them all and sees 100%. Nothing leaves 127.0.0.1 (other
hosts are blocked), so the YouTube video in that journey uses "mark as done"; the players'
progress reports are checked with synthetic messages from the providers' origins below."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from lms.demo import DEMO_USERS
from lms.models.base import utcnow
from tests.browser.helpers import assert_fits, log_in, new_page, progress_value, shot
from tests.factories import PASSWORD
from tests.unit.content_helpers import PDF

pytestmark = pytest.mark.browser

DEMO = {role: (email, password) for role, _name, email, password, _roles in DEMO_USERS}
# One activity of every content type the site offers, in the order the test adds them.
ADDED = ("page", "link", "file", "video", "live", "quiz")
GIFT = "::Capital::เมืองหลวงของประเทศไทยคือ? {=กรุงเทพฯ ~เชียงใหม่ ~ลำปาง}\n"
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
    _add(teacher, "quiz", "แบบทดสอบ", lambda p: None)  # the defaults: done when passed
    quiz_id = int(teacher.url.split("#activity-")[1])
    teacher.goto(f"/teach/quiz/course/{course_id}/bank")
    teacher.locator("#import-file").set_input_files(
        files=[{"name": "q.gift", "mimeType": "text/plain", "buffer": GIFT.encode()}]
    )
    teacher.locator("form[action$='/import'] button[type=submit]").click()
    teacher.wait_for_load_state()
    teacher.goto(f"/teach/quiz/{quiz_id}/questions")
    teacher.locator("form.card button[type=submit]").first.click()  # add it from the bank
    teacher.wait_for_load_state()
    assert teacher.locator("ol.activity-list li").count() == 1
    assert_fits(teacher, 360)

    teacher.goto(f"/teach/{course_id}")
    picker = teacher.locator("details.add-activity").first.locator("a[href*='/add/']")
    offered = {
        picker.nth(i).get_attribute("href").rsplit("/", 1)[-1] for i in range(picker.count())
    }
    assert offered == set(ADDED), "every content type the picker offers is in this test"
    assert teacher.locator(".activity-list li.activity-item").count() == len(ADDED)
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
    assert len(hrefs) == len(ADDED)

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
        elif i == 5:  # quiz: passed, so done
            learner.locator("#quiz-start").click()
            learner.wait_for_url(re.compile(r".*/quiz/attempt/\d+$"))
            assert_fits(learner, 360)
            learner.get_by_label("กรุงเทพฯ").check()
            learner.locator("#quiz-finish").click()
            learner.wait_for_url(re.compile(r".*/review$"))
    assert learner.evaluate("window.__pwned") is None  # script in page HTML never ran

    learner.goto(f"/courses/{course_id}")
    assert progress_value(learner) == 100
    assert_fits(learner, 360)
    shot(learner, screenshots, "content-20-done")


@pytest.fixture
def provider_videos(live_server):
    """A course with a YouTube and a Vimeo video (automatic completion at 80%), one learner."""
    from lms import progress
    from lms.courses import add_enrolment
    from lms.extensions import db
    from lms.teach.services import add_activity
    from tests import factories

    with live_server.app.app_context():
        teacher = factories.user("educator", email="video-teacher@example.com")
        learner = factories.user(email="video-learner@example.com")
        course = factories.course(teacher=teacher, lessons=0, title="Videos")
        registry = live_server.app.extensions["lms"].content
        ids = {"course": course.id, "learner": learner.id}
        for key, url in (
            ("youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
            ("vimeo", "https://vimeo.com/76979871"),
        ):
            activity = add_activity(course.sections[0], "video", title=key, completion="auto")
            registry.get("video").import_data(activity, {"url": url, "threshold": 80})
            ids[key] = activity.id
        add_enrolment(learner, course)
        db.session.commit()
        db.session.remove()

    def watched(key: str):
        with live_server.app.app_context():
            from lms.models import Activity, User

            user = db.session.get(User, ids["learner"])
            record = progress.get_progress(user, db.session.get(Activity, ids[key]))
            result = (record.score, record.completed_at is not None) if record else None
            db.session.remove()
            return result

    return ids, watched


# Dispatches what the provider's player would post to the page: a synthetic "message" event
# whose source is the video's iframe and whose origin is the provider's (or, to check that
# it is ignored, another origin or another source).
DISPATCH = """([messages, origin, fromFrame]) => {
  const frame = document.querySelector(".video-activity iframe");
  for (const data of messages) {
    window.dispatchEvent(new MessageEvent("message", {
      data, origin, source: fromFrame ? frame.contentWindow : window,
    }));
  }
}"""


def test_youtube_and_vimeo_players_report_progress(browser, live_server, provider_videos):
    """The message handler of video.js, fed the IFrame API's and player.js's messages."""
    ids, watched = provider_videos
    page = _phone(browser, live_server.url)
    reports = []
    page.on("request", lambda r: reports.append(r) if r.url.endswith("/progress") else None)
    log_in(page, "video-learner@example.com", PASSWORD)

    page.goto(f"/activity/{ids['youtube']}")
    frame = page.locator(".video-activity iframe")
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ?enablejsapi=1" in frame.get_attribute("src")
    yt = "https://www.youtube-nocookie.com"
    plays = [
        json.dumps({"event": "infoDelivery", "info": {"currentTime": s, "duration": 100,
                                                      "playerState": 1}})
        for s in range(0, 86)
    ]  # fmt: skip
    page.evaluate(DISPATCH, [plays, "https://evil.example", True])  # another origin
    page.evaluate(DISPATCH, [plays, yt, False])  # the right origin, not from the player
    page.wait_for_timeout(500)
    assert reports == [] and watched("youtube") == (None, False)  # viewed, nothing watched

    page.evaluate(DISPATCH, [plays, yt, True])
    status = page.locator(".video-status")
    done = status.get_attribute("data-done")
    expect(status).to_have_text(done)
    assert watched("youtube") == (85.0, True)

    reports.clear()
    page.goto(f"/activity/{ids['vimeo']}")
    vimeo = "https://player.vimeo.com"
    ticks = [{"event": "ready", "player_id": "x"}] + [
        {"event": "timeupdate", "data": {"seconds": s / 2, "duration": 50, "percent": s / 100}}
        for s in range(0, 60)
    ]  # jumping ahead by seeking does not count: only small steps forward do
    page.evaluate(DISPATCH, [ticks, vimeo, True])
    page.evaluate(DISPATCH, [[{"event": "timeupdate", "data": {"seconds": 45, "duration": 50}}],
                             vimeo, True])  # fmt: skip
    page.wait_for_timeout(500)
    score, completed = watched("vimeo")
    assert 50 <= score < 80 and not completed
    more = [
        {"event": "timeupdate", "data": {"seconds": s / 2, "duration": 50}} for s in range(90, 100)
    ] + [{"event": "ended"}]
    page.evaluate(DISPATCH, [more, vimeo, True])
    expect(page.locator(".video-status")).to_have_text(done)
    for _ in range(20):  # "ended" came while a report was on its way: it follows that one
        if watched("vimeo") == (100.0, True):
            break
        page.wait_for_timeout(200)
    assert watched("vimeo") == (100.0, True)
    assert len(reports) >= 2


def test_locked_lessons_in_the_outline_say_why_and_pass_axe(browser, live_server, screenshots):
    """The learner's outline lists locked lessons with the reason (Buddhist Era in Thai) and
    still has no WCAG 2.1 AA violation, at 360 px."""
    from datetime import UTC, datetime

    from lms.courses import add_enrolment
    from lms.extensions import db
    from tests import factories
    from tests.browser.axe import AXE_JS, axe_available, describe, run_axe
    from tests.conftest import require

    require(axe_available(), f"axe-core not found at {AXE_JS}")
    with live_server.app.app_context():
        learner = factories.user(email="locked-learner@example.com", locale="th")
        teacher = factories.user("educator", email="locked-teacher@example.com", locale="th")
        course = factories.course(teacher=teacher, lessons=3, title="บทเรียนที่ล็อก")
        first, second, third = factories.activities(course)
        second.requires_id = first.id
        third.available_from = datetime(2099, 1, 15, 3, 0, tzinfo=UTC)
        add_enrolment(learner, course)
        db.session.commit()
        course_id = course.id
        db.session.remove()
    page = _phone(browser, live_server.url)
    log_in(page, "locked-learner@example.com", PASSWORD)
    page.goto(f"/courses/{course_id}")
    reasons = page.locator(".lock-reason")
    expect(reasons).to_have_count(2)
    assert "15 ม.ค. 2642 10:00" in reasons.nth(1).inner_text()
    assert 'โปรดเรียน "Lesson 1" ให้จบก่อน' in reasons.nth(0).inner_text()
    assert_fits(page, 360)
    shot(page, screenshots, "content-30-locked-outline")
    violations = run_axe(page)
    assert not violations, describe(violations)

    teacher = _phone(browser, live_server.url)  # the new "delete the course" page, too
    log_in(teacher, "locked-teacher@example.com", PASSWORD)
    teacher.goto(f"/teach/{course_id}/settings")
    teacher.locator(f"a[href$='/teach/{course_id}/delete']").click()
    teacher.wait_for_load_state()
    assert "3" in teacher.locator("main").inner_text()
    assert_fits(teacher, 360)
    violations = run_axe(teacher)
    assert not violations, describe(violations)
