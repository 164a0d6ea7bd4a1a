"""Onsite workshops: creation, registration with a waiting list, QR check-in, walk-ins,
participation counted once, reminders, the sign-in sheet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno
from lms_outreach import checkin, report, workshops
from lms_outreach.districts import seed_missing
from lms_outreach.models import OutreachEvent
from lms_outreach.workshop_models import (
    CANCELLED,
    CONFIRMED,
    WAITLIST,
    Workshop,
    WorkshopRegistration,
)
from sqlalchemy import func, select

from lms import hookimpl, plugins
from lms.extensions import db
from lms.models.base import utcnow

BKK = ZoneInfo("Asia/Bangkok")
THIS = "tests.unit.test_outreach_workshops"
NOTIFIED: list[tuple[str, list[int], dict]] = []


@hookimpl
def lms_notify_event(app, event, recipients, data):
    """This module doubles as a plugin that records notifications."""
    NOTIFIED.append((event, list(recipients), dict(data)))


@pytest.fixture
def app(make_app):
    NOTIFIED.clear()
    app = make_app(EXTRA_PLUGINS=[f"workshop_test_notify={THIS}"])
    with app.app_context():
        seed_missing()
        db.session.commit()
        yield app


@pytest.fixture
def officer(f):
    return f.user("programme_officer", name="Officer Som", email="officer@example.com")


def make_workshop(capacity: int = 2, days: int = 3, title: str = "เวิร์กช็อปทำขนม") -> Workshop:
    start = (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)
    w = Workshop(
        title=title,
        place="หอประชุมโรงเรียน",
        district="5007",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=capacity,
        audiences="youth,elderly",
        description="<p>Bring a pen</p>",
    )
    db.session.add(w)
    db.session.commit()
    return w


def person(w: Workshop, name: str, phone: str, user_id: int | None = None, **kw):
    reg = workshops.register(
        w,
        name=name,
        phone=phone,
        audience=kw.pop("audience", "youth"),
        district=kw.pop("district", "5001"),
        consent=kw.pop("consent", True),
        user_id=user_id,
        **kw,
    )
    db.session.commit()
    return reg


def onsite_events() -> list[OutreachEvent]:
    return list(
        db.session.scalars(select(OutreachEvent).where(OutreachEvent.kind == "onsite_workshop"))
    )


# -- creating workshops ---------------------------------------------------------------------


FORM = {
    "title": "ทำสวนผักคนเมือง",
    "place": "ศาลาวัด บ้านแม่ริม",
    "district": "5007",
    "starts_at": "2026-12-20T09:00",
    "ends_at": "2026-12-20T12:00",
    "capacity": "30",
    "audiences": ["general_public", "elderly"],
    "description": '<p>ปลูกผัก<script>alert(1)</script><a href="javascript:x()">x</a></p>',
}


def test_officer_creates_workshop_stored_utc_and_sanitised(app, login, officer):
    client = login(officer)
    r = client.post("/outreach/workshops/manage/new", data=FORM)
    assert r.status_code == 302, r.text
    w = db.session.scalar(select(Workshop))
    assert w.title == "ทำสวนผักคนเมือง"
    assert w.starts_at == datetime(2026, 12, 20, 2, 0, tzinfo=UTC)  # 09:00 Bangkok
    assert w.audience_codes == ["general_public", "elderly"]
    assert "<script" not in w.description and "javascript:" not in w.description
    assert "ปลูกผัก" in w.description
    page = client.get(r.headers["Location"]).text
    assert "20 ธ.ค. 2569 09:00 น." in page  # Bangkok time, Buddhist Era
    r = client.get(f"/outreach/workshops/manage/{w.id}/edit")
    assert 'value="2026-12-20T09:00"' in r.text


def test_workshop_form_refuses_end_before_start_and_unknown_district(app, login, officer):
    client = login(officer)
    bad = {**FORM, "ends_at": "2026-12-20T08:00", "district": "9999"}
    r = client.post("/outreach/workshops/manage/new", data=bad)
    assert r.status_code == 200
    assert 'id="ends_at-error"' in r.text and 'id="district-error"' in r.text
    assert db.session.scalar(select(func.count(Workshop.id))) == 0


@pytest.mark.parametrize("role", [None, "learner", "educator"])
def test_management_pages_are_for_officers_and_admins(app, client, login, f, role):
    w = make_workshop()
    if role:
        client = login(f.user(role, email=f"{role}@example.com"))
    urls = [
        "/outreach/workshops/manage",
        "/outreach/workshops/manage/new",
        f"/outreach/workshops/manage/{w.id}",
        f"/outreach/workshops/manage/{w.id}/checkin",
        f"/outreach/workshops/manage/{w.id}/sheet",
    ]
    for url in urls:
        r = client.get(url)
        assert r.status_code == (403 if role else 302), url
    r = client.post(f"/outreach/workshops/manage/{w.id}/checkin/token", data={"token": "x"})
    assert r.status_code == (403 if role else 302)
    admin = f.user("admin", email="boss@example.com")
    assert login(admin).get("/outreach/workshops/manage").status_code == 200


# -- registration ---------------------------------------------------------------------------


def test_anonymous_registration_needs_consent_and_a_phone(app, client):
    w = make_workshop()
    data = {"name": "สมศรี ใจดี", "phone": "12", "audience": "youth", "district": "5001"}
    r = client.post(f"/outreach/workshops/{w.id}", data=data)
    assert r.status_code == 200
    assert 'id="consent-error"' in r.text and 'id="phone-error"' in r.text
    assert db.session.scalar(select(func.count(WorkshopRegistration.id))) == 0
    r = client.post(
        f"/outreach/workshops/{w.id}", data={**data, "phone": "081-234 5678", "consent": "y"}
    )
    assert r.status_code == 302
    reg = db.session.scalar(select(WorkshopRegistration))
    assert reg.status == CONFIRMED and reg.user_id is None and reg.phone == "0812345678"
    assert reg.consent_at is not None and len(reg.token) >= 32
    assert r.headers["Location"].endswith(f"/outreach/workshops/r/{reg.token}")
    page = client.get(r.headers["Location"]).text
    assert "<svg" in page and 'role="img"' in page
    url = f"http://lms.test/outreach/workshops/t/{reg.token}"
    expected = segno.make(url, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    assert expected.split(">", 1)[1] in page  # the QR encodes the check-in address


def test_same_phone_cannot_register_twice(app):
    w = make_workshop(capacity=5)
    person(w, "A", "0812345678")
    with pytest.raises(workshops.RegistrationError):
        person(w, "A again", "+66 81 234 5678")


def test_logged_in_registration_is_prefilled_and_linked(app, login, f):
    user = f.user("learner", name="มานี มีนา", email="manee@example.com")
    w = make_workshop()
    client = login(user)
    page = client.get(f"/outreach/workshops/{w.id}").text
    assert 'value="มานี มีนา"' in page
    r = client.post(
        f"/outreach/workshops/{w.id}",
        data={
            "name": "มานี มีนา",
            "phone": "0899999999",
            "audience": "youth",
            "district": "5002",
            "consent": "y",
        },
    )
    assert r.status_code == 302
    reg = db.session.scalar(select(WorkshopRegistration))
    assert reg.user_id == user.id
    # Coming back to the workshop page leads to the registration, not to a second one.
    again = client.get(f"/outreach/workshops/{w.id}")
    assert again.status_code == 302 and reg.token in again.headers["Location"]


def test_full_workshop_waitlist_then_promotion_on_cancellation(app, client, f):
    waiting_user = f.user("learner", email="wait@example.com")
    w = make_workshop(capacity=2)
    first = person(w, "One", "0810000001")
    person(w, "Two", "0810000002")
    third = person(w, "Three", "0810000003", user_id=waiting_user.id)
    fourth = person(w, "Four", "0810000004")
    assert (third.status, fourth.status) == (WAITLIST, WAITLIST)
    assert workshops.waitlist_position(third) == 1
    assert workshops.waitlist_position(fourth) == 2
    page = client.get(f"/outreach/workshops/r/{fourth.token}").text
    assert "ท่านอยู่ลำดับที่ 2 ในรายชื่อสำรอง" in page
    # The first person cancels from their own page: the first one waiting gets the place.
    r = client.post(f"/outreach/workshops/r/{first.token}/cancel")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkshopRegistration, first.id).status == CANCELLED
    assert db.session.get(WorkshopRegistration, third.id).status == CONFIRMED
    assert db.session.get(WorkshopRegistration, fourth.id).status == WAITLIST
    assert ("workshop_promoted", [waiting_user.id]) in [(e, r) for e, r, _d in NOTIFIED]
    assert workshops.counts([w.id])[w.id] == {CONFIRMED: 2, WAITLIST: 1, "checked_in": 0}


def test_raising_capacity_promotes_waiting_people(app, login, officer):
    w = make_workshop(capacity=1)
    person(w, "One", "0810000001")
    waiting = person(w, "Two", "0810000002")
    client = login(officer)
    data = {**FORM, "capacity": "2", "audiences": []}
    assert client.post(f"/outreach/workshops/manage/{w.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkshopRegistration, waiting.id).status == CONFIRMED


def test_ended_workshop_refuses_registration(app):
    w = make_workshop(days=-2)
    with pytest.raises(workshops.RegistrationError):
        person(w, "Late", "0810000009")


# -- check-in -------------------------------------------------------------------------------


def post_token(client, w, token, json=True):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        f"/outreach/workshops/manage/{w.id}/checkin/token", data={"token": token}, headers=headers
    )


def test_token_checks_in_once_and_counts_once(app, login, officer, f):
    learner = f.user("learner", email="l@example.com")
    w = make_workshop()
    reg = person(w, "สมชาย", "0811111111", user_id=learner.id, audience="elderly")
    client = login(officer)
    r = post_token(client, w, f"http://lms.test/outreach/workshops/t/{reg.token}")
    assert r.json["status"] == "ok" and r.json["checked_in"] == 1
    assert "สมชาย" in r.json["message"]
    db.session.expire_all()
    stamp = db.session.get(WorkshopRegistration, reg.id).checked_in_at
    assert stamp is not None
    r = post_token(client, w, reg.token)  # the bare token, a second time
    assert r.json["status"] == "already"
    hhmm = stamp.astimezone(BKK).strftime("%H:%M")
    assert hhmm in r.json["message"]
    events = onsite_events()
    assert len(events) == 1
    e = events[0]
    assert (e.source, e.user_id, e.headcount, e.audience, e.district) == (
        f"workshop:{w.id}",
        learner.id,
        1,
        "elderly",
        "5001",
    )
    assert e.occurred_at == w.starts_at


def test_guessed_and_foreign_tokens_are_refused(app, login, officer):
    w = make_workshop()
    other = make_workshop(title="อีกงาน")
    mine = person(w, "A", "0811111111")
    theirs = person(other, "B", "0822222222")
    client = login(officer)
    guess = mine.token[:-1] + ("A" if mine.token[-1] != "A" else "B")
    assert post_token(client, w, guess).json["status"] == "unknown"
    assert post_token(client, w, "").json["status"] == "unknown"
    assert post_token(client, w, "x" * 500).json["status"] == "unknown"
    assert post_token(client, w, theirs.token).json["status"] == "other_workshop"
    db.session.expire_all()
    assert db.session.get(WorkshopRegistration, theirs.id).checked_in_at is None
    assert onsite_events() == []


def test_waitlisted_token_is_not_checked_in(app, login, officer):
    w = make_workshop(capacity=1)
    person(w, "A", "0811111111")
    waiting = person(w, "B", "0822222222")
    r = post_token(login(officer), w, waiting.token)
    assert r.json["status"] == "not_confirmed"
    assert onsite_events() == []


def test_form_post_without_json_flashes_and_redirects(app, login, officer):
    w = make_workshop()
    reg = person(w, "A", "0811111111")
    r = post_token(login(officer), w, reg.token, json=False)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/manage/{w.id}/checkin")


def test_search_by_thai_substring_and_phone_then_check_in(app, login, officer):
    w = make_workshop(capacity=5)
    reg = person(w, "นางสาวมะลิ ดอกไม้", "0861234567")
    person(w, "Somchai", "0870000000")
    assert [r.id for r in checkin.search(w, "มะลิ")] == [reg.id]  # no spaces in Thai
    assert [r.id for r in checkin.search(w, "086-123")] == [reg.id]
    assert checkin.search(w, "%") == []
    client = login(officer)
    page = client.get(f"/outreach/workshops/manage/{w.id}/checkin?q=มะลิ").text
    assert "นางสาวมะลิ" in page and "Somchai" not in page
    r = client.post(f"/outreach/workshops/manage/{w.id}/checkin/{reg.id}", data={"q": "มะลิ"})
    assert r.status_code == 302
    assert len(onsite_events()) == 1
    other = make_workshop(title="other")
    r = client.post(f"/outreach/workshops/manage/{other.id}/checkin/{reg.id}")
    assert r.status_code == 404  # a registration of another workshop


def test_walk_in_is_added_over_capacity_and_checked_in(app, login, officer):
    w = make_workshop(capacity=1)
    person(w, "A", "0811111111")
    client = login(officer)
    data = {
        "walkin-name": "ป้าคำ",
        "walkin-phone": "0891112222",
        "walkin-audience": "elderly",
        "walkin-district": "5007",
        "walkin-consent": "y",
    }
    r = client.post(f"/outreach/workshops/manage/{w.id}/walkin", data=data)
    assert r.status_code == 302, r.text
    reg = db.session.scalar(select(WorkshopRegistration).where(WorkshopRegistration.walk_in))
    assert reg.status == CONFIRMED and reg.checked_in_at is not None
    assert [e.audience for e in onsite_events()] == ["elderly"]
    # The same person again: checked in already, not added twice.
    r = client.post(f"/outreach/workshops/manage/{w.id}/walkin", data=data)
    assert db.session.scalar(select(func.count(WorkshopRegistration.id))) == 2
    assert len(onsite_events()) == 1
    # Without consent: refused, error beside the field.
    r = client.post(
        f"/outreach/workshops/manage/{w.id}/walkin",
        data={**data, "walkin-consent": "", "walkin-phone": "0893334444"},
    )
    assert r.status_code == 400 and 'id="walkin-consent-error"' in r.text


def test_report_counts_the_workshop_and_its_attendees(app, login, officer, f):
    w = make_workshop(capacity=5)
    regs = [person(w, f"P{i}", f"081000000{i}") for i in range(3)]
    client = login(officer)
    for reg in regs[:2]:
        post_token(client, w, reg.token)
        post_token(client, w, reg.token)
    from lms_outreach.fiscal import fiscal_year_of

    data = report.build(fiscal_year_of(w.starts_at))
    assert data["onsite_workshops"] == 1
    assert data["onsite_participants"] == 2


def test_scan_address_shows_officers_a_button_and_others_the_registration(
    app, client, login, officer
):
    w = make_workshop()
    reg = person(w, "A", "0811111111")
    r = client.get(f"/outreach/workshops/t/{reg.token}")
    assert r.status_code == 302 and f"/r/{reg.token}" in r.headers["Location"]
    assert client.get("/outreach/workshops/t/not-a-token").status_code == 404
    page = login(officer).get(f"/outreach/workshops/t/{reg.token}").text
    assert "checkin/token" in page
    assert onsite_events() == []  # GET changes nothing


def test_cancel_after_check_in_is_refused(app, login, officer):
    w = make_workshop()
    reg = person(w, "A", "0811111111")
    client = login(officer)
    post_token(client, w, reg.token)
    r = client.post(f"/outreach/workshops/manage/{w.id}/registrations/{reg.id}/cancel")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkshopRegistration, reg.id).status == CONFIRMED


# -- sheet, reminders, pages ----------------------------------------------------------------


def test_sign_in_sheet_is_thai_with_be_date_and_masked_phones(app, login, officer):
    w = make_workshop(capacity=3)
    person(w, "สมหญิง รักเรียน", "0812345678")
    page = login(officer).get(f"/outreach/workshops/manage/{w.id}/sheet").text
    assert "ใบลงชื่อ" in page and "สมหญิง รักเรียน" in page
    be = w.starts_at.astimezone(BKK).year + 543
    assert str(be) in page
    assert "081-xxx-5678" in page and "0812345678" not in page
    css = (Path(workshops.__file__).parent / "static" / "workshops.css").read_text("utf-8")
    assert "@media print" in css and "@page" in css


def test_reminders_for_confirmed_account_holders_of_workshops_in_the_window(app, f):
    a = f.user("learner", email="a@example.com")
    b = f.user("learner", email="b@example.com")
    c = f.user("learner", email="c@example.com")
    w = make_workshop(capacity=2, days=1)
    later = make_workshop(days=5, title="later")
    person(w, "A", "0810000001", user_id=a.id)
    person(w, "Anon", "0810000002")  # no account: nobody to notify
    person(w, "B", "0810000003", user_id=b.id)  # waiting list
    person(later, "C", "0810000004", user_id=c.id)
    start = w.starts_at - timedelta(hours=1)
    found = plugins.call("lms_notify_reminders", start=start, end=start + timedelta(hours=2))
    assert len(found) == 1
    item = found[0]
    assert item["event"] == "workshop_reminder"
    assert item["recipients"] == [a.id]
    assert item["at"] == w.starts_at
    assert item["key"] == f"workshop:{w.id}:day-before"
    assert item["data"]["title"] == w.title and item["data"]["workshop_id"] == w.id


def test_workshop_reminder_event_type_is_declared(app):
    pytest.importorskip("lms_notify")
    from lms_notify import events

    types = events.registry()
    assert {"workshop_reminder", "workshop_promoted"} <= set(types)
    with app.test_request_context():
        subject, text, url = events.render(
            "workshop_reminder",
            {
                "workshop_id": 1,
                "title": "ทำขนม",
                "place": "วัด",
                "starts_at": "2026-12-20T02:00:00+00:00",
            },
            "th",
        )
    assert "ทำขนม" in subject and "20 ธ.ค. 2569 09:00 น." in text
    assert url.endswith("/outreach/workshops/1")


def test_public_list_and_detail_pages(app, client):
    w = make_workshop(capacity=1)
    make_workshop(days=-3, title="ended long ago")
    page = client.get("/outreach/workshops/").text
    assert w.title in page and "ended long ago" not in page
    person(w, "A", "0811111111")
    page = client.get(f"/outreach/workshops/{w.id}").text
    assert "Bring a pen" in page
    assert 'name="consent"' in page
    assert client.get("/outreach/workshops/99999").status_code == 404
    assert client.get("/outreach/workshops/r/nope").status_code == 404


def test_personal_data_export_and_erase(app, f):
    user = f.user("learner", email="pdpa@example.com")
    w = make_workshop()
    reg = person(w, "สมปอง", "0812223333", user_id=user.id)
    person(w, "Other", "0814445555")
    from lms.auth.account import erase_account, export_data

    section = export_data(user)["plugins"]["lms_outreach"]["outreach_workshop_registrations"]
    assert [(r["name"], r["phone"], r["workshop"]) for r in section] == [
        ("สมปอง", "0812223333", w.title)
    ]
    old_token = reg.token
    erase_account(user)
    db.session.commit()
    db.session.expire_all()
    erased = db.session.get(WorkshopRegistration, reg.id)
    assert (erased.name, erased.phone) == ("-", "")
    assert erased.token != old_token and workshops.by_token(old_token) is None
    assert erased.status == CONFIRMED  # the place and the counts stay
    assert (
        db.session.scalar(
            select(WorkshopRegistration.name).where(WorkshopRegistration.phone == "0814445555")
        )
        == "Other"
    )


# -- headcount-only activities (issue 6, item 3) --------------------------------------------


def test_headcount_activity_with_group_breakdown_counts_in_totals_not_people(
    app, login, officer, f
):
    from lms_outreach import headcounts

    client = login(officer)
    data = {
        "kind": "event",
        "title": "งานมหกรรมการศึกษา",
        "day": "2566-01-15",  # a Buddhist Era year typed into the date field
        "district": "5001",
        "total": "300",
        "group_youth": "120",
        "group_elderly": "80",
    }
    r = client.post("/outreach/headcounts/", data=data)
    assert r.status_code == 302, r.text
    rows = db.session.scalars(select(OutreachEvent).order_by(OutreachEvent.id)).all()
    assert sorted((e.audience or "", e.headcount) for e in rows) == [
        ("", 100),
        ("elderly", 80),
        ("youth", 120),
    ]
    assert {e.source for e in rows} == {rows[0].source} and rows[0].source.startswith("headcount:")
    assert all(e.user_id is None and e.district == "5001" for e in rows)
    assert rows[0].occurred_at == datetime(2023, 1, 14, 17, 0, tzinfo=UTC)  # 15 Jan 00:00 BKK
    data_2566 = report.build(2566)
    assert data_2566["other_events"] == 1
    assert data_2566["other_participants"] == 300
    assert data_2566["total_participants"] == 300
    assert data_2566["unique_participants"] == 0
    assert data_2566["by_group"]["youth"]["participants"] == 120
    page = client.get("/outreach/headcounts/").text
    assert "งานมหกรรมการศึกษา" in page and "15 ม.ค. 2566" in page
    # Delete it again: only headcount sources can be deleted here.
    source = rows[0].source
    assert headcounts.remove("workshop:1") == 0
    r = client.post("/outreach/headcounts/delete", data={"source": source})
    assert r.status_code == 302
    assert db.session.scalar(select(func.count(OutreachEvent.id))) == 0


def test_headcount_groups_cannot_exceed_the_total(app, login, officer):
    client = login(officer)
    data = {"kind": "event", "title": "Fair", "day": "2023-01-15", "total": "10"}
    r = client.post("/outreach/headcounts/", data={**data, "group_youth": "11"})
    assert r.status_code == 200 and 'id="total-error"' in r.text
    assert db.session.scalar(select(func.count(OutreachEvent.id))) == 0
    r = client.post("/outreach/headcounts/", data={**data, "kind": "course_enrolment"})
    assert r.status_code == 200 and 'id="kind-error"' in r.text


def test_headcount_page_is_for_officers(app, login, f):
    client = login(f.user("learner", email="x@example.com"))
    assert client.get("/outreach/headcounts/").status_code == 403


def test_public_registration_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, OUTREACH_REGISTER_RATE_LIMIT="2 per hour")
    with app.app_context():
        seed_missing()
        db.session.commit()
        w = make_workshop(capacity=10)
        client = app.test_client()
        codes = [
            client.post(
                f"/outreach/workshops/{w.id}",
                data={
                    "name": f"P{i}",
                    "phone": f"081000000{i}",
                    "audience": "youth",
                    "district": "5001",
                    "consent": "y",
                },
            ).status_code
            for i in range(3)
        ]
        assert codes == [302, 302, 429]
        assert client.get(f"/outreach/workshops/{w.id}").status_code == 200  # reading is free


def test_notification_plugin_raises_the_workshop_reminder_the_day_before(app, f):
    reminders = pytest.importorskip("lms_notify.reminders")
    a = f.user("learner", email="a@example.com")
    now_local = datetime(2026, 12, 19, 9, 5, tzinfo=BKK)  # after 09:00 the day before
    start = datetime(2026, 12, 20, 14, 0, tzinfo=BKK).astimezone(UTC)
    w = Workshop(
        title="ปั้นดิน",
        place="วัด",
        district="5001",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
    )
    db.session.add(w)
    db.session.commit()
    person(w, "A", "0810000001", user_id=a.id, now=start - timedelta(days=3))
    NOTIFIED.clear()
    reminders.run(now_local.astimezone(UTC))
    raised = [(e, r, d) for e, r, d in NOTIFIED if e == "workshop_reminder"]
    assert [(e, r) for e, r, _d in raised] == [("workshop_reminder", [a.id])]
    assert raised[0][2]["key"] == f"workshop:{w.id}:day-before:day"
    NOTIFIED.clear()
    reminders.run(datetime(2026, 12, 18, 9, 5, tzinfo=BKK).astimezone(UTC))  # two days before
    assert [e for e, _r, _d in NOTIFIED if e == "workshop_reminder"] == []
