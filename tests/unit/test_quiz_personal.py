"""PDPA for the quiz: a learner's attempts are in their data download, and deleting the account
blanks the written answers and comments but keeps the marks for the gradebook's statistics."""

from lms_quiz import attempts as svc
from lms_quiz.models import Attempt
from lms_quiz.testing import make_quiz
from werkzeug.datastructures import MultiDict

from lms.auth.account import erase_account, export_data
from lms.courses import add_enrolment
from lms.extensions import db

GIFT = """::Sum::One plus one? {#2}

::Diary::Write about your village. {}
"""


def _taken(course, learner):
    _activity, quiz, _qs = make_quiz(course, GIFT)
    attempt = svc.start_attempt(quiz, learner)
    form = MultiDict()
    for row in attempt.responses:
        form.add(f"q{row.slot_index}", "2" if row.question.name == "Sum" else "บ้านฉันที่แม่ริม")
    svc.save_responses(attempt, form, list(range(len(attempt.layout))))
    db.session.commit()
    svc.submit(attempt)
    db.session.commit()
    return attempt


def test_export_has_my_attempts_and_not_others(app, f):
    me, other = f.user(), f.user()
    course = f.course(lessons=0)
    add_enrolment(me, course)
    add_enrolment(other, course)
    db.session.commit()
    _taken(course, me)
    data = export_data(me, app)
    attempts = data["plugins"]["lms_quiz"]["quiz_attempts"]
    assert len(attempts) == 1
    answers = {a["question"]: a["response"] for a in attempts[0]["answers"]}
    assert answers["Diary"] == "บ้านฉันที่แม่ริม"
    assert export_data(other, app)["plugins"]["lms_quiz"]["quiz_attempts"] == []


def test_erase_blanks_written_answers_and_keeps_marks(app, f):
    me = f.user()
    course = f.course(lessons=0)
    add_enrolment(me, course)
    db.session.commit()
    attempt = _taken(course, me)
    sum_mark = next(r.mark for r in attempt.responses if r.question.name == "Sum")
    erase_account(me, app)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Attempt, attempt.id)
    diary = next(r for r in kept.responses if r.question.name == "Diary")
    assert diary.response is None
    assert next(r.mark for r in kept.responses if r.question.name == "Sum") == sum_mark == 1.0
