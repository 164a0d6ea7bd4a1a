"""SQL queries per page do not grow with the data (issue 10: no N+1), and the per-process
site cache (lms/site_cache.py) saves its queries without ever serving a stale switch.

The catalog, course, lesson and dashboard pages are checked in test_learning.py; the quiz pages
here. Exact counts are in docs/benchmarks.md (``make bench``), not asserted: they change as
features land, growth with the data must not.
"""

import os
import re

import pytest
from lms_quiz.models import Attempt, Slot
from lms_quiz.testing import make_quiz
from sqlalchemy import event

from lms import lifecycle
from lms import theme_settings as ts
from lms.courses import add_enrolment
from lms.extensions import db
from lms.site_cache import TOKEN_KEY
from lms.theme_select import choices
from tests.conftest import require


def _gift(n: int) -> str:
    return "\n\n".join(f"::Q{i}::Question {i}? {{=yes ~no ~maybe}}" for i in range(n))


def _attempt(client, activity) -> int:
    r = client.post(f"/quiz/{activity.id}/start")
    assert r.status_code == 302, r.text
    return int(re.search(r"/quiz/attempt/(\d+)", r.headers["Location"]).group(1))


def _quiz_counts(f, login, count_queries, size: int) -> dict[str, int]:
    """Queries of each step of one learner's attempt at a quiz of ``size`` questions."""
    course = f.course(teacher=f.user("educator"), lessons=0)
    learner = f.user()
    add_enrolment(learner, course)
    activity, _quiz, _qs = make_quiz(course, _gift(size), questions_per_page=0)
    client = login(learner)
    counts = {}
    with count_queries() as q:
        assert client.get(f"/activity/{activity.id}").status_code == 200
    counts["activity page"] = q.count
    with count_queries() as q:
        attempt = _attempt(client, activity)
    counts["start"] = q.count
    with count_queries() as q:
        html = client.get(f"/quiz/attempt/{attempt}").text
    counts["quiz page"] = q.count
    slots = re.findall(r'name="slots" value="(\d+)"', html)
    assert len(slots) == size
    form = {"slots": slots, **{f"q{s}": "0" for s in slots}}
    with count_queries() as q:
        assert client.post(f"/quiz/attempt/{attempt}/autosave", data=form).status_code == 200
    counts["autosave"] = q.count
    with count_queries() as q:
        assert client.post(f"/quiz/attempt/{attempt}/submit").status_code == 302
    counts["submit"] = q.count
    with count_queries() as q:
        assert client.get(f"/quiz/attempt/{attempt}/review").status_code == 200
    counts["review"] = q.count
    return counts


def test_quiz_page_autosave_submit_and_review_query_counts_do_not_grow(
    app, f, login, count_queries
):
    small = _quiz_counts(f, login, count_queries, 2)
    big = _quiz_counts(f, login, count_queries, 25)
    for step in ("activity page", "quiz page", "autosave", "submit", "review"):
        assert small[step] == big[step], (step, small, big)


def test_starting_a_quiz_attempt_query_count_does_not_grow(app, f, login, count_queries):
    small = _quiz_counts(f, login, count_queries, 2)
    big = _quiz_counts(f, login, count_queries, 25)
    assert small["start"] == big["start"], (small, big)


def _random_quiz_start(
    f, login, count_queries, size: int
) -> tuple[int, Attempt, list[int], list[int]]:
    """Queries to start a shuffled quiz of ``size`` fixed questions and ``size`` places drawn
    at random from a category of ``size + 2`` questions (and a description, never drawn)."""
    course = f.course(teacher=f.user("educator"), lessons=0)
    learner = f.user()
    add_enrolment(learner, course)
    pool_gift = "\n\n".join(f"::P{i}::Pool {i}? {{T}}" for i in range(size + 2))
    activity, quiz, qs = make_quiz(
        course,
        f"{_gift(size)}\n\n$CATEGORY: pool\n\n::Info::Read this.\n\n{pool_gift}",
        questions_per_page=0,
        shuffle_questions=True,
    )
    pool = [q for q in qs if q.name.startswith("P")]
    fixed_ids = [q.id for q in qs if q.name.startswith("Q")]
    quiz.slots[:] = [s for s in quiz.slots if s.question_id in fixed_ids]
    for i in range(size):
        quiz.slots.append(Slot(category_id=pool[0].category_id, position=size + i))
    db.session.commit()
    client = login(learner)
    with count_queries() as q:
        attempt_id = _attempt(client, activity)
    db.session.expire_all()
    return q.count, db.session.get(Attempt, attempt_id), [p.id for p in pool], fixed_ids


def test_starting_a_quiz_with_random_questions_query_count_does_not_grow(
    app, f, login, count_queries
):
    small, *_ = _random_quiz_start(f, login, count_queries, 2)
    big, attempt, pool, fixed = _random_quiz_start(f, login, count_queries, 20)
    assert small == big, (small, big)
    ids = [s["question_id"] for s in attempt.layout]
    assert len(ids) == 40 and len(set(ids)) == 40  # every place filled, no question twice
    assert len(set(ids) & set(pool)) == 20  # the random places drew from the pool only
    assert ids[:20] != fixed  # shuffled (the slots' own order: 1 chance in 40!/20!)
    assert [r.slot_index for r in attempt.responses] == list(range(40))
    assert [r.question_id for r in attempt.responses] == ids
    assert all(r.response is None and r.saved_at for r in attempt.responses)


# -- the site cache ---------------------------------------------------------------------------


class Statements:
    """Every SQL statement the app's engine runs while listening."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []
        event.listen(self.engine, "before_cursor_execute", self._add)

    def _add(self, conn, cursor, statement, *args):
        self.seen.append(statement)

    def about(self, table: str) -> list[str]:
        return [s for s in self.seen if table in s]


def _cached_app(make_app, **config):
    app = make_app(EXTRA_PLUGINS=["good=tests.plugins.good"], **config)
    app.extensions["lms"].site_cache.enabled = True  # every "process" is inside this one
    return app


def test_switched_off_plugins_are_read_once_then_again_after_a_switch(make_app):
    app = _cached_app(make_app)
    client = app.test_client()
    sql = Statements(app)
    assert client.get("/good").status_code == 200
    assert client.get("/good").status_code == 200
    assert len(sql.about("plugin_state")) == 1  # the second request used the process's copy
    with app.app_context():
        lifecycle.set_enabled("good", False)
        db.session.commit()
    assert client.get("/good").status_code == 404  # the very next request
    with app.app_context():
        lifecycle.set_enabled("good", True)
        db.session.commit()
    assert client.get("/good").status_code == 200


def test_a_plugin_switched_off_for_failing_is_seen_on_the_next_request(make_app):
    app = _cached_app(make_app)
    client = app.test_client()
    assert client.get("/good").status_code == 200
    # written with SQLAlchemy Core on a connection of its own, not through the session
    lifecycle.switch_off_failing(app, "good", "RuntimeError: boom")
    assert client.get("/good").status_code == 404


def test_a_rolled_back_change_keeps_the_cache(make_app):
    app = _cached_app(make_app)
    client = app.test_client()
    assert client.get("/good").status_code == 200
    backend = app.extensions["lms"].site_cache.backend
    token = backend.get(TOKEN_KEY)
    assert token
    with app.app_context():
        lifecycle.set_enabled("good", False)
        db.session.flush()
        db.session.rollback()
    assert backend.get(TOKEN_KEY) == token
    assert client.get("/good").status_code == 200
    with app.app_context():
        lifecycle.set_enabled("good", False)
        db.session.commit()
    assert backend.get(TOKEN_KEY) != token


def test_site_theme_and_a_learners_own_choice_change_on_the_next_request(make_app, f):
    app = _cached_app(make_app)
    with app.app_context():
        learner_id = f.user().id
    with app.test_request_context():
        assert choices()["site"] == "default"
    with app.app_context():
        ts.put(ts.CORE, ts.ACTIVE, "provincial")
        ts.put(ts.CORE, ts.LEARNERS_CHOOSE, "1")
        ts.put(ts.CORE, ts.user_key(learner_id), "high_contrast")
        db.session.commit()
    with app.test_request_context():
        assert choices()["site"] == "provincial"
        assert choices()["theme"] == "provincial"  # nobody logged in
    from flask_login import login_user

    from lms.models import User

    with app.test_request_context():
        login_user(db.session.get(User, learner_id))
        assert choices()["theme"] == "high_contrast"
        assert choices()["values"][ts.user_key(learner_id)] == "high_contrast"


def test_without_a_shared_cache_every_request_reads_the_table(make_app):
    app = make_app(EXTRA_PLUGINS=["good=tests.plugins.good"])
    assert app.extensions["lms"].site_cache.enabled is False  # REDIS_URL is empty in tests
    client = app.test_client()
    sql = Statements(app)
    client.get("/good")
    client.get("/good")
    assert len(sql.about("plugin_state")) == 2


def _redis_url() -> str:
    url = os.environ.get("LMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        require(False, f"Redis is not reachable ({url})")
    return url


@pytest.mark.service
def test_two_processes_sharing_redis_see_each_others_switches(make_app, tmp_path):
    """Two apps on one database file and one Redis stand for two gunicorn workers."""
    config = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/shared.db",
        "REDIS_URL": _redis_url(),
        "CACHE_KEY_PREFIX": f"lms-test-{os.getpid()}-{id(tmp_path)}:",
    }
    first = make_app(EXTRA_PLUGINS=["good=tests.plugins.good"], **config)
    second_app = make_app(EXTRA_PLUGINS=["good=tests.plugins.good"], **config)
    assert second_app.extensions["lms"].site_cache.enabled
    second = second_app.test_client()
    assert second.get("/good").status_code == 200
    assert second.get("/good").status_code == 200  # now from the second one's own copy
    with first.app_context():
        lifecycle.set_enabled("good", False)
        db.session.commit()
    assert second.get("/good").status_code == 404
    with first.app_context():
        lifecycle.set_enabled("good", True)
        db.session.commit()
    assert second.get("/good").status_code == 200


# -- the lesson page's course progress ------------------------------------------------------


def test_lesson_progress_counts_the_visible_lessons_without_a_count_query(
    app, f, login, count_queries
):
    """Done and total come from the outline query the page runs anyway (window functions over
    the lessons, with the learner's completions joined in): no count query of its own, and
    hidden lessons count for nobody, staff included."""
    course = f.course(lessons=4)
    first, second, third, hidden = f.activities(course)
    hidden.is_visible = False
    db.session.commit()
    learner = f.user()
    add_enrolment(learner, course)
    db.session.commit()
    client = login(learner)
    client.post(f"/activity/{first.id}/complete")
    with count_queries() as q:
        page = client.get(f"/activity/{second.id}").text
    assert 'aria-valuenow="33"' in page  # 1 of the 3 visible lessons
    counts = [
        s
        for s in q.statements
        if s.lower().lstrip().startswith("select count(") and "activity" in s.lower()
    ]
    assert counts == [], counts
    assert len([s for s in q.statements if " over (" in s.lower()]) == 1
    third.completion = "view"  # completed by opening it: counted on its own page at once
    db.session.commit()
    assert 'aria-valuenow="67"' in client.get(f"/activity/{third.id}").text
    admin = f.user("admin")  # staff see the hidden lesson in the list, not in the progress
    add_enrolment(admin, course)
    db.session.commit()
    client = login(admin)
    client.post(f"/activity/{first.id}/complete")
    page = client.get(f"/activity/{hidden.id}").text
    assert 'aria-valuenow="33"' in page
