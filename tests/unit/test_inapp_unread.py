"""The bell's unread count from the shared cache (lms_notify_inapp/unread.py)."""

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.notify import notify


@pytest.fixture
def shared_cache(app):
    """The shared cache on, as with REDIS_URL (every "process" is inside this one)."""
    app.extensions["lms"].site_cache.enabled = True
    app.extensions["cache"][next(iter(app.extensions["cache"]))].clear()
    return app


def bell(text: str) -> str:
    return (
        "unread 2"
        if "(ยังไม่อ่าน 2)" in text
        else "unread 1"
        if "(ยังไม่อ่าน 1)" in text
        else ("none" if "ยังไม่อ่าน" not in text else "other")
    )


def test_the_cached_count_costs_no_query_and_follows_every_change(
    shared_cache, f, login, count_queries
):
    from lms_notify_inapp.models import InappMessage

    learner = f.user()
    client = login(learner)
    assert bell(client.get("/my").text) == "none"  # counted, and kept
    with count_queries() as q:
        assert bell(client.get("/my").text) == "none"
    assert not [s for s in q.statements if "lms_notify_inapp_message" in s], q.statements
    # A new message (the worker's commit) is on the very next page.
    notify("announcement", [learner.id], {"subject": "One", "body": "B"})
    db.session.commit()
    assert bell(client.get("/my").text) == "unread 1"
    notify("announcement", [learner.id], {"subject": "Two", "body": "B"})
    db.session.commit()
    assert bell(client.get("/my").text) == "unread 2"
    first = db.session.scalars(
        select(InappMessage).where(InappMessage.user_id == learner.id).order_by(InappMessage.id)
    ).first()
    assert client.post(f"/notify/inbox/{first.id}/read").status_code == 302
    assert bell(client.get("/my").text) == "unread 1"
    assert client.post("/notify/inbox/read-all").status_code == 302
    assert bell(client.get("/my").text) == "none"


def test_a_rolled_back_message_changes_nothing_and_others_keep_their_count(shared_cache, f, login):
    learner, other = f.user(), f.user()
    notify("announcement", [other.id], {"subject": "For the other", "body": "B"})
    db.session.commit()
    client = login(learner)
    assert bell(client.get("/my").text) == "none"
    notify("announcement", [learner.id], {"subject": "Never", "body": "B"})
    db.session.rollback()
    assert bell(client.get("/my").text) == "none"
    assert bell(login(other).get("/my").text) == "unread 1"
