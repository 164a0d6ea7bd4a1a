"""Outreach CSV imports: activities and reach; bad rows are reported and nothing is imported."""

from __future__ import annotations

import re
from datetime import date

import pytest
from lms_outreach import fiscal, report
from lms_outreach.districts import seed_missing
from lms_outreach.importer import check_activities, parse_date
from lms_outreach.models import OutreachEvent, ReachPost
from sqlalchemy import func, select

from lms.extensions import db

BOM = b"\xef\xbb\xbf"


@pytest.fixture(autouse=True)
def districts(app):
    # create_all seeds them; PostgreSQL test runs empty every table between tests
    seed_missing()
    db.session.commit()


def write(tmp_path, name: str, text: str, bom: bool = False):
    path = tmp_path / name
    path.write_bytes((BOM if bom else b"") + text.encode("utf-8"))
    return str(path)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["outreach", "import", *args])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


GOOD = """kind,title,date,audience,district,participants
online_class,ภาษาอังกฤษเพื่อการสื่อสาร ครั้งที่ 1,15/11/2565,เยาวชน,เมืองเชียงใหม่,120
online_class,ภาษาอังกฤษเพื่อการสื่อสาร ครั้งที่ 1,15/11/2565,elderly,5014,30
online_class,Coding for kids,2023-01-20,youth,Mae Rim,45
onsite_workshop,ทำขนมพื้นบ้าน,01/02/2566,บุคคลทั่วไป,อำเภอแม่แจ่ม,"1,020"
event,งานมหกรรมการเรียนรู้,2023-09-30,,,300
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-15", date(2023, 1, 15)),
        ("15/01/2566", date(2023, 1, 15)),
        ("1/10/2565", date(2022, 10, 1)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["15/01/2023", "2023-13-01", "31/02/2566", "yesterday", ""])
def test_parse_date_refuses(app, text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_import_activities_with_bom_and_thai_names(app, tmp_path):
    result = run(app, "activities", write(tmp_path, "a.csv", GOOD, bom=True))
    assert result.exit_code == 0, result.output + result.stderr
    assert "5" in result.output
    events = list(db.session.scalars(select(OutreachEvent).order_by(OutreachEvent.id)))
    assert [(e.kind, e.audience, e.district, e.headcount) for e in events] == [
        ("online_class", "youth", "5001", 120),
        ("online_class", "elderly", "5014", 30),
        ("online_class", "youth", "5007", 45),
        ("onsite_workshop", "general_public", "5003", 1020),
        ("event", None, None, 300),
    ]
    assert events[0].source == events[1].source  # same class, two audience rows
    assert all(e.user_id is None for e in events)
    r = report.build(2566)
    assert (r["online_classes"], r["online_participants"]) == (2, 195)
    assert (r["onsite_workshops"], r["onsite_participants"]) == (1, 1020)
    assert (r["other_events"], r["other_participants"]) == (1, 300)
    assert r["total_participants"] == 1515
    assert r["unique_participants"] == 0  # headcounts are not distinct people
    assert r["by_month"]["2565-11"]["participants"] == 150
    assert r["by_month"]["2566-09"]["participants"] == 300  # 30 Sep: still FY 2566
    assert fiscal.fiscal_year_of(events[-1].occurred_at) == 2566


def test_import_activities_bad_rows_reported_and_nothing_imported(app, tmp_path):
    text = GOOD + (
        "webinar,Unknown kind,2023-01-01,youth,5001,10\n"  # line 7
        "online_class,Bad date,15/01/2023,youth,5001,10\n"  # line 8: CE year with slashes
        "online_class,Bad district,2023-01-01,youth,Bangkok,10\n"  # line 9
        "online_class,Bad audience,2023-01-01,kids,5001,10\n"  # line 10
        "online_class,Bad count,2023-01-01,youth,5001,-3\n"  # line 11
        "online_class,,2023-01-01,youth,5001,ten\n"  # line 12: two problems
    )
    result = run(app, "activities", write(tmp_path, "bad.csv", text))
    assert result.exit_code != 0
    # "line 7: ..." in English, "บรรทัด 7: ..." in Thai (the site's default language)
    errors = {int(n): reason for n, reason in re.findall(r"^\D*(\d+): (.+)$", result.stderr, re.M)}
    assert sorted(errors) == [7, 8, 9, 10, 11, 12], result.stderr
    assert "webinar" in errors[7]
    assert "พ.ศ." in errors[8] or "Buddhist" in errors[8]
    assert "Bangkok" in errors[9] and "kids" in errors[10]
    assert "participants" in errors[11]
    assert "title" in errors[12] and "participants" in errors[12]  # both problems of the row
    assert count(OutreachEvent) == 0  # the five good rows were not imported either


def test_import_missing_columns_and_non_utf8(app, tmp_path):
    result = run(
        app, "activities", write(tmp_path, "c.csv", "kind,title,date\nevent,x,2023-01-01\n")
    )
    assert result.exit_code != 0 and "audience" in result.stderr
    path = tmp_path / "latin.csv"
    path.write_bytes(
        "kind,title,date,audience,district,participants\nevent,caf\xe9,2023-01-01,,,1\n".encode(
            "latin-1"
        )
    )
    result = run(app, "activities", str(path))
    assert result.exit_code != 0 and "UTF-8" in result.stderr
    assert count(OutreachEvent) == 0


def test_check_refuses_extra_values_and_reports_line_numbers(app):
    data = b"kind,title,date,audience,district,participants\n\nevent,x,2023-01-01,,,1,extra\n"
    res = check_activities(data)
    assert not res.ok and res.errors[0][0] == 3  # the blank line 2 still counts


REACH = """platform,url,date,reach,impressions,engagements
facebook,https://facebook.com/p/1,2022-10-01,1000,2500,80
tiktok,https://tiktok.com/@x/2,30/09/2566,500,900,20
"""


def test_import_reach_and_report(app, tmp_path):
    result = run(app, "reach", write(tmp_path, "r.csv", REACH, bom=True))
    assert result.exit_code == 0, result.stderr
    r = report.build(2566)
    assert (r["reach"], r["impressions"], r["engagements"]) == (1500, 3400, 100)


def test_import_reach_bad_rows_nothing_imported(app, tmp_path):
    text = (
        REACH + "line,not-a-url,2023-01-01,1,2,3\n" + "facebook,https://x.y/z,2023-01-01,lots,2,3\n"
    )
    result = run(app, "reach", write(tmp_path, "rb.csv", text))
    assert result.exit_code != 0
    errors = {int(n): reason for n, reason in re.findall(r"^\D*(\d+): (.+)$", result.stderr, re.M)}
    assert sorted(errors) == [4, 5], result.stderr
    assert "url" in errors[4] and "reach" in errors[5]
    assert count(ReachPost) == 0
