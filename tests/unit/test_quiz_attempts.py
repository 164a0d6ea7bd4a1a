"""The attempt state machine: start, resume, save, deadlines, submit, grading, regrade."""

from datetime import timedelta

import pytest
from lms_quiz import attempts as svc
from lms_quiz.models import Attempt, Response
from lms_quiz.testing import make_quiz
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from lms.extensions import db
from lms.models.base import utcnow

GIFT = """::Q1::Capital of Thailand? {=Bangkok ~Chiang Mai ~Phuket}

::Q2::The sun is hot. {T}

::Q3::Pi? {#3.14:0.01}

::Info::Read this first.

::Q4::Write about your village. {}
"""


@pytest.fixture
def setup(app, f):
    learner = f.user()
    course = f.course(lessons=0)
    from lms.courses import add_enrolment

    add_enrolment(learner, course)
    db.session.commit()
    return course, learner


def answers(attempt, **by_name):
    """A form answering questions by their name: Q1 by answer text, others by value."""
    form = MultiDict()
    for row in attempt.responses:
        value = by_name.get(row.question.name)
        if value is None:
            continue
        if row.question.qtype == "multichoice":
            texts = [a["text"] for a in row.question.data["answers"]]
            form.add(f"q{row.slot_index}", str(texts.index(value)))
        else:
            form.add(f"q{row.slot_index}", value)
    return form


def test_full_path_with_an_essay_waiting_for_the_teacher(setup, f):
    course, learner = setup
    activity, quiz, qs = make_quiz(course, GIFT, grade_max=10, shuffle_answers=True)
    attempt = svc.start_attempt(quiz, learner)
    assert attempt.state == "in_progress" and len(attempt.layout) == 5
    assert attempt.max_marks == 4  # the description has no mark
    every = list(range(5))
    svc.save_responses(
        attempt, answers(attempt, Q1="Bangkok", Q2="true", Q3="3.141", Q4="บ้านฉัน"), every
    )
    db.session.commit()
    svc.submit(attempt)
    assert attempt.state == "submitted"  # the essay waits
    essay = next(r for r in attempt.responses if r.question.qtype == "essay")
    assert essay.needs_grading and essay.response == "บ้านฉัน"
    teacher = f.user("educator")
    svc.manual_grade(essay, 0.5, "ดี", teacher)
    assert attempt.state == "graded"
    assert attempt.sum_marks == 3.5 and attempt.grade == pytest.approx(8.75)
    db.session.commit()


def test_one_attempt_in_progress_resume_returns_the_same(setup):
    course, learner = setup
    _a, quiz, _q = make_quiz(course, GIFT)
    first = svc.start_attempt(quiz, learner)
    db.session.commit()
    again = svc.start_attempt(quiz, learner)
    assert again.id == first.id
    # the database itself refuses a second open attempt
    db.session.add(Attempt(quiz_id=quiz.activity_id, user_id=learner.id, number=2, layout=[]))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_restart_in_the_middle_keeps_saved_answers_and_layout(setup, app):
    course, learner = setup
    _a, quiz, _q = make_quiz(course, GIFT, shuffle_answers=True)
    attempt = svc.start_attempt(quiz, learner)
    layout = attempt.layout
    svc.save_responses(attempt, answers(attempt, Q1="Bangkok", Q2="false"), [0, 1])
    db.session.commit()
    attempt_id, learner_id, activity_id = attempt.id, learner.id, quiz.activity_id
    db.session.remove()  # a "server restart": nothing held in memory
    from lms.models import Activity, User

    quiz = svc.get_quiz(db.session.get(Activity, activity_id))
    resumed = svc.start_attempt(quiz, db.session.get(User, learner_id))
    assert resumed.id == attempt_id and resumed.layout == layout
    saved = {r.question.name: r.response for r in resumed.responses}
    assert saved["Q2"] == "false" and saved["Q1"] is not None and saved["Q3"] is None


def test_submit_twice_is_harmless(setup):
    course, learner = setup
    _a, quiz, _q = make_quiz(course, "::Q::Sun hot? {T}")
    attempt = svc.start_attempt(quiz, learner)
    svc.save_responses(attempt, MultiDict({"q0": "true"}), [0])
    svc.submit(attempt)
    graded_at, grade = attempt.graded_at, attempt.grade
    svc.submit(attempt)
    assert (
        attempt.state == "graded"
        and attempt.graded_at == graded_at
        and attempt.grade == grade == 10
    )
    with pytest.raises(svc.AttemptClosed):
        svc.save_responses(attempt, MultiDict({"q0": "false"}), [0])


def test_slot_not_in_attempt_is_refused(setup):
    course, learner = setup
    _a, quiz, _q = make_quiz(course, "::Q::Sun hot? {T}")
    attempt = svc.start_attempt(quiz, learner)
    with pytest.raises(svc.BadSlot):
        svc.save_responses(attempt, MultiDict({"q5": "true"}), [5])
    with pytest.raises(svc.BadSlot):
        svc.save_responses(attempt, MultiDict({"q0": "true"}), [-1])


def test_deadline_is_server_side_grace_then_autosubmit(setup):
    course, learner = setup
    _a, quiz, _q = make_quiz(course, "::Q::Sun hot? {T}", time_limit=600, grace_seconds=60)
    t0 = utcnow()
    attempt = svc.start_attempt(quiz, learner, at=t0)
    assert attempt.deadline == t0 + timedelta(seconds=600)
    # an answer in the grace period still counts
    svc.save_responses(attempt, MultiDict({"q0": "true"}), [0], at=t0 + timedelta(seconds=630))
    # after deadline + grace it is refused, and the saved answers are graded (autosubmit)
    with pytest.raises(svc.AttemptClosed):
        svc.save_responses(attempt, MultiDict({"q0": "false"}), [0], at=t0 + timedelta(seconds=661))
    assert attempt.state == "graded" and attempt.grade == 10
    assert attempt.responses[0].response == "true"


def test_overdue_rule_abandon_leaves_the_attempt_ungraded(setup):
    course, learner = setup
    _a, quiz, _q = make_quiz(
        course, "::Q::Sun hot? {T}", time_limit=60, grace_seconds=0, overdue_rule="abandon"
    )
    t0 = utcnow()
    attempt = svc.start_attempt(quiz, learner, at=t0)
    svc.submit(attempt, at=t0 + timedelta(seconds=120))
    assert attempt.state == "overdue" and attempt.grade is None
    assert svc.quiz_grade(quiz, learner.id) is None


def test_close_time_caps_the_deadline_and_closed_quiz_refuses_start(setup):
    course, learner = setup
    t0 = utcnow()
    _a, quiz, _q = make_quiz(
        course, "::Q::Sun hot? {T}", time_limit=3600, close_at=t0 + timedelta(minutes=5)
    )
    attempt = svc.start_attempt(quiz, learner, at=t0)
    assert attempt.deadline == t0 + timedelta(minutes=5)
    svc.submit(attempt, at=t0)
    with pytest.raises(svc.AttemptError):
        svc.start_attempt(quiz, learner, at=t0 + timedelta(minutes=6))
    _a2, later, _q2 = make_quiz(course, "::R::Sun? {T}", open_at=t0 + timedelta(days=1))
    with pytest.raises(svc.AttemptError, match="ยังไม่เปิด"):
        svc.start_attempt(later, learner, at=t0)


def test_attempts_allowed_and_grading_methods(setup):
    course, learner = setup
    _a, quiz, _q = make_quiz(course, "::Q::Sun hot? {T}", attempts_allowed=3)
    grades = []
    for value in ("true", "false", "true"):
        attempt = svc.start_attempt(quiz, learner)
        svc.save_responses(attempt, MultiDict({"q0": value}), [0])
        svc.submit(attempt)
        grades.append(attempt.grade)
    assert grades == [10, 0, 10]
    with pytest.raises(svc.AttemptError, match="ครบแล้ว"):
        svc.start_attempt(quiz, learner)
    expected = {"highest": 10, "first": 10, "last": 10, "average": pytest.approx(20 / 3)}
    for method, value in expected.items():
        quiz.grade_method = method
        assert svc.quiz_grade(quiz, learner.id) == value
    assert svc.aggregate("last", [1, 2, 0]) == 0


def test_completion_when_the_pass_mark_is_reached_and_participation_recorded(setup, app):
    from lms import progress

    course, learner = setup
    activity, quiz, _q = make_quiz(course, "::Q1::A? {T}\n\n::Q2::B? {F}", pass_percent=60)
    events = []

    class Recorder:
        @staticmethod
        def lms_participation_record(app, event):
            events.append(event)

    from lms import hookimpl

    Recorder.lms_participation_record = hookimpl(Recorder.lms_participation_record)
    app.extensions["lms"].plugins.register(Recorder, "recorder")
    attempt = svc.start_attempt(quiz, learner)
    svc.save_responses(attempt, MultiDict({"q0": "true", "q1": "true"}), [0, 1])
    svc.submit(attempt)
    assert attempt.grade == 5
    assert (
        progress.get_progress(learner, activity) is None
        or not progress.get_progress(learner, activity).completed_at
    )
    attempt = svc.start_attempt(quiz, learner)
    svc.save_responses(attempt, MultiDict({"q0": "true", "q1": "false"}), [0, 1])
    svc.submit(attempt)
    assert progress.get_progress(learner, activity).completed_at is not None
    kinds = [e.kind for e in events if e.kind == "quiz_attempt"]
    assert len(kinds) == 2 and events[0].source == f"quiz:{activity.id}"
    assert events[0].user_id == learner.id


def test_regrade_after_the_question_is_fixed(setup, f):
    course, learner = setup
    _a, quiz, (q,) = make_quiz(course, "::Q::Capital? {=Chiang Mai ~Bangkok}")
    attempt = svc.start_attempt(quiz, learner)
    texts = [a["text"] for a in q.data["answers"]]
    svc.save_responses(attempt, MultiDict({"q0": str(texts.index("Bangkok"))}), [0])
    svc.submit(attempt)
    assert attempt.grade == 0
    q.data = {
        **q.data,
        "answers": [{**a, "fraction": 1.0 - a["fraction"]} for a in q.data["answers"]],
    }
    q.version += 1
    assert svc.regrade_question(q) == 1
    assert attempt.grade == 10 and attempt.layout[0]["version"] == 2
    assert db.session.get(Response, attempt.responses[0].id).fraction == 1.0


def test_random_question_from_a_category(setup):
    course, learner = setup
    from lms_quiz.models import Slot

    _a, quiz, qs = make_quiz(course, "$CATEGORY: pool\n\n::A::a {T}\n\n::B::b {T}")
    quiz.slots.clear()
    quiz.slots.append(Slot(category_id=qs[0].category_id, position=0))
    quiz.slots.append(Slot(category_id=qs[0].category_id, position=1))
    db.session.commit()
    attempt = svc.start_attempt(quiz, learner)
    assert sorted(s["question_id"] for s in attempt.layout) == sorted(q.id for q in qs)


def _overdue_world(course, learner, f):
    """Three open attempts past deadline + grace (autosubmit, abandon, autosubmit with an
    essay) and one still inside its grace period."""
    t0 = utcnow() - timedelta(minutes=30)
    _a, auto, _q = make_quiz(course, "::Q::Sun hot? {T}", time_limit=60, grace_seconds=60)
    _b, drop, _q = make_quiz(
        course, "::R::Sun hot? {T}", time_limit=60, grace_seconds=0, overdue_rule="abandon"
    )
    _c, essay, _q = make_quiz(course, "::E::Write. {}\n\n::S::Sun? {T}", time_limit=60)
    _d, fresh, _q = make_quiz(course, "::F::Sun? {T}", time_limit=3600)
    attempts = {
        "auto": svc.start_attempt(auto, learner, at=t0),
        "drop": svc.start_attempt(drop, learner, at=t0),
        "essay": svc.start_attempt(essay, learner, at=t0),
        "fresh": svc.start_attempt(fresh, learner, at=t0),
    }
    svc.save_responses(attempts["auto"], MultiDict({"q0": "true"}), [0], at=t0)
    svc.save_responses(attempts["essay"], MultiDict({"q0": "บ้าน", "q1": "true"}), [0, 1], at=t0)
    db.session.commit()
    return {k: a.id for k, a in attempts.items()}


def _states(ids):
    db.session.expire_all()
    return {k: db.session.get(Attempt, i).state for k, i in ids.items()}


def test_periodic_task_closes_overdue_attempts_without_redis(setup, f, app):
    from lms_quiz.tasks import close_overdue

    course, learner = setup
    ids = _overdue_world(course, learner, f)
    assert _states(ids) == dict.fromkeys(ids, "in_progress")
    counts = close_overdue()  # the Celery task, called in-process
    assert counts == {"graded": 1, "submitted": 1, "abandoned": 1}
    states = _states(ids)
    assert states == {
        "auto": "graded",
        "drop": "overdue",
        "essay": "overdue",
        "fresh": "in_progress",
    }
    auto = db.session.get(Attempt, ids["auto"])
    assert auto.grade == 10 and auto.submitted_at == auto.deadline + timedelta(seconds=60)
    assert db.session.get(Attempt, ids["drop"]).grade is None
    essay = db.session.get(Attempt, ids["essay"])
    assert [r.needs_grading for r in essay.responses] == [True, False]
    assert close_overdue() == {"graded": 0, "submitted": 0, "abandoned": 0}  # idempotent
    schedule = app.extensions["celery"].conf.beat_schedule["lms-quiz-close-overdue"]
    assert schedule == {"task": "lms_quiz.close_overdue", "schedule": 60.0}
    assert "lms_quiz.close_overdue" in app.extensions["celery"].tasks


def test_cli_close_overdue(setup, f, app):
    course, learner = setup
    ids = _overdue_world(course, learner, f)
    result = app.test_cli_runner().invoke(args=["quiz", "close-overdue"])
    assert result.exit_code == 0, result.output
    assert "closed 3 overdue attempts: 1 graded, 1 waiting for a teacher, 1 not counted" in (
        result.output
    )
    assert _states(ids)["fresh"] == "in_progress" and _states(ids)["auto"] == "graded"
    again = app.test_cli_runner().invoke(args=["quiz", "close-overdue"])
    assert "closed 0 overdue attempts" in again.output


def test_schedule_can_be_switched_off(make_app):
    app = make_app(QUIZ_CLOSE_OVERDUE_SECONDS=0)
    assert "lms-quiz-close-overdue" not in app.extensions["celery"].conf.beat_schedule
