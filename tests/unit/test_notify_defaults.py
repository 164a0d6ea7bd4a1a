"""Per-audience default preferences, the ``.invalid`` skip, and the batch outcome in one commit."""

from __future__ import annotations

import email
import email.policy
import glob
import os
import re

import pytest
from sqlalchemy import select

from lms import hookimpl
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


class Groups:
    """A throwaway plugin putting chosen users into audience groups."""

    def __init__(self, members: dict[int, list[str]]) -> None:
        self.members = members

    @hookimpl
    def lms_audience_groups_for(self, app, user):
        return self.members.get(user.id, [])


def by_channel(event: str, user_id: int):
    from lms_notify.models import Delivery

    rows = db.session.scalars(
        select(Delivery).where(Delivery.event == event, Delivery.user_id == user_id)
    )
    return {d.channel: d for d in rows}


def test_elderly_default_no_email_staff_default_email_right_away(app, f):
    elder, staff, other = f.user(), f.user(), f.user()
    app.extensions["lms"].plugins.register(
        Groups({elder.id: ["elderly"], staff.id: ["staff", "general_public"]}), "t_groups"
    )
    notify("announcement", [elder.id, staff.id, other.id], {"subject": "S", "body": "B"})
    notify("course_published", [elder.id, staff.id, other.id], {"course_title": "Pottery"})
    db.session.commit()
    assert set(by_channel("announcement", elder.id)) == {"inapp"}  # email: never
    assert set(by_channel("announcement", other.id)) == {"inapp", "email"}
    # A new course: weekly by email for most, right away for staff, not at all for the elderly.
    assert by_channel("course_published", other.id)["email"].status == "held"
    assert by_channel("course_published", staff.id)["email"].status == "sent"
    assert "email" not in by_channel("course_published", elder.id)


def test_stored_preference_beats_the_group_default(app, f):
    from lms_notify import prefs

    elder = f.user()
    app.extensions["lms"].plugins.register(Groups({elder.id: ["elderly"]}), "t_groups")
    prefs.set_mode(elder.id, "announcement", "email", "immediate")
    db.session.commit()
    notify("announcement", [elder.id], {"subject": "S", "body": "B"})
    db.session.commit()
    assert by_channel("announcement", elder.id)["email"].status == "sent"


def test_group_defaults_are_configuration(app, f):
    elder = f.user()
    app.extensions["lms"].plugins.register(Groups({elder.id: ["elderly"]}), "t_groups")
    app.config["NOTIFY_AUDIENCE_DEFAULTS"] = {"elderly": {"announcement": {"email": "daily"}}}
    notify("announcement", [elder.id], {"subject": "S", "body": "B"})
    notify("enrolled", [elder.id], {"course_title": "Herbs"})
    db.session.commit()
    assert by_channel("announcement", elder.id)["email"].status == "held"
    assert by_channel("enrolled", elder.id)["email"].status == "sent"  # not named: default


def test_preferences_page_shows_the_group_default(app, f, login):
    elder = f.user()
    app.extensions["lms"].plugins.register(Groups({elder.id: ["elderly"]}), "t_groups")
    client = login(elder)
    page = client.get("/notify/preferences").text
    select_email = re.search(r'<select id="mode-announcement-email".*?</select>', page, re.S)
    assert select_email and '<option value="never" selected>' in select_email.group(0)


def test_invalid_tld_addresses_are_skipped_not_failed(app, f, mails):
    from lms_notify.outbox import counts_by_channel

    child = f.user(email="child-17@accounts.invalid")
    gone = f.user(email="deleted-3@invalid")
    adult = f.user(email="adult@example.com")
    notify("announcement", [child.id, gone.id, adult.id], {"subject": "S", "body": "B"})
    db.session.commit()
    assert by_channel("announcement", child.id)["email"].status == "skipped"
    assert by_channel("announcement", gone.id)["email"].status == "skipped"
    assert by_channel("announcement", gone.id)["email"].attempts == 1  # never retried
    assert by_channel("announcement", adult.id)["email"].status == "sent"
    assert [m["To"] for m in mails()] == ["adult@example.com"]
    email = counts_by_channel()["email"]
    assert email.get("failed", 0) == 0 and email["skipped"] == 2
    result = app.test_cli_runner().invoke(args=["notify", "status"])
    assert "skipped" in result.output


def test_is_reserved():
    from lms_notify_email import is_reserved

    assert is_reserved("a@b.invalid") and is_reserved("a@INVALID.") and is_reserved("x@invalid")
    assert not is_reserved("a@invalid.example.com") and not is_reserved("a@example.com")


def test_admin_sees_fanout_progress_with_skipped(app, f, login):
    from lms_notify.models import Announcement

    admin = f.user("admin")
    for i in range(3):
        f.user(email=f"learner{i}@example.com")
    f.user(email="child@kids.invalid")
    app.config["NOTIFY_FANOUT_BATCH"] = 2  # several fan-out batches
    r = app.test_cli_runner().invoke(
        args=["notify", "announce", "--all", "--subject", "Flood", "--body", "Roads closed"]
    )
    assert r.exit_code == 0, r.output
    a = db.session.scalars(select(Announcement)).one()
    client = login(admin)
    page = client.get(f"/notify/announcements/{a.id}").text
    total = 2 * 5  # five active users (admin included), email and in-site each
    assert f'<progress id="ann-progress" max="{total}" value="{total}">' in page
    assert 'http-equiv="refresh"' not in page  # finished: no more reloading
    skipped = re.search(r"ข้าม \(ไม่มีที่อยู่ที่ส่งถึงได้\)</dt><dd>(\d+)</dd>", page)
    assert skipped and skipped.group(1) == "1"
    login(f.user())
    assert client.get(f"/notify/announcements/{a.id}").status_code == 403


class FakeRedis:
    """Just enough of redis-py for the sent ledger."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def mget(self, keys):
        return [self.data.get(k) for k in keys]

    def pipeline(self, transaction=False):
        fake = self

        class Pipe:
            def __init__(self):
                self.ops = []

            def set(self, key, value, ex=None):
                self.ops.append((key, value))

            def execute(self):
                fake.data.update(self.ops)

        return Pipe()

    def delete(self, *keys):
        for k in keys:
            self.data.pop(k, None)


def test_batch_killed_before_its_commit_is_not_sent_again(app, f, monkeypatch):
    """The sent ledger: a batch whose messages were accepted but whose one commit never
    happened (the worker died) is marked sent by the next worker without sending again."""
    from datetime import UTC, datetime, timedelta

    from lms_notify import ledger, outbox
    from lms_notify.models import Delivery
    from lms_notify_email import EmailChannel

    fake = FakeRedis()
    monkeypatch.setattr(
        ledger,
        "for_batch",
        lambda commit: ledger.RedisLedger(fake, "t", 60, ledger.CommitLedger(commit)),
    )
    sent: list[str] = []
    monkeypatch.setattr(EmailChannel, "send", lambda self, m: sent.append(m.key))
    app.config["NOTIFY_EMAIL_CONNECTIONS"] = 1
    monkeypatch.setattr(outbox, "dispatch", lambda ids, countdown=None: 0)  # no eager send
    users = [f.user() for _ in range(3)]
    notify("announcement", [u.id for u in users], {"subject": "S", "body": "B"})
    db.session.commit()
    ids = list(db.session.scalars(select(Delivery.id).where(Delivery.channel == "email")))
    real_settle = outbox._settle

    def die(out):
        raise SystemExit("killed before the batch's commit")

    monkeypatch.setattr(outbox, "_settle", die)
    with pytest.raises(SystemExit):
        outbox.deliver(ids)
    db.session.rollback()
    assert len(sent) == 3 and len(fake.data) == 3  # accepted and in the ledger
    assert set(db.session.scalars(select(Delivery.status).where(Delivery.id.in_(ids)))) == {
        "sending"
    }
    monkeypatch.setattr(outbox, "_settle", real_settle)
    db.session.execute(  # the lease runs out
        Delivery.__table__.update()
        .where(Delivery.id.in_(ids))
        .values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
    )
    db.session.commit()
    counts = outbox.deliver(ids)
    assert counts["sent"] == 3 and len(sent) == 3  # nothing sent twice
    assert fake.data == {}  # forgotten once committed
    rows = db.session.scalars(select(Delivery).where(Delivery.id.in_(ids)))
    assert {r.status for r in rows} == {"sent"}


class BulkGroups:
    """A throwaway plugin answering the bulk hook (or ``None`` with ``bulk=False``) and counting
    how it is asked."""

    def __init__(self, members: dict[int, list[str]], bulk: bool = True) -> None:
        self.members, self.bulk = members, bulk
        self.bulk_calls: list[int] = []
        self.single_calls: list[int] = []

    @hookimpl
    def lms_audience_groups_for_many(self, app, users):
        self.bulk_calls.append(len(users))
        return {u.id: self.members.get(u.id, []) for u in users} if self.bulk else None

    @hookimpl
    def lms_audience_groups_for(self, app, user):
        self.single_calls.append(user.id)
        return self.members.get(user.id, [])


def test_a_fanout_asks_the_bulk_hook_once_per_batch(app, f):
    elder, staff, other = f.user(), f.user(), f.user()
    bulk = BulkGroups({elder.id: ["elderly"]})
    single = Groups({staff.id: ["staff"]})  # per-user hook only: still asked, user by user
    app.extensions["lms"].plugins.register(bulk, "t_bulk")
    app.extensions["lms"].plugins.register(single, "t_groups")
    notify("course_published", [elder.id, staff.id, other.id], {"course_title": "Pottery"})
    db.session.commit()
    assert bulk.bulk_calls == [3] and bulk.single_calls == []
    assert "email" not in by_channel("course_published", elder.id)  # elderly: never
    assert by_channel("course_published", staff.id)["email"].status == "sent"  # staff: at once
    assert by_channel("course_published", other.id)["email"].status == "held"  # weekly


def test_without_a_bulk_answer_the_per_user_hook_is_used(app, f):
    elder, other = f.user(), f.user()
    app.extensions["lms"].plugins.pm.unregister(name="lms_audience")  # no bulk hook at all
    legacy = BulkGroups({elder.id: ["elderly"]}, bulk=False)  # answers None in bulk
    app.extensions["lms"].plugins.register(legacy, "t_legacy")
    notify("course_published", [elder.id, other.id], {"course_title": "Pottery"})
    db.session.commit()
    assert legacy.bulk_calls == [2] and sorted(legacy.single_calls) == sorted([elder.id, other.id])
    assert "email" not in by_channel("course_published", elder.id)
    assert by_channel("course_published", other.id)["email"].status == "held"


def test_audience_groups_unions_bulk_and_per_user_answers(app, f):
    from lms_notify import prefs

    a, b = f.user(), f.user()
    app.extensions["lms"].plugins.pm.unregister(name="lms_audience")
    app.extensions["lms"].plugins.register(BulkGroups({a.id: ["youth"]}), "t_bulk")
    app.extensions["lms"].plugins.register(Groups({a.id: ["staff"], b.id: ["elderly"]}), "t_g")
    assert prefs.audience_groups([a, b]) == {a.id: {"youth", "staff"}, b.id: {"elderly"}}
