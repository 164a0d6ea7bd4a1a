"""Live online classes: Bangkok times stored in UTC, the join window, attendance, events."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from lms_live.models import Attendance, LiveSession

from lms import hookimpl
from lms.courses import add_enrolment
from lms.extensions import db
from lms.models.base import utcnow
from lms.progress import get_progress
from lms.teach.services import add_activity
from tests.unit.content_helpers import add, base_fields, setup_course

BKK = ZoneInfo("Asia/Bangkok")


def _local(dt: datetime) -> str:
    return dt.astimezone(BKK).strftime("%Y-%m-%dT%H:%M")


def _live(app, course, start: datetime, minutes: int = 60, capacity=None, opens=15):
    activity = add_activity(course.sections[0], "live", title="Live", completion="auto")
    app.extensions["lms"].content.get("live").import_data(
        activity,
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
            "join_url": "https://meet.example/abc",
            "capacity": capacity,
            "opens_minutes_before": opens,
        },
    )
    db.session.commit()
    return activity


def test_form_times_are_bangkok_and_stored_utc(login, f):
    teacher, course, _learner = setup_course(f)
    client = login(teacher)
    activity = add(
        client,
        course,
        "live",
        base_fields(
            "ห้องเรียนสด",
            "auto",
            live_starts_at="2026-12-01T19:00",
            live_ends_at="2026-12-01T20:30",
            live_join_url="https://zoom.example/j/1",
            live_capacity="30",
            live_opens_minutes="10",
        ),
    )
    session = db.session.get(LiveSession, activity.id)
    assert session.starts_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
    assert session.capacity == 30 and session.opens_minutes_before == 10
    form = client.get(f"/teach/activity/{activity.id}/edit").text
    assert 'value="2026-12-01T19:00"' in form
    r = client.post(
        f"/teach/section/{course.sections[0].id}/add/live",
        data=base_fields(
            "bad",
            "auto",
            live_starts_at="2026-12-01T19:00",
            live_ends_at="2026-12-01T18:00",
            live_join_url="https://zoom.example/j/1",
        ),
    )
    assert 'id="live_ends_at-error"' in r.text


def test_join_button_only_inside_the_window(app, login, f):
    _teacher, course, learner = setup_course(f)
    later = _live(app, course, utcnow() + timedelta(hours=2))
    add_enrolment(learner, course)
    db.session.commit()
    client = login(learner)
    page = client.get(f"/activity/{later.id}").text
    assert 'id="join-class" disabled' in page
    r = client.post(f"/live/{later.id}/join")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/activity/{later.id}")
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 0


def test_joining_records_attendance_completion_and_participation(app, login, f):
    events = []

    class Recorder:
        @hookimpl
        def lms_participation_record(self, app, event):
            events.append(event)

    app.extensions["lms"].plugins.register(Recorder(), "test_recorder")
    _teacher, course, learner = setup_course(f)
    soon = _live(app, course, utcnow() + timedelta(minutes=10), opens=15)
    add_enrolment(learner, course)
    db.session.commit()
    client = login(learner)
    page = client.get(f"/activity/{soon.id}").text
    assert 'target="_blank" rel="noopener noreferrer"' in page
    r = client.post(f"/live/{soon.id}/join")
    assert r.status_code == 303 and r.headers["Location"] == "https://meet.example/abc"
    db.session.expire_all()
    (row,) = db.session.scalars(db.select(Attendance)).all()
    assert row.user_id == learner.id and row.attended and row.joined_at is not None
    assert get_progress(learner, soon).completed_at is not None
    online = [e for e in events if e.kind == "online_class"]
    assert len(online) == 1 and online[0].source == f"live:{soon.id}"
    client.post(f"/live/{soon.id}/join")  # joining again is not a second participant
    assert len([e for e in events if e.kind == "online_class"]) == 1


def test_capacity(app, login, f):
    _teacher, course, learner = setup_course(f)
    other = f.user(locale="en")
    live = _live(app, course, utcnow() - timedelta(minutes=5), capacity=1)
    for u in (learner, other):
        add_enrolment(u, course)
    db.session.commit()
    assert login(learner).post(f"/live/{live.id}/join").status_code == 303
    r = login(other).post(f"/live/{live.id}/join")
    assert r.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 1


def test_educator_edits_attendance_and_adds_recording(app, login, f):
    teacher, course, learner = setup_course(f)
    other = f.user(locale="en")
    live = _live(app, course, utcnow() - timedelta(hours=3))
    for u in (learner, other):
        add_enrolment(u, course)
    db.session.commit()
    client = login(teacher)
    page = client.get(f"/live/{live.id}/attendance").text
    assert learner.name in page and other.name in page
    client.post(f"/live/{live.id}/attendance", data={"present": [str(other.id)]})
    db.session.expire_all()
    rows = {a.user_id: a.attended for a in db.session.scalars(db.select(Attendance))}
    assert rows == {other.id: True}
    assert get_progress(other, live).completed_at is not None
    client.post(f"/live/{live.id}/attendance", data={})
    db.session.expire_all()
    assert not db.session.scalars(db.select(Attendance)).one().attended
    assert login(learner).get(f"/live/{live.id}/attendance").status_code == 403
    page = login(learner).get(f"/activity/{live.id}").text
    assert "join-class" not in page  # ended
    ct = app.extensions["lms"].content.get("live")
    data = ct.export_data(live)
    data["recording_url"] = "https://video.example/rec"
    ct.import_data(SimpleNamespace(id=live.id), data)
    db.session.commit()
    assert "https://video.example/rec" in login(learner).get(f"/activity/{live.id}").text


def test_schedule_is_exposed(app, f):
    from lms_live import sessions_between

    _teacher, course, _learner = setup_course(f)
    start = utcnow() + timedelta(days=1)
    live = _live(app, course, start)
    found = sessions_between(start - timedelta(hours=1), start + timedelta(hours=1))
    assert [s.activity_id for s in found] == [live.id]
