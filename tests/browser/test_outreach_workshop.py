"""An onsite workshop end to end, in Chromium: the officer creates it, a person registers on a
360 px phone without an account and gets a QR code, the officer checks them in at the door
(manual search: a headless browser has no camera; the scanner's token endpoint is driven
through the page's own script), and the workshop and report counts move. axe-core passes on
the registration and confirmation pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.extensions import db
from lms.models.base import utcnow
from tests.browser.axe import AXE_JS, axe_available, describe, run_axe
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import DESKTOP, assert_fits, log_in, new_page, shot
from tests.conftest import require

pytestmark = pytest.mark.browser

OFFICER = ("officer@example.com", "demo-officer-2569")
TITLE = "ทำขนมไทยให้ลูกหลาน"


def _report(server) -> dict:
    from lms_outreach import fiscal, report
    from lms_outreach.workshop_models import Workshop

    with server.app.app_context():
        w = db.session.scalar(db.select(Workshop).where(Workshop.title == TITLE))
        fy = fiscal.fiscal_year_of(w.starts_at) if w else fiscal.fiscal_year_of(utcnow())
        data = report.build(fy)
        db.session.remove()
    return data


def _register(page, workshop_id: int, name: str, phone: str) -> str:
    """Fill the public form on the phone; returns the check-in token from the address."""
    page.goto(f"/outreach/workshops/{workshop_id}")
    page.get_by_label("ชื่อ-นามสกุล", exact=True).fill(name)
    page.get_by_label("หมายเลขโทรศัพท์", exact=True).fill(phone)
    page.get_by_label("กลุ่มผู้เรียน", exact=True).select_option("elderly")
    page.get_by_label("อำเภอที่อาศัยอยู่", exact=True).select_option("5007")
    page.locator("input[name=consent]").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    match = re.search(r"/outreach/workshops/r/([A-Za-z0-9_-]+)$", page.url)
    assert match, page.url
    return match.group(1)


def test_officer_creates_person_registers_on_phone_and_is_checked_in(
    live_server, browser, screenshots
):
    require(axe_available(), f"axe-core not found at {AXE_JS} (make install puts it there)")
    before = _report(live_server)

    # 1. The officer plans a workshop (desktop).
    officer = new_page(browser, live_server.url, **DESKTOP)
    log_in(officer, *OFFICER)
    officer.goto("/outreach/workshops/manage/new")
    violations = run_axe(officer)
    assert violations == [], describe(violations)
    start = to_local_str(utcnow() + timedelta(days=2))
    end = to_local_str(utcnow() + timedelta(days=2, hours=3))
    officer.locator("#title").fill(TITLE)
    officer.locator("#place").fill("ศาลาอเนกประสงค์ บ้านแม่ริม")
    officer.locator("#district").select_option("5007")
    officer.locator("#starts_at").fill(start)
    officer.locator("#ends_at").fill(end)
    officer.locator("#capacity").fill("20")
    officer.locator("input[name=audiences][value=elderly]").check()
    officer.locator("#description").fill("<p>นำผ้ากันเปื้อนมาด้วย</p>")
    with officer.expect_navigation():
        officer.locator("main form button[type=submit]").click()
    match = re.search(r"/outreach/workshops/manage/(\d+)$", officer.url)
    assert match, officer.locator("main").inner_text()
    workshop_id = int(match.group(1))

    # 2. A person registers on a 360 px phone, without an account.
    phone = new_page(browser, live_server.url)
    phone.goto(f"/outreach/workshops/{workshop_id}")
    assert TITLE in phone.locator("h1").inner_text()
    assert_fits(phone)
    violations = run_axe(phone)
    assert violations == [], describe(violations)
    # Without consent: the error is beside the field, nothing is saved.
    phone.get_by_label("ชื่อ-นามสกุล", exact=True).fill("ป้าบัวผัน")
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").click()
    assert phone.locator("#consent-error").is_visible()
    shot(phone, screenshots, "workshop-register-errors-360")
    violations = run_axe(phone)
    assert violations == [], describe(violations)
    token = _register(phone, workshop_id, "ป้าบัวผัน ใจงาม", "081-555-1234")
    assert phone.locator(".qr-card svg").is_visible()
    assert_fits(phone)
    violations = run_axe(phone)
    assert violations == [], describe(violations)
    shot(phone, screenshots, "workshop-confirmation-360")
    second = _register(new_page(browser, live_server.url), workshop_id, "ลุงสม", "0819998888")

    # 3. At the door, on the officer's phone: search by name, check in.
    door = new_page(browser, live_server.url)
    log_in(door, *OFFICER)
    door.goto(f"/outreach/workshops/manage/{workshop_id}/checkin")
    assert door.locator("#checked-count").inner_text() == "0"
    assert_fits(door)
    door.locator("#q").fill("บัวผัน")  # a part of the name: Thai has no spaces
    with door.expect_navigation():
        door.locator("form[role=search] button").click()
    with door.expect_navigation():
        door.get_by_role("button", name=re.compile("ป้าบัวผัน")).click()
    assert "ลงทะเบียนเข้างานแล้ว: ป้าบัวผัน" in door.locator(".flashes").inner_text()
    assert door.locator("#checked-count").inner_text() == "1"
    assert_fits(door)
    violations = run_axe(door)
    assert violations == [], describe(violations)
    shot(door, screenshots, "workshop-checkin-360")

    # 4. The scanner's endpoint, through the page's script (what a scan sends).
    scan = "window.lmsOutreachSubmitScan"
    again = door.evaluate(f"{scan}('{live_server.url}/outreach/workshops/t/{token}')")
    assert again["status"] == "already"
    assert re.search(r"\d\d:\d\d", again["message"])
    assert "already" in door.locator("#scan-result").get_attribute("class")
    ok = door.evaluate(f"{scan}('{second}')")
    assert ok["status"] == "ok" and ok["checked_in"] == 2
    assert door.locator("#checked-count").inner_text() == "2"
    guessed = second[:-2] + ("AA" if not second.endswith("AA") else "BB")
    assert door.evaluate(f"{scan}('{guessed}')")["status"] == "unknown"

    # 5. The counts move: the officer's list and the fiscal-year report.
    officer.goto("/outreach/workshops/manage")
    violations = run_axe(officer)
    assert violations == [], describe(violations)
    row = officer.locator("tr", has_text=TITLE)
    assert row.locator("td").nth(4).inner_text().strip() == "2"
    after = _report(live_server)
    assert after["onsite_workshops"] == before["onsite_workshops"] + 1
    assert after["onsite_participants"] == before["onsite_participants"] + 2

    # 6. A headcount-only activity (a fair) on the officer's page: a total by group.
    officer.goto("/outreach/headcounts/")
    violations = run_axe(officer)
    assert violations == [], describe(violations)
    officer.locator("#title").fill("งานวันเด็ก")
    officer.locator("#day").fill(start[:10])
    officer.locator("#total").fill("300")
    officer.locator("#group_early_childhood").fill("200")
    with officer.expect_navigation():
        officer.locator("main form button[type=submit]").first.click()
    assert "งานวันเด็ก" in officer.locator("table").inner_text()
    after_fair = _report(live_server)
    assert after_fair["other_participants"] == after["other_participants"] + 300
    assert after_fair["unique_participants"] == after["unique_participants"]

    # 7. The sign-in sheet is in Thai with the Buddhist Era year.
    officer.goto(f"/outreach/workshops/manage/{workshop_id}/sheet")
    text = officer.locator("main").inner_text()
    assert "ใบลงชื่อผู้เข้าร่วม" in text and "ป้าบัวผัน ใจงาม" in text
    assert str(int(start[:4]) + 543) in text
    officer.emulate_media(media="print")
    assert not officer.locator(".site-header").is_visible()
    assert not officer.locator("[data-print]").is_visible()
    assert officer.locator(".sheet-table tbody tr").count() >= 2 + 5  # people, then blank rows
    shot(officer, screenshots, "workshop-sheet-print")
    for p in (officer, phone, door):
        p.context.close()


def to_local_str(value) -> str:
    """A UTC datetime as a ``datetime-local`` value in Bangkok time (needs no app context)."""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo("Asia/Bangkok")).strftime("%Y-%m-%dT%H:%M")


def _qr_y4m(path, text: str, width: int = 640, height: int = 480, frames: int = 10) -> None:
    """A short Y4M video of ``text`` as a QR code: Chromium's fake camera plays it in a loop."""
    import segno

    matrix = [list(row) for row in segno.make(text, error="m").matrix]
    scale = min(width, height) // (len(matrix) + 8)
    size = len(matrix) * scale
    left, top = (width - size) // 2, (height - size) // 2
    luma = bytearray(b"\xff" * (width * height))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + y * scale + dy) * width + left + x * scale
                    luma[start : start + scale] = b"\x00" * scale
    chroma = b"\x80" * (width * height // 2)
    with open(path, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            fh.write(b"FRAME\n" + bytes(luma) + chroma)


def test_camera_scan_checks_in_with_the_vendored_decoder(live_server, browser, tmp_path):
    """The door page with a (fake) camera showing the registrant's QR code: the scanner reads
    it (BarcodeDetector where Chromium has one, else the vendored jsQR) and checks them in."""
    from lms_outreach import workshops
    from lms_outreach.workshop_models import Workshop, WorkshopRegistration

    with live_server.app.app_context():
        start = utcnow() + timedelta(days=1)
        w = Workshop(
            title="สแกนคิวอาร์",
            place="หอประชุม",
            district="5001",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=10,
        )
        db.session.add(w)
        db.session.flush()
        reg = workshops.register(
            w, name="น้องฟ้า", phone="0812223333", audience="youth", district="5001", consent=True
        )
        db.session.commit()
        workshop_id, reg_id, token = w.id, reg.id, reg.token
        db.session.remove()
    video = tmp_path / "qr.y4m"
    _qr_y4m(video, f"{live_server.url}/outreach/workshops/t/{token}")
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera.new_context(
            base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="th-TH"
        )
        context.grant_permissions(["camera"], origin=live_server.url)
        door = context.new_page()
        door.set_default_timeout(20_000)
        log_in(door, *OFFICER)
        door.goto(f"/outreach/workshops/manage/{workshop_id}/checkin")
        door.locator("#scan-start").click()
        door.wait_for_function("document.getElementById('checked-count').textContent === '1'")
        assert "น้องฟ้า" in door.locator("#scan-result").inner_text()
        native = door.evaluate("'BarcodeDetector' in window")
        # Without a native detector (Chromium on Linux) the vendored jsQR did the reading.
        assert native or door.evaluate("typeof window.jsQR") == "function"
        assert door.locator("#scan-video").is_visible()
        door.locator("#scan-stop").click()
        assert not door.locator("#scan-video").is_visible()
    finally:
        camera.close()
    with live_server.app.app_context():
        assert db.session.get(WorkshopRegistration, reg_id).checked_in_at is not None
        db.session.remove()
