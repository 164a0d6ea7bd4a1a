"""PDPA for the notification plugins: the person's preferences, deliveries, in-site messages and
LINE link are in their data download and go (or are emptied) when they delete their account."""

from lms_notify.models import Delivery, Preference
from lms_notify_inapp.models import InappMessage
from lms_notify_line.models import LineLink
from sqlalchemy import func, select

from lms.auth.account import erase_account, export_data
from lms.courses import add_enrolment
from lms.extensions import db


def _world(f):
    me, other = f.user(locale="th"), f.user()
    course = f.course(title="ภาษาไทยเบื้องต้น")
    add_enrolment(me, course)
    add_enrolment(other, course)
    db.session.add(Preference(user_id=me.id, event="announcement", channel="email", mode="never"))
    db.session.add(LineLink(user_id=me.id, line_user_id="U" + "a" * 32))
    db.session.commit()
    return me, other


def test_export_holds_my_notifications_only(app, f):
    me, other = _world(f)
    plugins = export_data(me, app)["plugins"]
    mine = plugins["lms_notify"]["notifications"]
    assert {"event": "announcement", "channel": "email", "mode": "never"} in mine["preferences"]
    assert {d["event"] for d in mine["deliveries"]} == {"enrolled"}
    messages = plugins["lms_notify_inapp"]["messages"]
    assert len(messages) == 1 and "ภาษาไทยเบื้องต้น" in messages[0]["subject"]
    assert plugins["lms_notify_line"]["line"]["line_user_id"] == "U" + "a" * 32
    theirs = export_data(other, app)["plugins"]
    assert theirs["lms_notify"]["notifications"]["preferences"] == []
    assert theirs["lms_notify_line"]["line"] is None


def test_erase_removes_messages_link_and_preferences(app, f):
    me, other = _world(f)
    erase_account(me, app)
    db.session.commit()

    def count(model, user):
        return db.session.scalar(select(func.count()).select_from(model).filter_by(user_id=user))

    assert count(InappMessage, me.id) == 0 and count(InappMessage, other.id) == 1
    assert count(LineLink, me.id) == 0
    assert count(Preference, me.id) == 0
    sent = db.session.scalars(select(Delivery).filter_by(user_id=me.id)).all()
    assert sent and all(d.data == {} for d in sent)  # counts stay, content goes
