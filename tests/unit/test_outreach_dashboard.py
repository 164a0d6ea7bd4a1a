"""Outreach dashboard: access, KPI tiles, filters, targets, previous year, exports, reach, imports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from lms_outreach import charts, report
from lms_outreach.districts import seed_missing
from lms_outreach.models import OutreachEvent, ReachPost, Target
from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.extensions import db
from lms.participation import record

BKK = ZoneInfo("Asia/Bangkok")
PAGES = (
    "/outreach/dashboard",
    "/outreach/dashboard/report.csv",
    "/outreach/dashboard/report.xlsx",
    "/outreach/dashboard/print",
    "/outreach/targets",
    "/outreach/reach",
    "/outreach/import",
)


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        seed_missing()
        db.session.commit()
        yield app


@pytest.fixture
def officer(f):
    return f.user("programme_officer")


@pytest.fixture
def oc(login, officer):
    """A test client logged in as a programme officer, pages in Thai."""
    client = login(officer)
    client.get("/lang/th")
    return client


def bkk(*args) -> datetime:
    return datetime(*args, tzinfo=BKK)


def known_data(f):
    """FY 2566: 2 online classes (3 attendances by 2 people), a workshop (1 person + 11
    headcount), a fair of 300 (headcount only), a course enrolment; FY 2565: one class of 9."""
    a, b = f.user(), f.user()
    online = dict(kind="online_class", occurred_at=bkk(2022, 11, 5, 19))
    record(**online, source="class:1", user_id=a.id, audience="youth", district="5001")
    record(**online, source="class:1", user_id=b.id, audience="elderly", district="5014")
    record(
        kind="online_class",
        source="class:2",
        occurred_at=bkk(2023, 1, 10, 9),
        user_id=a.id,
        audience="youth",
        district="5001",
    )
    workshop = dict(kind="onsite_workshop", source="workshop:1", occurred_at=bkk(2023, 2, 1, 9))
    record(**workshop, user_id=a.id, audience="youth", district="5003")
    record(**workshop, headcount=11, audience="general_public", district="5003")
    record(
        kind="event", source="fair:1", occurred_at=bkk(2023, 3, 3), headcount=300, district="5001"
    )
    record(kind="course_enrolment", source="course:9", occurred_at=bkk(2022, 11, 5), user_id=b.id)
    record(kind="online_class", source="class:0", occurred_at=bkk(2022, 5, 1), headcount=9)
    db.session.add(
        ReachPost(
            platform="Facebook",
            url="https://fb.example/1",
            posted_on=date(2023, 1, 1),
            reach=1000,
            impressions=2500,
            engagements=80,
            campaign="Open day",
        )
    )
    db.session.commit()
    return a, b


def tile(html: str, key: str) -> int:
    m = re.search(rf'id="kpi-{key}".*?data-value="(\d+)"', html, re.S)
    assert m, f"no tile {key}"
    return int(m.group(1))


# -- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_learner_gets_403_and_anonymous_must_log_in(app, f, login, client, path):
    assert client.get(path).status_code == 302  # to the login page
    learner_client = login(f.user("learner"))
    assert learner_client.get(path).status_code == 403
    assert login(f.user("educator")).get(path).status_code == 403


@pytest.mark.parametrize("role", ["programme_officer", "admin"])
def test_officer_and_admin_see_the_dashboard_and_its_nav_link(app, f, login, role):
    client = login(f.user(role))
    r = client.get("/outreach/dashboard")
    assert r.status_code == 200
    assert 'href="/outreach/dashboard"' in r.text


def test_learner_has_no_outreach_nav_link(app, f, login):
    r = login(f.user("learner")).get("/")
    assert 'href="/outreach/dashboard"' not in r.text


def test_posts_need_the_role_too(app, f, login):
    client = login(f.user("learner"))
    assert client.post("/outreach/targets?fy=2566", data={"reach": "5"}).status_code == 403
    assert client.post("/outreach/reach", data={}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Target)) == 0


# -- figures -----------------------------------------------------------------------------------


def test_tiles_total_vs_distinct_and_headcounts(app, f, oc):
    known_data(f)
    html = oc.get("/outreach/dashboard?fy=2566").text
    assert tile(html, "online_classes") == 2
    assert tile(html, "online_participants") == 3
    assert tile(html, "onsite_workshops") == 1
    assert tile(html, "onsite_participants") == 12
    assert tile(html, "other_participants") == 300
    assert tile(html, "total_participants") == 315  # every attendance and headcount
    # a and b: the headcounts (11 at the workshop, 300 at the fair) are not people
    assert tile(html, "unique_participants") == 2
    assert tile(html, "reach") == 1000 and tile(html, "impressions") == 2500


def test_headcount_only_event_counts_in_totals_not_in_distinct_people(app, oc):
    record(kind="event", source="fair:9", occurred_at=bkk(2023, 3, 3), headcount=300)
    db.session.commit()
    html = oc.get("/outreach/dashboard?fy=2566").text
    assert tile(html, "total_participants") == 300
    assert tile(html, "other_events") == 1
    assert tile(html, "unique_participants") == 0


@pytest.mark.parametrize(
    ("query", "total", "unique"),
    [
        ("", 315, 2),
        ("&audience=youth", 3, 1),
        ("&audience=unknown", 300, 1),  # the fair; b enrolled on a course without a group
        ("&district=5001", 302, 1),
        ("&kind=onsite_workshop", 12, 1),
        ("&start=2023-01-01", 313, 1),
        ("&start=2566-01-01", 313, 1),  # a Buddhist Era year typed into the date field
        ("&start=2022-11-01&end=2022-11-30", 2, 2),
        ("&audience=youth&district=5003", 1, 1),
    ],
)
def test_filters_change_the_figures(app, f, oc, query, total, unique):
    known_data(f)
    html = oc.get(f"/outreach/dashboard?fy=2566{query}").text
    assert tile(html, "total_participants") == total
    assert tile(html, "unique_participants") == unique


def test_invalid_filters_are_shown_and_ignored(app, f, oc):
    known_data(f)
    r = oc.get("/outreach/dashboard?fy=2566&district=9999&start=2023-05-01&end=2023-01-01")
    assert r.status_code == 200
    assert "วันที่สิ้นสุดอยู่ก่อนวันที่เริ่มต้น" in r.text  # the end is before the start
    assert 'aria-invalid="true"' in r.text
    # the bad district and the bad end are dropped; the start (1 May 2023) still applies
    assert tile(r.text, "total_participants") == 0


def test_date_filter_reads_the_leap_day_of_a_buddhist_era_year(app, oc):
    # 2567 BE = 2024 CE, a leap year (the CLI's --from/--to read dates the same way)
    record(kind="event", source="e:1", occurred_at=bkk(2024, 2, 28, 12), headcount=5)
    record(kind="event", source="e:2", occurred_at=bkk(2024, 2, 29, 12), headcount=7)
    db.session.commit()
    r = oc.get("/outreach/dashboard?fy=2567&start=2567-02-29")
    assert 'aria-invalid="true"' not in r.text
    assert tile(r.text, "total_participants") == 7
    r = oc.get("/outreach/dashboard?fy=2567&start=2564-02-29")  # 2021 CE: no such day
    assert 'aria-invalid="true"' in r.text and tile(r.text, "total_participants") == 12


def test_months_are_october_to_september_with_thai_buddhist_era_labels(app, f, oc):
    known_data(f)
    html = oc.get("/outreach/dashboard?fy=2566").text
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">', html)
    months = rows[:12]
    assert months[0] == "ต.ค. 2565" and months[1] == "พ.ย. 2565" and months[-1] == "ก.ย. 2566"
    svg = re.search(r'<svg class="chart" id="chart-months".*?</svg>', html, re.S).group(0)
    assert '<title id="chart-months-title">' in svg and "<desc" in svg
    assert 'role="img"' in svg and "ต.ค." in svg


def test_fiscal_year_boundary_on_the_dashboard(app, oc):
    record(kind="event", source="e:1", occurred_at=bkk(2023, 9, 30, 23, 59), headcount=5)
    record(kind="event", source="e:2", occurred_at=bkk(2023, 10, 1, 0, 0), headcount=7)
    db.session.commit()
    assert tile(oc.get("/outreach/dashboard?fy=2566").text, "total_participants") == 5
    assert tile(oc.get("/outreach/dashboard?fy=2567").text, "total_participants") == 7


def test_previous_year_comparison(app, f, oc):
    known_data(f)
    html = oc.get("/outreach/dashboard?fy=2566").text
    prev = re.search(r'id="kpi-online_participants".*?class="kpi-prev">([^<]+)', html, re.S)
    assert "2565" in prev.group(1) and "9" in prev.group(1)
    assert "(-67%)" in html  # 3 online participants against 9 the year before


def test_previous_year_of_a_filtered_range_is_the_same_dates_a_year_earlier():
    f = report.Filters(start=date(2024, 2, 29), end=date(2024, 3, 31), audience="youth")
    prev = f.previous_year()
    assert (prev.start, prev.end, prev.audience) == (date(2023, 2, 28), date(2023, 3, 31), "youth")
    assert report.period(2567, f) == (date(2024, 2, 29), date(2024, 4, 1))
    assert report.period(2567, report.Filters(end=date(2030, 1, 1))) == (
        date(2023, 10, 1),
        date(2024, 10, 1),
    )


def test_dashboard_runs_a_fixed_number_of_queries(app, f, oc, count_queries):
    known_data(f)
    oc.get("/outreach/dashboard?fy=2566")
    with count_queries() as before:
        assert oc.get("/outreach/dashboard?fy=2566").status_code == 200
    for i in range(30):  # more classes, districts, groups and months: not more queries
        record(
            kind="online_class",
            source=f"class:{i}",
            occurred_at=bkk(2023, 1 + i % 9, 1),
            headcount=2,
            district=f"50{i % 25 + 1:02d}",
            audience=("youth", "elderly", "staff")[i % 3],
        )
    db.session.commit()
    with count_queries() as after:
        assert oc.get("/outreach/dashboard?fy=2566").status_code == 200
    assert after.count == before.count
    report_queries = [s for s in after.statements if "lms_outreach_event" in s]
    assert len(report_queries) <= 10  # 6 for the year, 3 for the previous year, 1 for the list


# -- targets -----------------------------------------------------------------------------------


def test_targets_are_saved_per_year_and_shown_as_progress(app, f, oc):
    known_data(f)
    r = oc.post(
        "/outreach/targets?fy=2566",
        data={"total_participants": "630", "online_classes": "4", "reach": ""},
    )
    assert r.status_code == 302
    saved = dict(db.session.execute(select(Target.kpi, Target.value)).all())
    assert saved == {"total_participants": 630, "online_classes": 4}
    html = oc.get("/outreach/dashboard?fy=2566").text
    bar = re.search(r'id="kpi-total_participants".*?aria-valuenow="(\d+)"', html, re.S)
    assert bar.group(1) == "50"  # 315 of 630
    assert "ร้อยละ 50 ของเป้าหมาย 630" in html
    assert "ร้อยละ 50 ของเป้าหมาย" not in oc.get("/outreach/dashboard?fy=2567").text
    form = oc.get("/outreach/targets?fy=2566").text
    assert 'value="630"' in form


def test_targets_refuse_negative_numbers(app, oc):
    r = oc.post("/outreach/targets?fy=2566", data={"reach": "-5"})
    assert r.status_code == 200 and 'aria-invalid="true"' in r.text
    assert db.session.scalar(select(func.count()).select_from(Target)) == 0


# -- exports -----------------------------------------------------------------------------------


def test_csv_export_has_thai_headers_and_the_figures(app, f, oc):
    known_data(f)
    r = oc.get("/outreach/dashboard/report.csv?fy=2566&district=5001")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "outreach-fy2566.csv" in r.headers["Content-Disposition"]
    text = r.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["รายงานผลการดำเนินงาน ปีงบประมาณ 2566"]
    assert ["ตัวชี้วัด", "ปีงบประมาณ 2566", "ปีงบประมาณ 2565", "เป้าหมาย", "ร้อยละของเป้าหมาย"] in rows
    by_label = {row[0]: row for row in rows if row}
    assert by_label["ผู้เข้าร่วมทั้งหมด"][1] == "302"  # district 5001 only
    assert by_label["เมืองเชียงใหม่"][1:] == ["302", "1"]
    assert by_label["ต.ค. 2565"][1:] == ["0", "0", "0"]


def test_xlsx_export_opens_with_thai_sheets_and_numbers(app, f, oc):
    known_data(f)
    r = oc.get("/outreach/dashboard/report.xlsx?fy=2566")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == [
        "สรุปผล",
        "แยกตามประเภทกิจกรรม",
        "แยกตามกลุ่มเป้าหมาย",
        "แยกตามอำเภอ",
        "แยกตามเดือน",
    ]
    ws = wb["สรุปผล"]
    assert ws["A1"].value == "รายงานผลการดำเนินงาน ปีงบประมาณ 2566"
    assert [c.value for c in ws[4]][:3] == ["ตัวชี้วัด", "ปีงบประมาณ 2566", "ปีงบประมาณ 2565"]
    values = {row[0]: row[1:] for row in ws.iter_rows(min_row=5, values_only=True)}
    assert values["ผู้เข้าร่วมทั้งหมด"][0] == 315
    assert values["จำนวนคน (ไม่นับซ้ำ)"][0] == 2
    assert values["ผู้เข้าร่วมออนไลน์"][:2] == (3, 9)
    groups = {
        row[0]: row[1:] for row in wb["แยกตามกลุ่มเป้าหมาย"].iter_rows(min_row=5, values_only=True)
    }
    assert groups["เยาวชน"] == (3, 1)
    months = [row[0] for row in wb["แยกตามเดือน"].iter_rows(min_row=5, values_only=True)]
    assert months[0] == "ต.ค. 2565" and len(months) == 12


def test_exports_are_thai_even_for_an_english_page(app, f, oc):
    known_data(f)
    oc.get("/lang/en")
    assert "Key figures" in oc.get("/outreach/dashboard?fy=2566").text
    text = oc.get("/outreach/dashboard/report.csv?fy=2566").data.decode("utf-8")
    assert "ผู้เข้าร่วมทั้งหมด" in text


def test_printable_summary_is_thai_with_print_css(app, f, oc):
    known_data(f)
    r = oc.get("/outreach/dashboard/print?fy=2566")
    assert r.status_code == 200
    assert '<html lang="th">' in r.text and "dashboard.css" in r.text
    assert "รายงานผลการดำเนินงาน ปีงบประมาณ 2566" in r.text
    assert "1 ตุลาคม 2565 ถึง 30 กันยายน 2566" in r.text
    assert "315" in r.text and "เมืองเชียงใหม่" in r.text


def test_spreadsheet_formulas_are_neutralised(app, oc):
    db.session.add(
        OutreachEvent(
            kind="=cmd|' /C calc'!A0",
            source="x",
            occurred_at=bkk(2023, 1, 1),
            headcount=1,
        )
    )
    db.session.commit()
    text = oc.get("/outreach/dashboard/report.csv?fy=2566").data.decode("utf-8")
    assert "\n=cmd" not in text and "'=cmd" in text


# -- charts ------------------------------------------------------------------------------------


def test_charts_escape_labels_and_scale_to_the_largest_value():
    svg = charts.bars("c", "T <b>", [("<script>", 50), ("b", 100)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    widths = [
        float(w) for w in re.findall(r'<rect class="chart-bar" x="2" y="\d+" width="([\d.]+)"', svg)
    ]
    assert widths[1] == pytest.approx(2 * widths[0])
    assert "&lt;script&gt;: 50; b: 100" in svg  # the desc reads the data


# -- reach -------------------------------------------------------------------------------------


GOOD_POST = {
    "platform": "Facebook",
    "url": "https://www.facebook.com/pao/posts/1",
    "posted_on": "2023-01-15",
    "reach": "1200",
    "impressions": "3400",
    "engagements": "150",
    "campaign": "ปีใหม่",
}


def test_reach_post_by_hand_and_campaign_totals(app, oc):
    r = oc.post("/outreach/reach?fy=2566", data=GOOD_POST)
    assert r.status_code == 302 and "fy=2566" in r.headers["Location"]
    oc.post("/outreach/reach", data={**GOOD_POST, "url": "https://x.example/2", "reach": "800"})
    oc.post("/outreach/reach", data={**GOOD_POST, "campaign": "", "reach": "5"})
    post = db.session.scalars(select(ReachPost).order_by(ReachPost.id)).first()
    assert (post.posted_on, post.reach, post.campaign) == (date(2023, 1, 15), 1200, "ปีใหม่")
    html = oc.get("/outreach/reach?fy=2566").text
    campaigns = re.search(r'id="reach-campaigns".*?</table>', html, re.S).group(0)
    assert re.search(r"ปีใหม่</th><td class=\"num\">2</td><td class=\"num\">2,000</td>", campaigns)
    assert "ไม่ระบุแคมเปญ" in campaigns
    assert tile(oc.get("/outreach/dashboard?fy=2566").text, "reach") == 2005


def test_reach_date_typed_in_the_buddhist_era(app, oc):
    oc.post("/outreach/reach", data={**GOOD_POST, "posted_on": "2566-01-15"})
    assert db.session.scalar(select(ReachPost.posted_on)) == date(2023, 1, 15)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "javascript:alert(1)"),
        ("url", "not a url"),
        ("url", ""),
        ("platform", ""),
        ("platform", "x" * 41),
        ("posted_on", ""),
        ("posted_on", "15/13/2566"),
        ("reach", "-1"),
        ("impressions", "many"),
        ("engagements", ""),
        ("campaign", "c" * 101),
    ],
)
def test_reach_form_validation_errors_beside_the_field(app, oc, field, value):
    r = oc.post("/outreach/reach", data={**GOOD_POST, field: value})
    assert r.status_code == 422  # sent back with the errors (as the edit form)
    assert f'id="{field}-error"' in r.text
    assert db.session.scalar(select(func.count(ReachPost.id))) == 0


def test_reach_post_delete(app, oc):
    oc.post("/outreach/reach", data=GOOD_POST)
    post_id = db.session.scalar(select(ReachPost.id))
    assert oc.post(f"/outreach/reach/{post_id}/delete").status_code == 302
    assert db.session.scalar(select(func.count(ReachPost.id))) == 0
    assert oc.post(f"/outreach/reach/{post_id}/delete").status_code == 404


def _post_row(post_id: int) -> tuple:
    db.session.expire_all()
    p = db.session.get(ReachPost, post_id)
    return (p.platform, p.url, p.posted_on, p.reach, p.impressions, p.engagements, p.campaign)


def test_reach_post_edit_changes_the_campaign_and_platform_totals(app, oc):
    from lms_outreach import dashboard

    oc.post("/outreach/reach", data=GOOD_POST)  # Facebook, ปีใหม่, reach 1200
    oc.post(
        "/outreach/reach",
        data={**GOOD_POST, "url": "https://line.example/2", "platform": "LINE", "campaign": "Open"},
    )
    first = db.session.scalar(select(ReachPost.id).order_by(ReachPost.id))
    page = oc.get(f"/outreach/reach/{first}/edit")
    assert page.status_code == 200
    assert 'value="https://www.facebook.com/pao/posts/1"' in page.text
    assert 'value="2023-01-15"' in page.text and 'value="ปีใหม่"' in page.text
    assert f'href="/outreach/reach/{first}/edit"' in oc.get("/outreach/reach?fy=2566").text

    r = oc.post(
        f"/outreach/reach/{first}/edit",
        data={**GOOD_POST, "platform": "LINE", "campaign": "Open", "reach": "300"},
    )
    assert r.status_code == 302 and "fy=2566" in r.headers["Location"]
    assert _post_row(first)[0] == "LINE" and _post_row(first)[3] == 300
    assert db.session.scalar(select(func.count(ReachPost.id))) == 2  # edited, not added
    totals = dashboard.reach_totals(2566)
    assert [(t["name"], t["posts"], t["reach"]) for t in totals["campaigns"]] == [("Open", 2, 1500)]
    assert [(t["name"], t["posts"], t["reach"]) for t in totals["platforms"]] == [("LINE", 2, 1500)]
    html = oc.get("/outreach/reach?fy=2566").text
    campaigns = re.search(r'id="reach-campaigns".*?</table>', html, re.S).group(0)
    assert "ปีใหม่" not in campaigns and re.search(r'Open</th><td class="num">2</td>', campaigns)
    assert tile(oc.get("/outreach/dashboard?fy=2566").text, "reach") == 1500


def test_reach_post_edit_to_another_year_and_no_campaign(app, oc):
    from lms_outreach import dashboard

    oc.post("/outreach/reach", data=GOOD_POST)
    post_id = db.session.scalar(select(ReachPost.id))
    r = oc.post(
        f"/outreach/reach/{post_id}/edit",
        data={**GOOD_POST, "posted_on": "2567-02-29", "campaign": " "},  # BE leap day
    )
    assert r.status_code == 302 and "fy=2567" in r.headers["Location"]
    assert _post_row(post_id)[2] == date(2024, 2, 29) and _post_row(post_id)[6] is None
    assert dashboard.reach_totals(2566)["campaigns"] == []
    assert [(t["name"], t["reach"]) for t in dashboard.reach_totals(2567)["campaigns"]] == [
        ("", 1200)
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "javascript:alert(1)"),
        ("url", ""),
        ("platform", ""),
        ("platform", "x" * 41),
        ("posted_on", ""),
        ("posted_on", "2564-02-29"),  # 2021 CE has no 29 February
        ("reach", "-1"),
        ("impressions", "many"),
        ("engagements", ""),
        ("campaign", "c" * 101),
    ],
)
def test_reach_post_edit_invalid_shows_errors_and_changes_nothing(app, oc, field, value):
    oc.post("/outreach/reach", data=GOOD_POST)
    post_id = db.session.scalar(select(ReachPost.id))
    before = _post_row(post_id)
    r = oc.post(f"/outreach/reach/{post_id}/edit", data={**GOOD_POST, "reach": "999", field: value})
    assert r.status_code == 422
    assert f'id="{field}-error"' in r.text and 'aria-invalid="true"' in r.text
    assert _post_row(post_id) == before


def test_reach_post_edit_needs_the_role(app, f, login, oc):
    oc.post("/outreach/reach", data=GOOD_POST)
    post_id = db.session.scalar(select(ReachPost.id))
    before = _post_row(post_id)
    url = f"/outreach/reach/{post_id}/edit"
    assert app.test_client().get(url).status_code == 302  # to the login page
    for role in ("learner", "educator"):
        other = login(f.user(role))
        assert other.get(url).status_code == 403
        assert other.post(url, data={**GOOD_POST, "reach": "1"}).status_code == 403
    assert _post_row(post_id) == before
    assert login(f.user("admin")).get(url).status_code == 200
    assert login(f.user("programme_officer")).get("/outreach/reach/999999/edit").status_code == 404


def test_reach_post_edit_needs_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from tests import factories as f

        post = ReachPost(
            platform="Facebook", url="https://fb.example/1", posted_on=date(2023, 1, 15), reach=5
        )
        db.session.add(post)
        db.session.commit()
        officer = f.user("programme_officer")
        client = app.test_client()
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text
        ).group(1)
        data = {"email": officer.email, "password": f.PASSWORD, "csrf_token": token}
        assert client.post("/login", data=data).status_code == 302
        url = f"/outreach/reach/{post.id}/edit"
        form = client.get(url).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        edit = {**GOOD_POST, "reach": "77"}
        assert client.post(url, data=edit).status_code == 400  # no token: refused
        assert _post_row(post.id)[3] == 5
        assert client.post(url, data={**edit, "csrf_token": token}).status_code == 302
        assert _post_row(post.id)[3] == 77


def test_reach_post_urls_are_not_made_active_html(app, oc):
    oc.post("/outreach/reach", data={**GOOD_POST, "platform": '<img src=x onerror="x()">'})
    html = oc.get("/outreach/reach?fy=2566").text
    assert '<img src=x onerror="x()">' not in html and "&lt;img" in html


# -- imports from the dashboard ------------------------------------------------------------------


def upload(client, what: str, text: str):
    return client.post(
        "/outreach/import",
        data={"what": what, "file": (io.BytesIO(text.encode("utf-8")), "data.csv")},
        content_type="multipart/form-data",
    )


def test_import_activities_with_bad_rows_imports_nothing_and_lists_row_numbers(app, oc):
    text = (
        "kind,title,date,audience,district,participants\n"
        "online_class,Class A,2023-01-15,youth,5001,25\n"
        "party,Bad kind,2023-01-15,youth,5001,25\n"
        "event,Fair,31/02/2566,เยาวชน,เมืองเชียงใหม่,300\n"
        "event,Fair 2,15/01/2566,nobody,5001,-3\n"
    )
    r = upload(oc, "activities", text)
    assert r.status_code == 400
    assert "ไม่ได้นำเข้าข้อมูลใด ๆ: มี 3 แถวที่มีปัญหา" in r.text
    for line in (3, 4, 5):
        assert f"แถวที่ {line}:" in r.text
    assert "แถวที่ 2:" not in r.text
    assert db.session.scalar(select(func.count(OutreachEvent.id))) == 0


def test_import_activities_from_the_dashboard(app, oc):
    text = (
        "kind,title,date,audience,district,participants\n"
        "online_class,Class A,2023-01-15,youth,5001,25\n"
        "event,Fair,15/01/2566,เยาวชน,เมืองเชียงใหม่,300\n"
    )
    r = upload(oc, "activities", text)
    assert r.status_code == 302
    assert db.session.scalar(select(func.sum(OutreachEvent.headcount))) == 325
    assert tile(oc.get("/outreach/dashboard?fy=2566").text, "total_participants") == 325


def test_import_reach_with_campaign_column(app, oc):
    text = (
        "platform,url,date,reach,impressions,engagements,campaign\n"
        "Facebook,https://fb.example/1,2023-01-01,1000,2000,30,Open day\n"
        "LINE,https://line.example/2,01/02/2566,500,600,10,\n"
    )
    assert upload(oc, "reach", text).status_code == 302
    rows = db.session.execute(select(ReachPost.platform, ReachPost.campaign)).all()
    assert sorted(rows) == [("Facebook", "Open day"), ("LINE", None)]


def test_import_reach_bad_row(app, oc):
    text = "platform,url,date,reach,impressions,engagements\nFacebook,ftp://x,2023-01-01,1,2,3\n"
    r = upload(oc, "reach", text)
    assert r.status_code == 400 and "แถวที่ 2:" in r.text
    assert db.session.scalar(select(func.count(ReachPost.id))) == 0


def test_import_needs_a_file(app, oc):
    r = oc.post("/outreach/import", data={"what": "reach"}, content_type="multipart/form-data")
    assert r.status_code == 400 and 'id="file-error"' in r.text
