"""Course packages carry quizzes: settings, slots and the questions they use, random slots with
their whole category; exported with `lms course export`, imported on a fresh site."""

import io
import json
import zipfile

import pytest
from lms_quiz import attempts as svc
from lms_quiz.models import Category, Question, Quiz, Slot
from lms_quiz.testing import make_quiz
from werkzeug.datastructures import MultiDict

from lms.courses import add_enrolment
from lms.extensions import db
from lms.models import Activity, Course
from lms.packages import PackageError, export_course, import_course
from tests import factories

FIXED = """::ทุน::เมืองหลวงของไทย? {=กรุงเทพฯ#ถูก ~เชียงใหม่#ผิด}

::Pi::Pi? {#3.14:0.01}
"""
POOL = """$CATEGORY: คลังสุ่ม

::A::ดวงอาทิตย์ร้อน {T}

::B::น้ำแข็งร้อน {F}
"""


def _course_with_quiz(f):
    teacher = f.user("educator", email="src-teacher@example.com")
    course = f.course(teacher=teacher, lessons=0, title="วิชาต้นทาง")
    activity, quiz, fixed = make_quiz(
        course, FIXED, title="แบบทดสอบ", time_limit=600, grade_max=20, pass_percent=50,
        review_feedback="during", shuffle_answers=False,
    )  # fmt: skip
    from lms_quiz import bank, gift

    bank.store(course.id, gift.parse(POOL))
    pool_cat = db.session.scalar(db.select(Category).where(Category.name == "คลังสุ่ม"))
    quiz.slots.append(Slot(category_id=pool_cat.id, position=2, mark=2.0))
    quiz.slots[1].mark = 3.0
    db.session.commit()
    return teacher, course, activity


def test_export_lists_settings_slots_and_questions_by_content(app, f):
    _t, course, activity = _course_with_quiz(f)
    buffer = io.BytesIO()
    manifest = export_course(course, buffer)
    data = manifest["activities"][0]["data"]
    assert data["time_limit"] == 600 and data["review_feedback"] == "during"
    assert data["categories"] == ["Default", "คลังสุ่ม"]
    assert [q["name"] for q in data["questions"]] == ["ทุน", "Pi", "A", "B"]
    assert [q["category"] for q in data["questions"]] == [0, 0, 1, 1]
    assert data["slots"] == [
        {"question": 0, "mark": None},
        {"question": 1, "mark": 3.0},
        {"category": 1, "mark": 2.0},
    ]
    assert "question_id" not in json.dumps(data)  # no ids of the source site


def test_cli_round_trip_to_a_fresh_site_gives_a_working_quiz(app, f, make_app, tmp_path):
    _t, course, _a = _course_with_quiz(f)
    target = tmp_path / "course.zip"
    result = app.test_cli_runner().invoke(args=["course", "export", str(course.id), str(target)])
    assert result.exit_code == 0, result.output

    fresh = make_app(INSTANCE_PATH=str(tmp_path / "fresh"))  # another site, its own database
    with fresh.app_context():
        assert db.session.scalar(db.select(db.func.count(Question.id))) == 0
        teacher = factories.user("educator", email="new-teacher@example.com")
        db.session.commit()
        result = fresh.test_cli_runner().invoke(
            args=["course", "import", str(target), "--owner", teacher.email]
        )
        assert result.exit_code == 0, result.output
        copy = db.session.scalar(db.select(Course))
        activity = db.session.scalar(db.select(Activity).where(Activity.content_type == "quiz"))
        quiz = db.session.get(Quiz, activity.id)
        assert (quiz.time_limit, quiz.grade_max, quiz.pass_percent) == (600, 20, 50)
        assert quiz.review_feedback == "during" and quiz.shuffle_answers is False
        assert [(s.question.name if s.question else None, s.mark) for s in quiz.slots] == [
            ("ทุน", None),
            ("Pi", 3.0),
            (None, 2.0),
        ]
        pool = db.session.get(Category, quiz.slots[2].category_id)
        assert pool.name == "คลังสุ่ม" and pool.course_id == copy.id
        names = db.session.scalars(db.select(Question.name).where(Question.course_id == copy.id))
        assert sorted(names) == ["A", "B", "Pi", "ทุน"]
        mc = quiz.slots[0].question
        assert mc.data["answers"][0] == {"text": "กรุงเทพฯ", "fraction": 1.0, "feedback": "ถูก"}

        # a learner on the new site takes it and is graded
        copy.is_published = True
        learner = factories.user()
        add_enrolment(learner, copy)
        db.session.commit()
        attempt = svc.start_attempt(quiz, learner)
        assert attempt.max_marks == 1 + 3 + 2
        form = MultiDict({"q0": "0", "q1": "3.141"})
        drawn = attempt.responses[2].question
        assert drawn.name in ("A", "B") and drawn.category_id == pool.id
        form.add("q2", "true" if drawn.name == "A" else "false")
        svc.save_responses(attempt, form, [0, 1, 2])
        svc.submit(attempt)
        assert attempt.state == "graded" and attempt.grade == 20
        db.session.remove()


def test_duplicating_a_quiz_reuses_the_bank_questions(app, f, login):
    teacher, course, activity = _course_with_quiz(f)
    before = db.session.scalar(db.select(db.func.count(Question.id)))
    client = login(teacher)
    r = client.post(f"/teach/activity/{activity.id}/duplicate")
    assert r.status_code == 302, r.text
    copies = db.session.scalars(
        db.select(Activity).where(Activity.content_type == "quiz").order_by(Activity.id)
    ).all()
    assert len(copies) == 2
    original, copy = (db.session.get(Quiz, a.id) for a in copies)
    assert [s.question_id for s in copy.slots] == [s.question_id for s in original.slots]
    assert [s.category_id for s in copy.slots] == [s.category_id for s in original.slots]
    assert db.session.scalar(db.select(db.func.count(Question.id))) == before


def test_package_round_trip_in_one_site_keeps_the_quiz_data(app, f):
    teacher, course, _a = _course_with_quiz(f)
    buffer = io.BytesIO()
    export_course(course, buffer)
    buffer.seek(0)
    copy = import_course(buffer, teacher)
    db.session.commit()
    ct = app.extensions["lms"].content.get("quiz")
    acts = db.session.scalars(db.select(Activity).order_by(Activity.id)).all()
    assert ct.export_data(acts[1]) == ct.export_data(acts[0])
    assert acts[1].course_id == copy.id
    # the copy's questions are the new course's own
    ids = {s.question_id for s in db.session.get(Quiz, acts[1].id).slots if s.question_id}
    assert {db.session.get(Question, i).course_id for i in ids} == {copy.id}


def _rewrite(data: bytes, change) -> io.BytesIO:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            content = src.read(name)
            if name == "manifest.json":
                manifest = json.loads(content)
                change(manifest["activities"][0]["data"])
                content = json.dumps(manifest).encode()
            dst.writestr(name, content)
    out.seek(0)
    return out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["questions"][0].update(qtype="ordering"), "questions[0].qtype 'ordering' is not installed"),
        (lambda d: d["questions"][0]["data"].update(answers=[]), "questions[0].data:"),
        (lambda d: d["slots"].append({"question": 9}), "slots[3].question 9 is not an index"),
        (lambda d: d["slots"].append({"category": 5}), "slots[3].category 5 is not an index"),
        (lambda d: d["questions"][1].update(category=7), "questions[1].category 7 is not an index"),
        (lambda d: d.update(grade_method="best"), "grade_method 'best'"),
        (lambda d: d.update(time_limit=-5), "time_limit -5"),
    ],
)  # fmt: skip
def test_bad_quiz_data_refuses_the_whole_package(app, f, change, message):
    teacher, course, _a = _course_with_quiz(f)
    buffer = io.BytesIO()
    export_course(course, buffer)
    counts = (
        db.session.scalar(db.select(db.func.count(Question.id))),
        db.session.scalar(db.select(db.func.count(Course.id))),
    )
    with pytest.raises(PackageError) as info:
        import_course(_rewrite(buffer.getvalue(), change), teacher)
    assert message in str(info.value) and "'quiz'" in str(info.value)
    db.session.rollback()
    assert counts == (
        db.session.scalar(db.select(db.func.count(Question.id))),
        db.session.scalar(db.select(db.func.count(Course.id))),
    )
