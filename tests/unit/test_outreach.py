"""Outreach plugin: fiscal years, participation events, the fiscal-year report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from lms_outreach import fiscal, report
from lms_outreach.districts import seed_missing
from lms_outreach.models import District, OutreachEvent, ReachPost
from sqlalchemy import func, select

from lms import hookimpl
from lms.extensions import db
from lms.participation import record

BKK = ZoneInfo("Asia/Bangkok")
THIS = "tests.unit.test_outreach"


@hookimpl
def lms_participation_kinds(app):
    """This test module doubles as a plugin that adds a kind."""
    return [("radio_broadcast", "Radio broadcast")]


@hookimpl
def lms_audience_groups_for(app, user):
    return ["elderly"] if user.name.startswith("Grandma") else []


@pytest.fixture
def app(make_app):
    app = make_app(EXTRA_PLUGINS=[f"outreach_test_kind={THIS}"])
    with app.app_context():
        seed_missing()  # create_all seeds them; PostgreSQL test runs empty tables between tests
        db.session.commit()
        yield app


def bkk(*args) -> datetime:
    return datetime(*args, tzinfo=BKK)


def count_events() -> int:
    return db.session.scalar(select(func.count(OutreachEvent.id)))


# -- fiscal year ------------------------------------------------------------------------------


def test_fiscal_year_bounds_are_bangkok_midnights():
    start, end = fiscal.fy_bounds(2566)
    assert start == datetime(2022, 9, 30, 17, 0, tzinfo=UTC)  # 1 Oct 2022 00:00 Bangkok
    assert end == datetime(2023, 9, 30, 17, 0, tzinfo=UTC)  # 1 Oct 2023 00:00 Bangkok
    assert fiscal.fy_dates(2566)[0].isoformat() == "2022-10-01"


@pytest.mark.parametrize(
    ("moment", "fy"),
    [
        (bkk(2023, 9, 30, 23, 59), 2566),
        (bkk(2023, 9, 30, 23, 59, 59), 2566),
        (bkk(2023, 10, 1, 0, 0), 2567),
        (bkk(2022, 10, 1, 0, 0), 2566),
        (bkk(2022, 9, 30, 23, 59), 2565),
        (datetime(2023, 9, 30, 17, 0, tzinfo=UTC), 2567),  # = 1 Oct 00:00 Bangkok
        (datetime(2023, 9, 30, 16, 59), 2566),  # naive is UTC
    ],
)
def test_fiscal_year_of(moment, fy):
    assert fiscal.fiscal_year_of(moment) == fy


def test_fiscal_year_refuses_common_era_years():
    with pytest.raises(ValueError):
        fiscal.fy_bounds(2023)


def test_month_labels_are_buddhist_era():
    months = fiscal.fy_months(2566)
    assert months[0] == (2022, 10) and months[-1] == (2023, 9)
    assert fiscal.month_label(*months[0]) == "2565-10"
    assert fiscal.month_label(*months[-1]) == "2566-09"
    assert fiscal.month_label_th(2022, 10) == "ต.ค. 2565"


def test_report_boundaries_at_30_sep_2359_and_1_oct_0000(app):
    record(
        kind="online_class", source="class:late", occurred_at=bkk(2023, 9, 30, 23, 59), headcount=5
    )
    record(
        kind="online_class", source="class:next", occurred_at=bkk(2023, 10, 1, 0, 0), headcount=7
    )
    record(
        kind="online_class", source="class:first", occurred_at=bkk(2022, 10, 1, 0, 0), headcount=1
    )
    db.session.commit()
    r66, r67 = report.build(2566), report.build(2567)
    assert (r66["online_classes"], r66["online_participants"]) == (2, 6)
    assert (r67["online_classes"], r67["online_participants"]) == (1, 7)
    assert r66["by_month"]["2566-09"]["participants"] == 5
    assert r66["by_month"]["2565-10"]["participants"] == 1
    assert r67["by_month"]["2566-10"]["participants"] == 7


# -- recording ---------------------------------------------------------------------------------


def test_districts_are_seeded_data(app):
    assert db.session.scalar(select(func.count(District.code))) == 25
    assert db.session.get(District, "5001").name_th == "เมืองเชียงใหม่"
    assert db.session.get(District, "5025").name_en == "Galyani Vadhana"
    db.session.add(
        District(
            code="5701",
            province_code="57",
            province_th="เชียงราย",
            province_en="Chiang Rai",
            name_th="เมืองเชียงราย",
            name_en="Mueang Chiang Rai",
        )
    )
    db.session.commit()
    assert db.session.scalar(select(func.count(District.code))) == 26


def test_record_stores_in_callers_transaction_without_commit(app, f):
    user = f.user()
    record(kind="online_class", source="class:1", user_id=user.id, audience="youth")
    assert count_events() == 1  # flushed by the query, in this transaction
    db.session.rollback()
    assert count_events() == 0  # the hook did not commit


def test_unknown_kind_is_not_stored_plugin_kind_is(app):
    record(kind="no_such_kind", source="x:1")
    record(kind="radio_broadcast", source="radio:1", headcount=40)
    db.session.commit()
    assert [e.kind for e in db.session.scalars(select(OutreachEvent))] == ["radio_broadcast"]


def test_enrolment_through_the_web_records_course_enrolment(app, f, login):
    course = f.course()
    learner = f.user()
    client = login(learner)
    assert client.post(f"/courses/{course.id}/enrol").status_code == 302
    db.session.expire_all()
    events = list(db.session.scalars(select(OutreachEvent)))
    assert [(e.kind, e.source, e.user_id, e.headcount) for e in events] == [
        ("course_enrolment", f"course:{course.id}", learner.id, 1)
    ]
    r = report.build(fiscal.fiscal_year_of(events[0].occurred_at))
    assert r["course_enrolments"] == 1 and r["unique_participants"] == 1
    assert r["total_participants"] == 0  # enrolments are counted apart from activities


# -- the report --------------------------------------------------------------------------------


def _known_data(f):
    a, b = f.user(), f.user()
    when = bkk(2022, 11, 5, 19, 0)
    # two online classes: A in both, B in one -> 3 participations, 2 people
    record(
        kind="online_class",
        source="class:1",
        occurred_at=when,
        user_id=a.id,
        audience="youth",
        district="5001",
    )
    record(
        kind="online_class",
        source="class:1",
        occurred_at=when,
        user_id=b.id,
        audience="elderly",
        district="5014",
    )
    record(
        kind="online_class",
        source="class:2",
        occurred_at=bkk(2023, 1, 10, 9),
        user_id=a.id,
        audience="youth",
        district="5001",
    )
    # one onsite workshop: A checked in plus 11 walk-ins known only as a headcount
    record(
        kind="onsite_workshop",
        source="workshop:1",
        occurred_at=bkk(2023, 2, 1, 9),
        user_id=a.id,
        audience="youth",
        district="5003",
    )
    record(
        kind="onsite_workshop",
        source="workshop:1",
        occurred_at=bkk(2023, 2, 1, 9),
        headcount=11,
        audience="general_public",
        district="5003",
    )
    # a fair (headcount only, 300) and a plugin kind (40)
    record(
        kind="event", source="fair:1", occurred_at=bkk(2023, 3, 3), headcount=300, district="5001"
    )
    record(kind="radio_broadcast", source="radio:1", occurred_at=bkk(2023, 3, 4), headcount=40)
    # course enrolment of B, and an event in the next fiscal year
    record(kind="course_enrolment", source="course:9", occurred_at=when, user_id=b.id)
    record(kind="online_class", source="class:3", occurred_at=bkk(2023, 10, 2), user_id=b.id)
    db.session.add_all(
        [
            ReachPost(
                platform="facebook",
                url="https://fb.example/1",
                posted_on=datetime(2023, 1, 1).date(),
                reach=1000,
                impressions=2500,
                engagements=80,
            ),
            ReachPost(
                platform="tiktok",
                url="https://tt.example/2",
                posted_on=datetime(2023, 9, 30).date(),
                reach=500,
                impressions=900,
                engagements=20,
            ),
            ReachPost(
                platform="facebook",
                url="https://fb.example/3",
                posted_on=datetime(2023, 10, 1).date(),
                reach=7777,
                impressions=7777,
                engagements=7,
            ),
        ]
    )
    db.session.commit()
    return a, b


def test_report_totals_vs_distinct_people_and_headcounts(app, f):
    _known_data(f)
    r = report.build(2566)
    assert r["online_classes"] == 2 and r["online_participants"] == 3
    assert r["onsite_workshops"] == 1 and r["onsite_participants"] == 12
    assert r["other_events"] == 2 and r["other_participants"] == 340
    assert r["total_participants"] == 3 + 12 + 340
    assert r["unique_participants"] == 2  # headcount-only people are not distinct people
    assert r["course_enrolments"] == 1
    assert (r["reach"], r["impressions"], r["engagements"], r["reach_posts"]) == (
        1500,
        3400,
        100,
        2,
    )
    assert r["by_group"]["youth"] == {"participants": 3, "unique_participants": 1}
    assert r["by_group"]["general_public"] == {"participants": 11, "unique_participants": 0}
    assert r["by_group"]["unknown"]["participants"] == 340
    assert r["by_district"]["5001"] == {"participants": 302, "unique_participants": 1}
    assert r["by_district"]["5003"]["participants"] == 12
    assert list(r["by_month"])[:3] == ["2565-10", "2565-11", "2565-12"] and len(r["by_month"]) == 12
    assert r["by_month"]["2565-11"] == {
        "participants": 2,
        "unique_participants": 2,
        "activities": 1,
    }
    assert r["by_month"]["2566-03"]["participants"] == 340
    assert sum(m["participants"] for m in r["by_month"].values()) == r["total_participants"]
    assert sum(g["participants"] for g in r["by_group"].values()) == r["total_participants"]


def test_report_uses_grouped_sql_not_a_query_per_event(app, f, count_queries):
    _known_data(f)
    with count_queries() as q:
        report.build(2566)
    # a fixed number of GROUP BY queries, whatever the number of events (the other plugins'
    # lms_report_stats answers run their own)
    assert len([s for s in q.statements if "lms_outreach_" in s]) <= 8


def test_cli_report_json_keys_and_numbers(app, f):
    _known_data(f)
    result = app.test_cli_runner().invoke(args=["outreach", "report", "--fy", "2566", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in (
        "online_classes",
        "online_participants",
        "onsite_workshops",
        "onsite_participants",
        "other_events",
        "other_participants",
        "total_participants",
        "unique_participants",
        "reach",
        "impressions",
        "by_group",
        "by_district",
        "by_month",
    ):
        assert key in data
    assert (data["total_participants"], data["unique_participants"], data["reach"]) == (
        355,
        2,
        1500,
    )


def test_cli_report_text_table_is_bilingual(app, f):
    _known_data(f)
    result = app.test_cli_runner().invoke(args=["outreach", "report", "--fy", "2566"])
    assert result.exit_code == 0, result.output
    assert "Total participants" in result.output and "355" in result.output
    assert "เมืองเชียงใหม่" in result.output and "ต.ค. 2565" in result.output


def test_cli_report_refuses_a_common_era_year(app):
    result = app.test_cli_runner().invoke(args=["outreach", "report", "--fy", "2023"])
    assert result.exit_code != 0


# -- report filters on the command line (the dashboard's filters) -------------------------------


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["outreach", "report", "--fy", "2566", *args])


def _same_as_build(fy: int, filters: report.Filters) -> dict:
    """``report.build`` with these filters, as the JSON the command prints."""
    return json.loads(json.dumps(report.build(fy, filters), ensure_ascii=False))


@pytest.mark.parametrize(
    ("args", "filters", "total", "unique", "reach"),
    [
        ((), report.Filters(), 355, 2, 1500),
        (("--group", "elderly"), report.Filters(audience="elderly"), 1, 1, 1500),
        (("--group", "unknown"), report.Filters(audience="unknown"), 340, 1, 1500),
        (("--district", "5001"), report.Filters(district="5001"), 302, 1, 1500),
        (("--kind", "onsite_workshop"), report.Filters(kind="onsite_workshop"), 12, 1, 1500),
        (("--kind", "radio_broadcast"), report.Filters(kind="radio_broadcast"), 40, 0, 1500),
        (("--from", "2023-01-02"), report.Filters(start=datetime(2023, 1, 2).date()), 353, 1, 500),
        (
            ("--from", "2022-11-01", "--to", "2022-11-30"),
            report.Filters(start=datetime(2022, 11, 1).date(), end=datetime(2022, 11, 30).date()),
            2,
            2,
            0,
        ),
        (
            ("--group", "youth", "--district", "5003"),
            report.Filters(audience="youth", district="5003"),
            1,
            1,
            1500,
        ),
    ],
)
def test_cli_report_filters_narrow_like_report_build(app, f, args, filters, total, unique, reach):
    _known_data(f)
    result = _cli(app, *args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == _same_as_build(2566, filters)
    assert (data["total_participants"], data["unique_participants"], data["reach"]) == (
        total,
        unique,
        reach,
    )
    assert data["filters"] == filters.as_dict()


def test_cli_report_dates_in_the_buddhist_era_are_the_same_days(app, f):
    _known_data(f)
    ce = json.loads(_cli(app, "--from", "2023-01-02", "--to", "2023-03-03", "--json").output)
    be = json.loads(_cli(app, "--from", "2566-01-02", "--to", "2566-03-03", "--json").output)
    assert ce == be
    assert ce["period"] == {
        "start": "2023-01-02",
        "end_exclusive": "2023-03-04",
        "timezone": "Asia/Bangkok",
    }
    assert ce["total_participants"] == 1 + 12 + 300  # class:2, the workshop, the fair


def test_cli_report_leap_day_of_a_buddhist_era_year(app):
    # 2567 BE is 2024 CE, a leap year: 29 Feb 2567 exists (as 2567 CE it would not)
    result = app.test_cli_runner().invoke(
        args=["outreach", "report", "--fy", "2567", "--from", "2567-02-29", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["period"]["start"] == "2024-02-29"


@pytest.mark.parametrize(
    ("args", "option", "value"),
    [
        (("--group", "nobody"), "--group", "nobody"),
        (("--group", "Elderly"), "--group", "Elderly"),
        (("--district", "9999"), "--district", "9999"),
        (("--kind", "party"), "--kind", "party"),
        (("--from", "2023-13-01"), "--from", "2023-13-01"),
        (("--from", "15/01/2566"), "--from", "15/01/2566"),
        (("--to", "yesterday"), "--to", "yesterday"),
        (("--to", "2564-02-29"), "--to", "2564-02-29"),  # 2021 CE: no 29 February
        (("--from", "2023-03-01", "--to", "2023-02-01"), "--to", "2023-02-01"),
    ],
)
def test_cli_report_bad_filter_is_a_usage_error_naming_the_value(app, f, args, option, value):
    result = _cli(app, *args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # click's usage error, not a crash
    assert "Traceback" not in result.output
    assert option in result.output and repr(value) in result.output


def test_cli_report_bad_kind_lists_the_known_kinds(app):
    result = _cli(app, "--kind", "party")
    assert "online_class" in result.output and "radio_broadcast" in result.output


def test_cli_report_text_shows_the_filters_and_period(app, f):
    _known_data(f)
    result = _cli(app, "--district", "5001", "--group", "youth", "--to", "2566-01-31")
    assert result.exit_code == 0, result.output
    head = result.output.split("\n\n")[0]
    assert "1 ต.ค. 2565 – 31 ม.ค. 2566 / 2022-10-01 – 2023-01-31" in head
    assert "5001 เมืองเชียงใหม่ / Mueang Chiang Mai" in head
    assert "ผู้สูงอายุ" not in head and "เยาวชน / Youth" in head
    total = next(line for line in result.output.splitlines() if "Total participants" in line)
    assert total.split()[-1] == "2"  # a's two online classes in Mueang Chiang Mai


def test_cli_report_csv_is_the_dashboards_export(app, f, login):
    _known_data(f)
    result = _cli(app, "--csv", "--district", "5001", "--kind", "event")
    assert result.exit_code == 0, result.output
    officer = login(f.user("programme_officer"))
    page = officer.get("/outreach/dashboard/report.csv?fy=2566&district=5001&kind=event")
    assert page.status_code == 200
    assert result.stdout_bytes == page.data  # the same bytes (CRLF rows, BOM)
    assert result.output.startswith("\ufeff") and "เมืองเชียงใหม่,300,0" in result.output


def test_cli_report_xlsx_file(app, f, tmp_path):
    from openpyxl import load_workbook

    _known_data(f)
    path = tmp_path / "fy2566.xlsx"
    result = _cli(app, "--xlsx", str(path), "--group", "youth")
    assert result.exit_code == 0, result.output
    ws = load_workbook(path)["สรุปผล"]
    values = {row[0]: row[1:] for row in ws.iter_rows(min_row=5, values_only=True)}
    assert values["ผู้เข้าร่วมทั้งหมด"][0] == 3  # a: 2 online classes and the workshop


def test_cli_report_one_output_format_at_a_time(app):
    result = _cli(app, "--json", "--csv")
    assert result.exit_code == 2 and "--xlsx" in result.output


def test_audience_comes_from_the_audience_hooks_when_not_given(make_app, f):
    # only this module answers lms_audience_groups_for, so the first answer is known
    app = make_app(EXTRA_PLUGINS=[f"outreach_test_kind={THIS}"], DISABLED_PLUGINS=["lms_audience"])
    with app.app_context():
        _check_audience_from_hooks(f)


def _check_audience_from_hooks(f):
    grandma = f.user(name="Grandma Noi")
    record(kind="online_class", source="class:1", user_id=grandma.id)
    record(kind="online_class", source="class:1", user_id=grandma.id, audience="staff")
    db.session.commit()
    assert [e.audience for e in db.session.scalars(select(OutreachEvent))] == ["elderly", "staff"]


def test_cli_districts_add_another_province(app):
    runner = app.test_cli_runner()
    args = [
        "outreach",
        "districts",
        "add",
        "5701",
        "เมืองเชียงราย",
        "Mueang Chiang Rai",
        "--province-code",
        "57",
        "--province-th",
        "เชียงราย",
        "--province-en",
        "Chiang Rai",
    ]
    assert runner.invoke(args=args).exit_code == 0
    assert runner.invoke(args=args).exit_code != 0  # not twice
    listed = runner.invoke(args=["outreach", "districts", "list", "--province", "57"]).output
    assert listed.strip() == "5701\tเมืองเชียงราย\tMueang Chiang Rai\tเชียงราย / Chiang Rai"
    assert len(runner.invoke(args=["outreach", "districts", "list"]).output.splitlines()) == 26


def test_migration_creates_tables_and_seeds_the_25_districts(tmp_path):
    from flask_migrate import upgrade

    from lms import create_app
    from tests.conftest import app_config

    app = create_app(app_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/o.db"))
    with app.app_context():
        upgrade(revision="heads")
        assert db.session.scalar(select(func.count(District.code))) == 25
        assert db.session.get(District, "5018").name_th == "อมก๋อย"
        assert seed_missing() == 0
        db.session.remove()
        db.engine.dispose()
