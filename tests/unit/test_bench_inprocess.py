"""bench/inprocess.py signs its learner in whichever way the account signs in: a child's
account (no password) with its child login, an adult with the password. The in-process and
callgrind figures of ``make bench`` keep the first learner, a child at size M."""

from __future__ import annotations

import pytest
from lms_audience.guardians import is_child
from sqlalchemy import select

from lms.extensions import db
from lms.models import Enrolment, User
from tests.unit.bench_site import generate_xs, learners_lessons


@pytest.mark.parametrize("child", [True, False])
def test_the_in_process_learner_signs_in(make_app, tmp_path, monkeypatch, child):
    app, url = generate_xs(make_app, tmp_path)
    with app.app_context():
        learner = next(
            u
            for u in db.session.scalars(
                select(User)
                .join(Enrolment, Enrolment.user_id == User.id)
                .where(Enrolment.role == "learner")
                .order_by(User.id)
            )
            if is_child(u) == child
        )
        lessons = learners_lessons(learner.id, 3)
        picked = (learner.id, learner.email, lessons)
    monkeypatch.setenv("LMS_DATABASE_URL", url)
    monkeypatch.setenv("LMS_SECRET_KEY", "inprocess-test")
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    from bench import inprocess

    monkeypatch.setattr(inprocess, "_pick", lambda _app: picked)
    bench_app, client, _db, uid, ids = inprocess.lms_client()
    assert uid == learner.id and ids == lessons
    with client.session_transaction() as session:
        assert session["_user_id"] == str(learner.id)
    assert client.get(f"/activity/{lessons[0]}").status_code == 200
