"""Gradebook and per-question statistics: the numbers, and who may see them."""

import pytest
from lms_quiz import attempts as svc
from lms_quiz import grades
from lms_quiz.testing import make_quiz
from werkzeug.datastructures import MultiDict

from lms.courses import add_enrolment
from lms.extensions import db

GIFT = "::Easy::Sun hot? {T}\n\n::Hard::Pick {=right ~wrong ~other}"


def _take(quiz, user, easy, hard_text):
    attempt = svc.start_attempt(quiz, user)
    hard = next(r for r in attempt.responses if r.question.name == "Hard")
    easy_row = next(r for r in attempt.responses if r.question.name == "Easy")
    texts = [a["text"] for a in hard.question.data["answers"]]
    form = MultiDict(
        {f"q{easy_row.slot_index}": easy, f"q{hard.slot_index}": str(texts.index(hard_text))}
    )
    svc.save_responses(attempt, form, [0, 1])
    svc.submit(attempt)
    return attempt


def test_facility_discrimination_and_frequencies(app, f):
    course = f.course(lessons=0)
    _a, quiz, _q = make_quiz(course, GIFT)
    learners = [f.user(name=f"L{i}") for i in range(4)]
    for u in learners:
        add_enrolment(u, course)
    # strong learners get both right, weak ones only the easy one
    _take(quiz, learners[0], "true", "right")
    _take(quiz, learners[1], "true", "right")
    _take(quiz, learners[2], "true", "wrong")
    _take(quiz, learners[3], "false", "other")
    db.session.commit()
    stats = {s["question"].name: s for s in grades.question_stats(quiz)}
    assert stats["Easy"]["facility"] == 75.0 and stats["Hard"]["facility"] == 50.0
    assert stats["Hard"]["count"] == 4
    # the easy question agrees with the rest of the quiz: positive discrimination
    assert stats["Easy"]["discrimination"] > 50
    assert stats["Hard"]["discrimination"] > 50
    assert dict(stats["Hard"]["answers"]) == {"right": 2, "wrong": 1, "other": 1}
    assert dict(stats["Easy"]["answers"]) == {"True": 3, "False": 1}


def test_gradebook_totals_and_formula_safe_exports(app, f):
    course = f.course(lessons=0)
    _a1, q1, _ = make_quiz(course, "::A::a {T}", title="One", grade_max=10)
    _a2, q2, _ = make_quiz(course, "::B::b {T}", title="Two", grade_max=20)
    good, evil = f.user(name="Good"), f.user(name='=HYPERLINK("http://x")')
    for u in (good, evil):
        add_enrolment(u, course)
    for quiz in (q1, q2):
        a = svc.start_attempt(quiz, good)
        svc.save_responses(a, MultiDict({"q0": "true"}), [0])
        svc.submit(a)
    a = svc.start_attempt(q1, evil)
    svc.submit(a)
    db.session.commit()
    book = grades.gradebook(course)
    rows = {r["user"].name: r for r in book["rows"]}
    assert book["total_max"] == 30
    assert rows["Good"]["grades"] == [10, 20] and rows["Good"]["total"] == 30
    assert rows["Good"]["percent"] == 100.0
    assert rows[evil.name]["grades"] == [0, None]
    csv = grades.gradebook_csv(book)
    assert csv.startswith("\ufeff") and "'=HYPERLINK" in csv
    mine = grades.gradebook(course, user_ids=[good.id])
    assert [r["user"].name for r in mine["rows"]] == ["Good"]


def test_teacher_of_another_course_cannot_see_the_gradebook(app, f, login, client):
    course = f.course(lessons=0)
    activity, _quiz, _ = make_quiz(course, "::A::a {T}")
    other_teacher = f.user("educator")
    f.course(teacher=other_teacher, lessons=0)
    login(other_teacher)
    assert client.get(f"/teach/quiz/course/{course.id}/gradebook").status_code == 403
    assert client.get(f"/teach/quiz/{activity.id}/report").status_code == 403
    assert client.get(f"/teach/quiz/course/{course.id}/export").status_code == 403


@pytest.mark.parametrize("method,expected", [("highest", 10), ("last", 0)])
def test_gradebook_uses_the_grading_method(app, f, method, expected):
    course = f.course(lessons=0)
    _a, quiz, _ = make_quiz(course, "::A::a {T}", grade_method=method)
    u = f.user()
    add_enrolment(u, course)
    for value in ("true", "false"):
        a = svc.start_attempt(quiz, u)
        svc.save_responses(a, MultiDict({"q0": value}), [0])
        svc.submit(a)
    db.session.commit()
    assert grades.gradebook(course)["rows"][0]["grades"] == [expected]
