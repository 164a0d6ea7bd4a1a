"""The quiz plugin's benchmark rows (``lms bench generate``): valid for the real views."""

from __future__ import annotations

from collections import Counter

import pytest
from lms_quiz.models import Attempt, Category, Question, Quiz, Response
from sqlalchemy import func, select

from lms.benchmark import BENCH_PASSWORD, generate
from lms.extensions import db
from lms.models import Activity, ActivityProgress, Course, Section, User


@pytest.fixture
def site(app, monkeypatch):
    """Generate size XS; the quiz plugin's own ``{table: rows}`` (what its hook returned),
    plus ``"facts"``: the facts it shared."""
    import lms_quiz.bench

    returned: dict = {}
    real = lms_quiz.bench.generate

    def spy(bench_site):
        counts = real(bench_site)
        returned.update(counts, facts=bench_site.facts)
        return counts

    monkeypatch.setattr(lms_quiz.bench, "generate", spy)
    generate("XS")
    db.session.expire_all()
    assert returned, "the quiz plugin's lms_bench_generate did not run"
    return returned


def test_every_course_has_a_bank_and_a_quiz_per_section(site):
    courses = {c.id: c for c in db.session.scalars(select(Course))}
    categories = {c.id: c for c in db.session.scalars(select(Category))}
    assert sorted(c.course_id for c in categories.values()) == sorted(courses)
    questions = {q.id: q for q in db.session.scalars(select(Question))}
    per_course = Counter(q.course_id for q in questions.values())
    assert all(8 <= per_course[c] <= 15 for c in courses)
    assert {q.qtype for q in questions.values()} == {"multichoice", "truefalse", "shortanswer"}
    for q in questions.values():  # the bank is in the course's language
        thai = any("\u0e00" <= ch <= "\u0e7f" for ch in q.text)
        assert thai == (courses[q.course_id].language == "th"), q.text

    quizzes = {q.activity_id: q for q in db.session.scalars(select(Quiz))}
    activities = list(db.session.scalars(select(Activity).where(Activity.content_type == "quiz")))
    assert sorted(a.id for a in activities) == sorted(quizzes)
    sections = list(db.session.scalars(select(Section)))
    assert sorted(a.section_id for a in activities) == sorted(s.id for s in sections)
    for activity in activities:
        assert activity.is_visible and activity.completion == "auto"
        lessons = [a for a in activity.section.activities if a.id != activity.id]
        assert lessons and all(a.position < activity.position for a in lessons)
        slots = quizzes[activity.id].slots
        assert 5 <= len(slots) <= 10
        assert [s.position for s in slots] == list(range(len(slots)))
        for slot in slots:
            question = questions[slot.question_id]
            assert question.course_id == activity.course_id
            assert categories[question.category_id].course_id == activity.course_id
    assert site["activity"] == len(activities)
    for table in ("lms_quiz_category", "lms_quiz_question", "lms_quiz_quiz", "lms_quiz_slot"):
        assert site[table] == db.session.scalar(select(func.count()).select_from(db.table(table)))


def test_finished_attempts_are_graded_with_a_response_per_place(site):
    attempts = list(db.session.scalars(select(Attempt)))
    assert attempts and site["lms_quiz_attempt"] == len(attempts)
    assert site["lms_quiz_response"] == db.session.scalar(select(func.count(Response.id)))
    quizzes = {q.activity_id: q for q in db.session.scalars(select(Quiz))}
    passed = failed = 0
    for attempt in attempts:
        quiz = quizzes[attempt.quiz_id]
        assert attempt.state == "graded" and attempt.number == 1
        assert attempt.started_at < attempt.submitted_at <= attempt.graded_at
        assert attempt.deadline is None or attempt.submitted_at <= attempt.deadline
        slot_questions = sorted(s.question_id for s in quiz.slots)
        assert sorted(item["question_id"] for item in attempt.layout) == slot_questions
        assert [r.slot_index for r in attempt.responses] == list(range(len(quiz.slots)))
        assert [r.question_id for r in attempt.responses] == [
            item["question_id"] for item in attempt.layout
        ]
        assert all(not r.needs_grading and 0 <= r.mark <= 1 for r in attempt.responses)
        assert attempt.max_marks == len(quiz.slots)
        assert attempt.sum_marks == pytest.approx(sum(r.mark for r in attempt.responses))
        assert 0 <= attempt.grade <= quiz.grade_max
        assert attempt.grade == pytest.approx(
            attempt.sum_marks / attempt.max_marks * quiz.grade_max
        )
        if attempt.grade >= quiz.grade_max * quiz.pass_percent / 100:
            passed += 1
        else:
            failed += 1
    assert passed > failed  # mostly passing
    shared = {(u, q): grade for u, q, _at, grade, _max in site["facts"]["quiz_attempts"]}
    assert shared == {(a.user_id, a.quiz_id): a.grade for a in attempts}

    # A passing attempt completes the quiz; a failed one leaves it viewed, not complete.
    rows = {
        (p.user_id, p.activity_id): p
        for p in db.session.scalars(
            select(ActivityProgress).where(ActivityProgress.activity_id.in_(quizzes))
        )
    }
    assert len(rows) == len(attempts) == site["activity_progress"]
    for attempt in attempts:
        quiz = quizzes[attempt.quiz_id]
        done = rows[(attempt.user_id, attempt.quiz_id)].completed_at is not None
        assert done == (attempt.grade >= quiz.grade_max * quiz.pass_percent / 100)


def test_attempts_belong_to_learners_who_finished_the_section(site):
    done = set(
        db.session.execute(
            select(ActivityProgress.user_id, ActivityProgress.activity_id)
            .join(Activity, Activity.id == ActivityProgress.activity_id)
            .where(Activity.content_type == "page", ActivityProgress.completed_at.is_not(None))
        )
    )
    for attempt in db.session.scalars(select(Attempt)):
        section = db.session.get(Activity, attempt.quiz_id).section
        lessons = [a.id for a in section.activities if a.content_type == "page"]
        assert lessons and all((attempt.user_id, lesson) in done for lesson in lessons)


def test_a_learner_opens_the_quiz_and_the_review_of_a_generated_attempt(site, client):
    attempt = db.session.scalars(  # a learner with a password (not a child's account)
        select(Attempt)
        .join(User, User.id == Attempt.user_id)
        .where(User.password_hash.is_not(None))
        .order_by(Attempt.id)
    ).first()
    learner = db.session.get(User, attempt.user_id)
    r = client.post("/login", data={"email": learner.email, "password": BENCH_PASSWORD})
    assert r.status_code == 302
    page = client.get(f"/activity/{attempt.quiz_id}")
    assert page.status_code == 200
    assert "quiz-summary" in page.text and "quiz-grade" in page.text
    assert f"/quiz/attempt/{attempt.id}/review" in page.text
    review = client.get(f"/quiz/attempt/{attempt.id}/review")
    assert review.status_code == 200
    assert 'id="attempt-grade"' in review.text
    assert review.text.count('class="card question"') == len(attempt.layout)
    course_id = db.session.get(Activity, attempt.quiz_id).course_id
    assert client.get(f"/quiz/course/{course_id}/my-grades").status_code == 200


def test_the_teacher_sees_the_results_and_the_gradebook(site, client):
    attempt = db.session.scalars(select(Attempt).order_by(Attempt.id)).first()
    course = db.session.get(Course, db.session.get(Activity, attempt.quiz_id).course_id)
    teacher = db.session.get(User, course.created_by_id)
    r = client.post("/login", data={"email": teacher.email, "password": BENCH_PASSWORD})
    assert r.status_code == 302
    report = client.get(f"/teach/quiz/{attempt.quiz_id}/report")
    assert report.status_code == 200
    assert client.get(f"/teach/quiz/course/{course.id}/gradebook").status_code == 200
    assert client.get(f"/teach/quiz/course/{course.id}/bank").status_code == 200
    assert client.get(f"/quiz/attempt/{attempt.id}/review").status_code == 200
