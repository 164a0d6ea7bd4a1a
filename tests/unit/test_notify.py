"""Notifications on the embedded default: no Redis, tasks run in-process after the commit."""

from __future__ import annotations

import email
import email.policy
import glob
import json
import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lms.courses import add_enrolment
from lms.extensions import db
from lms.notify import notify


@pytest.fixture
def mails(app):
    def read():
        out = []
        for path in sorted(glob.glob(os.path.join(app.config["MAIL_FOLDER"], "*.eml"))):
            with open(path, "rb") as fh:
                out.append(email.message_from_bytes(fh.read(), policy=email.policy.default))
        return out

    return read


def deliveries(**where):
    from lms_notify.models import Delivery

    stmt = select(Delivery)
    for k, v in where.items():
        stmt = stmt.where(getattr(Delivery, k) == v)
    return list(db.session.scalars(stmt))


def test_celery_is_eager_without_redis(app):
    assert app.config["CELERY"]["task_always_eager"] is True
    assert "lms_notify.deliver" in app.extensions["celery"].tasks


def test_celery_uses_redis_url(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:6399/3")
    conf = app.extensions["celery"].conf
    assert conf.broker_url == "redis://127.0.0.1:6399/3"
    assert conf.task_always_eager is False
    assert conf.task_acks_late is True
    assert "lms-notify-sweep" in conf.beat_schedule


def test_enrolment_sends_one_email_and_one_inapp_message(app, f, mails):
    from lms_notify_inapp.models import InappMessage

    learner = f.user(locale="th")
    course = f.course(title="ภาษาไทยเบื้องต้น")
    add_enrolment(learner, course)
    db.session.commit()
    got = mails()
    assert len(got) == 1
    msg = got[0]
    assert msg["To"] == learner.email
    assert msg["Subject"] == "คุณลงทะเบียนเรียน ภาษาไทยเบื้องต้น แล้ว"  # Thai user, Thai template
    rows = deliveries(event="enrolled", channel="email")
    assert len(rows) == 1 and rows[0].status == "sent"
    import uuid

    expected = uuid.uuid5(uuid.NAMESPACE_URL, "lms-notify:" + rows[0].key)
    assert msg["Message-ID"].startswith(f"<{expected}@")
    parts = {p.get_content_type() for p in msg.walk()}
    assert {"text/plain", "text/html"} <= parts
    inapp = list(db.session.scalars(select(InappMessage)))
    assert [m.user_id for m in inapp] == [learner.id]
    # Raising the same event again (same key) never sends twice.
    n_before = len(mails())
    enrol_id = rows[0].key.split(":")[1]
    notify("enrolled", [learner.id], {"course_id": course.id, "key": enrol_id})
    db.session.commit()
    assert len(mails()) == n_before
    assert len(deliveries(event="enrolled", channel="email", key=rows[0].key)) == 1


def test_english_user_gets_english_email(app, f, mails):
    learner = f.user(locale="en")
    add_enrolment(learner, f.course(title="Basic Thai"))
    db.session.commit()
    body = mails()[0].get_body(("plain",)).get_content()
    assert "Hello" in body and "Basic Thai" in body


def test_rolled_back_transaction_sends_nothing(app, f, mails):
    learner = f.user()
    notify("announcement", [learner.id], {"subject": "S", "body": "B"})
    db.session.rollback()
    assert mails() == [] and deliveries() == []


def test_quiet_until_wraps_midnight():
    from lms_notify.prefs import quiet_until

    bkk = ZoneInfo("Asia/Bangkok")
    late = datetime(2026, 1, 5, 22, 30, tzinfo=bkk).astimezone(UTC)
    assert quiet_until(late, "21:00", "07:00", bkk) == datetime(2026, 1, 6, 7, 0, tzinfo=bkk)
    early = datetime(2026, 1, 5, 6, 0, tzinfo=bkk).astimezone(UTC)
    assert quiet_until(early, "21:00", "07:00", bkk) == datetime(2026, 1, 5, 7, 0, tzinfo=bkk)
    noon = datetime(2026, 1, 5, 12, 0, tzinfo=bkk).astimezone(UTC)
    assert quiet_until(noon, "21:00", "07:00", bkk) is None
    assert quiet_until(noon, "11:00", "13:00", bkk) == datetime(2026, 1, 5, 13, 0, tzinfo=bkk)


def _quiet_now(user_id):
    from lms_notify import prefs

    now = datetime.now(ZoneInfo("Asia/Bangkok"))
    start = (now - timedelta(hours=1)).strftime("%H:%M")
    end = (now + timedelta(hours=2)).strftime("%H:%M")
    prefs.set_quiet(user_id, True, start, end)
    db.session.commit()


def test_quiet_hours_hold_pushes_but_not_the_bell(app, f, mails):
    from lms_notify import outbox

    learner = f.user()
    _quiet_now(learner.id)
    notify("announcement", [learner.id], {"subject": "Tonight", "body": "B"})
    db.session.commit()
    assert mails() == []
    (email_row,) = deliveries(channel="email")
    assert email_row.status == "pending" and email_row.not_before > datetime.now(UTC)
    assert deliveries(channel="inapp")[0].status == "sent"
    assert outbox.due_ids(grace_seconds=0) == []  # the sweep leaves it alone
    email_row.not_before = datetime.now(UTC) - timedelta(seconds=1)  # quiet hours over
    db.session.commit()
    outbox.dispatch(outbox.due_ids(grace_seconds=0))
    assert len(mails()) == 1


def test_preferences_never_and_daily_digest(app, f, mails, login):
    from lms_notify import digests

    learner = f.user()
    client = login(learner)
    r = client.get("/notify/preferences")
    assert r.status_code == 200 and "mode-announcement-email" in r.text
    r = client.post(
        "/notify/preferences",
        data={
            "mode-announcement-email": "never",
            "mode-announcement-inapp": "daily",
            "quiet_enabled": "",
            "quiet_start": "21:00",
            "quiet_end": "07:00",
        },
    )
    assert r.status_code == 302
    for i in range(3):
        notify("announcement", [learner.id], {"subject": f"News {i}", "body": "B"})
    db.session.commit()
    assert deliveries(channel="email") == []
    assert {d.status for d in deliveries(channel="inapp")} == {"held"}
    assert digests.build("daily") == 1
    (digest,) = deliveries(event="digest")
    assert digest.status == "sent"
    assert [i["subject"] for i in digest.data["items"]] == ["News 0", "News 1", "News 2"]
    assert {d.status for d in deliveries(event="announcement")} == {"digested"}
    assert digests.build("daily") == 0


def test_bad_quiet_hours_show_error_beside_field(app, f, login):
    client = login(f.user())
    r = client.post("/notify/preferences", data={"quiet_start": "25:00", "quiet_end": "07:00"})
    assert r.status_code == 200
    assert 'id="quiet_start-error"' in r.text and "ชช:นน" in r.text  # Thai by default


def test_transient_errors_retry_with_backoff_then_fail(app, f, monkeypatch):
    from lms_notify import outbox
    from lms_notify.channels import TransientError
    from lms_notify_email import EmailChannel

    calls = []

    def flaky(self, message):
        calls.append(message.key)
        raise TransientError("SMTP 451")

    monkeypatch.setattr(EmailChannel, "send", flaky)
    app.config.update(NOTIFY_MAX_ATTEMPTS=3, NOTIFY_RETRY_BASE_SECONDS=10)
    learner = f.user()
    notify("announcement", [learner.id], {"subject": "S", "body": "B"})
    db.session.commit()
    (row,) = deliveries(channel="email")
    assert row.status == "pending" and row.attempts == 1
    assert row.not_before > datetime.now(UTC) + timedelta(seconds=8)
    assert outbox.backoff(1) == 10 and outbox.backoff(2) == 20 and outbox.backoff(3) == 40
    row_id = row.id
    for _ in range(2):
        row.not_before = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
        outbox.deliver([row_id])
        row = db.session.get(type(row), row_id)
    assert row.status == "failed" and row.attempts == 3 and "451" in row.last_error
    assert len(calls) == 3


def test_permanent_failure_listed_for_admin_and_retried(app, f, login, monkeypatch, mails):
    from lms_notify.channels import PermanentError
    from lms_notify_email import EmailChannel

    real_send = EmailChannel.send

    def refuse(self, message):
        raise PermanentError("SMTP 550")

    monkeypatch.setattr(EmailChannel, "send", refuse)
    learner = f.user()
    notify("announcement", [learner.id], {"subject": "S", "body": "B"})
    db.session.commit()
    (row,) = deliveries(channel="email")
    assert row.status == "failed" and row.attempts == 1
    admin = f.user("admin")
    client = login(admin)
    assert login.client.get("/notify/admin").status_code == 200
    page = client.get("/notify/admin").text
    assert "SMTP 550" in page and 'name="delivery_id"' in page, page
    login(learner)
    assert client.get("/notify/admin").status_code == 403
    monkeypatch.setattr(EmailChannel, "send", real_send)
    login(admin)
    r = client.post("/notify/admin/retry", data={"delivery_id": str(row.id)})
    assert r.status_code == 302
    db.session.refresh(row)
    assert row.status == "sent" and len(mails()) == 1


def test_inbox_bell_and_mark_read(app, f, login):
    from lms_notify_inapp.models import InappMessage

    learner, other = f.user(), f.user()
    notify("announcement", [learner.id, other.id], {"subject": "Hello all", "body": "B"})
    db.session.commit()
    client = login(learner)
    home = client.get("/notify/inbox/")
    assert "Hello all" in home.text
    assert "การแจ้งเตือน (ยังไม่อ่าน 1)" in home.text, home.text[:3000]  # the bell
    mine = db.session.scalar(select(InappMessage).where(InappMessage.user_id == learner.id))
    theirs = db.session.scalar(select(InappMessage).where(InappMessage.user_id == other.id))
    assert client.post(f"/notify/inbox/{theirs.id}/read").status_code == 404
    assert client.post(f"/notify/inbox/{mine.id}/read").status_code == 302
    db.session.expire_all()
    assert db.session.get(InappMessage, mine.id).read_at is not None
    assert db.session.get(InappMessage, theirs.id).read_at is None
    assert "ยังไม่อ่าน" not in client.get("/notify/inbox/").text


def test_cli_announce_to_course_status_and_retry(app, f):
    from lms_notify.models import Announcement

    course = f.course()
    learners = [f.user() for _ in range(5)]
    for u in learners:
        add_enrolment(u, course)
    outsider = f.user()
    db.session.commit()
    app.config["NOTIFY_FANOUT_BATCH"] = 2  # several batches
    runner = app.test_cli_runner()
    r = runner.invoke(
        args=[
            "notify",
            "announce",
            "--course",
            str(course.id),
            "--subject",
            "ปิดปรับปรุง",
            "--body",
            "B",
        ]
    )
    assert r.exit_code == 0, r.output
    db.session.expire_all()
    a = db.session.scalars(select(Announcement).where(Announcement.event == "announcement")).one()
    assert a.status == "done" and a.queued == 5 and a.total == 5
    got = {d.user_id for d in deliveries(event="announcement", channel="inapp")}
    assert got == {u.id for u in learners} and outsider.id not in got
    r = runner.invoke(args=["notify", "status"])
    assert r.exit_code == 0 and "inapp" in r.output and "email" in r.output
    r = runner.invoke(
        args=["notify", "announce", "--all", "--course", "1", "--subject", "s", "--body", "b"]
    )
    assert r.exit_code != 0
    r = runner.invoke(args=["notify", "retry-failed"])
    assert r.exit_code == 0 and "0 failed" in r.output


def test_educator_announces_to_own_course_only(app, f, login):
    teacher = f.user("educator")
    course = f.course(teacher=teacher)
    other_course = f.course()
    learner = f.user()
    add_enrolment(learner, course)
    db.session.commit()
    client = login(teacher)
    assert client.get(f"/notify/announce/course/{other_course.id}").status_code == 403
    r = client.post(
        f"/notify/announce/course/{course.id}", data={"subject": "Room change", "body": "Room 2"}
    )
    assert r.status_code == 302
    page = client.get(r.headers["Location"])
    assert page.status_code == 200 and "Room change" in page.text
    assert {d.user_id for d in deliveries(event="announcement")} == {learner.id}


def test_line_link_webhook_and_push(app, f, line_server):
    import base64
    import hashlib
    import hmac

    from lms_notify_line.models import LineLink

    app.config.update(
        LINE_API_BASE=line_server.url, LINE_CHANNEL_TOKEN="tok", LINE_CHANNEL_SECRET="sec"
    )
    learner = f.user()
    db.session.add(LineLink(user_id=learner.id, code="LMS-123456"))
    db.session.commit()
    body = json.dumps(
        {
            "events": [
                {
                    "type": "message",
                    "message": {"type": "text", "text": "lms-123456"},
                    "source": {"userId": "U1234"},
                }
            ]
        }
    ).encode()
    client = app.test_client()
    assert (
        client.post(
            "/notify/line/webhook", data=body, headers={"X-Line-Signature": "bad"}
        ).status_code
        == 403
    )
    sig = base64.b64encode(hmac.new(b"sec", body, hashlib.sha256).digest()).decode()
    r = client.post("/notify/line/webhook", data=body, headers={"X-Line-Signature": sig})
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.get(LineLink, learner.id).line_user_id == "U1234"
    line_server.fail_next = [500]  # a transient error first
    notify("announcement", [learner.id], {"subject": "สวัสดี", "body": "B"})
    db.session.commit()
    (row,) = deliveries(channel="line")
    assert row.status == "pending" and row.attempts == 1
    row.not_before = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    from lms_notify import outbox

    row_id = row.id
    outbox.deliver([row_id])
    row = db.session.get(type(row), row_id)
    assert row.status == "sent"
    assert len(line_server.pushes) == 1
    push = line_server.pushes[0]
    assert push["body"]["to"] == "U1234" and "สวัสดี" in push["body"]["messages"][0]["text"]
    assert push["headers"]["Authorization"] == "Bearer tok"
    assert len(line_server.retry_keys) == 2 and len(set(line_server.retry_keys)) == 1


class _LineServer:
    """A loopback HTTP server speaking LINE's push endpoint (/v2/bot/message/push)."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        server = self
        self.pushes: list[dict] = []
        self.retry_keys: list[str] = []
        self.fail_next: list[int] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path != "/v2/bot/message/push":
                    self.send_response(404)
                    self.end_headers()
                    return
                server.retry_keys.append(self.headers.get("X-Line-Retry-Key", ""))
                if server.fail_next:
                    self.send_response(server.fail_next.pop(0))
                    self.end_headers()
                    return
                server.pushes.append({"headers": dict(self.headers), "body": json.loads(body)})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def line_server():
    s = _LineServer()
    yield s
    s.close()


def test_worker_and_beat_need_redis(app):
    runner = app.test_cli_runner()
    for command in ("worker", "beat"):
        result = runner.invoke(args=[command])
        assert result.exit_code != 0 and "LMS_REDIS_URL" in result.output


def test_tick_delivers_what_waits(app, f, mails, monkeypatch):
    from lms_notify.channels import TransientError
    from lms_notify_email import EmailChannel

    real = EmailChannel.send
    monkeypatch.setattr(
        EmailChannel, "send", lambda self, m: (_ for _ in ()).throw(TransientError("451"))
    )
    learner = f.user()
    notify("announcement", [learner.id], {"subject": "Later", "body": "B"})
    db.session.commit()
    (row,) = deliveries(channel="email")
    row.not_before = datetime.now(UTC) - timedelta(seconds=1)  # the backoff has passed
    db.session.commit()
    monkeypatch.setattr(EmailChannel, "send", real)
    result = app.test_cli_runner().invoke(args=["notify", "tick"])
    assert result.exit_code == 0 and "1 waiting" in result.output
    assert len(mails()) == 1


def test_new_course_reaches_site_learners_by_their_default_modes(app, f):
    from lms.teach import services

    learner = f.user()
    add_enrolment(learner, f.course())
    db.session.commit()
    new = f.course(published=False, title="Pottery")
    services.set_published(new, True)
    db.session.commit()
    rows = {d.channel: d for d in deliveries(event="course_published")}
    assert set(rows) == {"inapp", "email"} and rows["inapp"].user_id == learner.id
    assert rows["inapp"].status == "sent"
    assert rows["email"].status == "held" and rows["email"].digest == "weekly"


def test_reminder_raised_in_advance_waits_for_its_time(app, f, mails):
    from lms_notify import outbox

    learner = f.user()
    soon = (datetime.now(UTC) + timedelta(hours=23)).isoformat()
    data = {"subject": "Live class tomorrow", "body": "B", "key": "live42-24h", "not_before": soon}
    notify("live_class_reminder", [learner.id], data)
    notify("live_class_reminder", [learner.id], data)  # re-planned: still one per channel
    db.session.commit()
    rows = deliveries(event="live_class_reminder")
    assert len(rows) == 2 and {r.status for r in rows} == {"pending"}
    assert mails() == [] and outbox.due_ids(grace_seconds=0) == []
