"""The programme officer's outreach dashboard in a real browser at 360 px: axe-core finds no
WCAG 2.1 A/AA violation (dashboard with data and targets, reach page, import errors), the page
fits the phone, the filters change the figures, and a reach post entered by hand moves the reach
tile."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from lms.demo import DEMO_USERS
from lms.extensions import db
from lms.participation import record
from tests.browser.axe import AXE_JS, axe_available, describe, run_axe
from tests.browser.helpers import assert_fits, log_in, new_page, shot
from tests.conftest import require

pytestmark = pytest.mark.browser

DEMO = {role: (email, password) for role, _name, email, password, _roles in DEMO_USERS}
BKK = ZoneInfo("Asia/Bangkok")


@pytest.fixture(scope="module")
def site(shared_live_server):
    """The demo site with a year of outreach: classes, a workshop, a fair, a target."""
    from lms_outreach.models import Target

    with shared_live_server.app.app_context():
        for i, (group, district) in enumerate(
            [("youth", "5001"), ("elderly", "5014"), ("general_public", "5003")] * 4
        ):
            record(
                kind="online_class",
                source=f"class:{i % 5}",
                occurred_at=datetime(2023, 1 + i % 9, 10, 19, tzinfo=BKK),
                headcount=10 + i,
                audience=group,
                district=district,
            )
        record(
            kind="event",
            source="fair:1",
            occurred_at=datetime(2023, 3, 3, 10, tzinfo=BKK),
            headcount=300,
            district="5001",
        )
        db.session.add(Target(fiscal_year=2566, kpi="total_participants", value=1000))
        db.session.commit()
        db.session.remove()
    return shared_live_server


@pytest.fixture
def axe_js():
    require(axe_available(), f"axe-core not found at {AXE_JS} (make install puts it there)")


def _officer_page(browser, site):
    page = new_page(browser, site.url, width=360)
    log_in(page, *DEMO["programme_officer"])
    return page


def _tile(page, key: str) -> int:
    return int(page.locator(f"#kpi-{key} .kpi-value").get_attribute("data-value"))


def test_dashboard_passes_axe_and_fits_a_phone(browser, site, axe_js, screenshots):
    page = _officer_page(browser, site)
    page.goto("/outreach/dashboard?fy=2566")
    assert _tile(page, "total_participants") == 12 * 10 + 66 + 300
    assert page.locator("#chart-months title").text_content().startswith("ผู้เข้าร่วมรายเดือน")
    assert page.get_by_role("progressbar").first.get_attribute("aria-valuenow") == "49"
    assert_fits(page)
    shot(page, screenshots, "outreach-dashboard-360")
    violations = run_axe(page)
    assert not violations, describe(violations)
    page.context.close()


def test_printable_summary_passes_axe(browser, site, axe_js):
    page = _officer_page(browser, site)
    page.goto("/outreach/dashboard/print?fy=2566")
    assert page.locator("html").get_attribute("lang") == "th"
    assert "รายงานผลการดำเนินงาน ปีงบประมาณ 2566" in page.locator("h1").inner_text()
    assert_fits(page)
    violations = run_axe(page)
    assert not violations, describe(violations)
    page.context.close()


def test_filters_change_the_figures_in_the_browser(browser, site):
    page = _officer_page(browser, site)
    page.goto("/outreach/dashboard?fy=2566")
    page.select_option("#district", "5001")
    with page.expect_navigation():
        page.get_by_role("button", name="แสดง", exact=True).click()
    assert "district=5001" in page.url
    assert _tile(page, "total_participants") == (10 + 13 + 16 + 19) + 300
    page.context.close()


def test_reach_and_import_pages_pass_axe(browser, site, axe_js, tmp_path):
    page = _officer_page(browser, site)
    page.goto("/outreach/reach?fy=2566")
    page.fill("#platform", "Facebook")
    page.fill("#url", "https://www.facebook.com/pao/posts/42")
    page.fill("#posted_on", "2023-02-14")
    page.fill("#reach", "4321")
    page.fill("#impressions", "9000")
    page.fill("#engagements", "120")
    page.fill("#campaign", "วันแห่งความรัก")
    with page.expect_navigation():
        page.get_by_role("button", name="บันทึกโพสต์").click()
    assert "วันแห่งความรัก" in page.locator("#reach-campaigns").inner_text()
    assert_fits(page)
    violations = run_axe(page)
    assert not violations, describe(violations)

    # a form with errors beside the fields
    page.fill("#url", "not a url")
    with page.expect_navigation():
        page.get_by_role("button", name="บันทึกโพสต์").click()
    assert page.locator("#url-error").is_visible()
    violations = run_axe(page)
    assert not violations, describe(violations)

    page.goto("/outreach/dashboard?fy=2566")
    assert _tile(page, "reach") == 4321

    # correcting the post: the edit page passes axe, fits, and the tile follows
    page.goto("/outreach/reach?fy=2566")
    with page.expect_navigation():
        page.locator("#reach-posts a", has_text="แก้ไข").first.click()
    assert page.get_by_role("heading", name="แก้ไขโพสต์").count() == 1
    assert_fits(page)
    violations = run_axe(page)
    assert not violations, describe(violations)
    page.fill("#reach", "5000")
    with page.expect_navigation():
        page.get_by_role("button", name="บันทึกการแก้ไข").click()
    page.goto("/outreach/dashboard?fy=2566")
    assert _tile(page, "reach") == 5000

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "kind,title,date,audience,district,participants\nparty,X,2023-01-01,youth,5001,3\n",
        encoding="utf-8",
    )
    page.goto("/outreach/import")
    page.set_input_files("#file", str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="ตรวจสอบและนำเข้า").click()
    assert "แถวที่ 2:" in page.locator(".import-errors").inner_text()
    assert_fits(page)
    violations = run_axe(page)
    assert not violations, describe(violations)
    page.context.close()


def test_learner_is_refused(browser, site):
    page = new_page(browser, site.url, width=360)
    log_in(page, *DEMO["learner"])
    response = page.goto("/outreach/dashboard")
    assert response.status == 403
    page.context.close()
