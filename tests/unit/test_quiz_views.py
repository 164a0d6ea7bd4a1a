"""The quiz over HTTP: learner pages, autosave, access checks, teacher pages, exports, CLI."""

import io
import re

import pytest
from lms_quiz.models import Attempt, Question
from lms_quiz.testing import make_quiz
from openpyxl import load_workbook

from lms.courses import add_enrolment
from lms.extensions import db

GIFT = r"""::Q1::[html]<p>Capital?</p><script>alert('q')</script> {=Bangkok#<img src\=x onerror\=alert(1)>yes ~Chiang Mai}

::Q2::Write a sentence. {}
"""


@pytest.fixture
def world(app, f):
    teacher = f.user("educator")
    course = f.course(teacher=teacher, lessons=0)
    learner, other = f.user(name="Somchai"), f.user(name="Malee")
    add_enrolment(learner, course)
    add_enrolment(other, course)
    activity, quiz, qs = make_quiz(course, GIFT, questions_per_page=1, time_limit=600)
    db.session.commit()
    return {"teacher": teacher, "course": course, "learner": learner, "other": other,
            "activity": activity, "quiz": quiz, "qs": qs}  # fmt: skip


def _start(client, activity):
    r = client.post(f"/quiz/{activity.id}/start")
    assert r.status_code == 302
    return int(re.search(r"/quiz/attempt/(\d+)", r.headers["Location"]).group(1))


def _bangkok(qs):
    return str([a["text"] for a in qs[0].data["answers"]].index("Bangkok"))


def test_learner_takes_the_quiz_through_the_pages(world, login):
    client = login(world["learner"])
    activity_page = client.get(f"/activity/{world['activity'].id}").text
    assert "quiz-start" in activity_page
    aid = _start(client, world["activity"])
    page = client.get(f"/quiz/attempt/{aid}").text
    assert "<script>alert" not in page and "Capital?" in page
    assert 'data-seconds-left="' in page and "aria-live" in page
    r = client.post(
        f"/quiz/attempt/{aid}/page", data={"slots": "0", "q0": _bangkok(world["qs"]), "goto": "1"}
    )
    assert r.status_code == 302 and "page=1" in r.headers["Location"]
    page2 = client.get(f"/quiz/attempt/{aid}?page=1").text
    assert "Write a sentence" in page2
    r = client.post(f"/quiz/attempt/{aid}/autosave", data={"slots": "1", "q1": "สวัสดีครับ"})
    assert r.status_code == 200 and r.json["ok"] and r.json["seconds_left"] > 500
    # back on page 1 the answer is still chosen (resume on any device: it is all server-side)
    assert "checked" in client.get(f"/quiz/attempt/{aid}?page=0").text
    r = client.post(
        f"/quiz/attempt/{aid}/page", data={"slots": "1", "q1": "สวัสดีครับ", "goto": "finish"}
    )
    assert r.status_code == 302 and "/review" in r.headers["Location"]
    again = client.post(f"/quiz/attempt/{aid}/submit")  # double submit: harmless
    assert again.status_code == 302
    review = client.get(f"/quiz/attempt/{aid}/review").text
    assert "onerror" not in review and "yes" in review
    attempt = db.session.get(Attempt, aid)
    assert attempt.state == "submitted"
    assert [r.response for r in attempt.responses][1] == "สวัสดีครับ"
    assert (
        client.post(f"/quiz/attempt/{aid}/autosave", data={"slots": "0", "q0": "1"}).status_code
        == 409
    )


def test_answers_for_someone_elses_attempt_or_a_foreign_slot_are_refused(world, login, client):
    aid = _start(login(world["learner"]), world["activity"])
    assert (
        client.post(f"/quiz/attempt/{aid}/autosave", data={"slots": "7", "q7": "x"}).status_code
        == 400
    )
    assert client.post(f"/quiz/attempt/{aid}/autosave", data={"slots": "x"}).status_code == 400
    login(world["other"])
    assert (
        client.post(f"/quiz/attempt/{aid}/autosave", data={"slots": "0", "q0": "0"}).status_code
        == 403
    )
    assert (
        client.post(f"/quiz/attempt/{aid}/page", data={"slots": "0", "goto": "finish"}).status_code
        == 403
    )
    assert client.post(f"/quiz/attempt/{aid}/submit").status_code == 403
    assert client.get(f"/quiz/attempt/{aid}").status_code == 403
    assert client.get(f"/quiz/attempt/{aid}/review").status_code == 403
    assert db.session.get(Attempt, aid).state == "in_progress"


def test_not_enrolled_cannot_start(world, login, f):
    stranger = f.user()
    client = login(stranger)
    assert client.post(f"/quiz/{world['activity'].id}/start").status_code == 403


def test_teacher_grades_the_essay_and_the_gradebook_updates(world, login, client):
    learner_client = login(world["learner"])
    aid = _start(learner_client, world["activity"])
    client.post(
        f"/quiz/attempt/{aid}/page", data={"slots": "0", "q0": _bangkok(world["qs"]), "goto": "1"}
    )
    client.post(
        f"/quiz/attempt/{aid}/page", data={"slots": "1", "q1": "essay text", "goto": "finish"}
    )
    login(world["teacher"])
    course_id = world["course"].id
    queue = client.get(f"/teach/quiz/course/{course_id}/grading").text
    assert "essay text" in queue
    rid = re.search(r"/teach/quiz/response/(\d+)/grade", queue).group(1)
    assert client.post(f"/teach/quiz/response/{rid}/grade", data={"mark": "5"}).status_code == 302
    assert db.session.get(Attempt, aid).state == "submitted"  # out of range: refused
    client.post(f"/teach/quiz/response/{rid}/grade", data={"mark": "0.5", "comment": "ดีมาก"})
    attempt = db.session.get(Attempt, aid)
    assert attempt.state == "graded" and attempt.grade == 7.5
    book = client.get(f"/teach/quiz/course/{course_id}/gradebook").text
    assert "Somchai" in book and "7.50" in book
    csv = client.get(f"/teach/quiz/course/{course_id}/gradebook?format=csv")
    assert csv.mimetype == "text/csv" and "Somchai" in csv.text and "7.50" in csv.text
    xlsx = client.get(f"/teach/quiz/course/{course_id}/gradebook?format=xlsx")
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(ws.values)
    assert rows[0][0] == "Name" and ("Somchai" in [r[0] for r in rows])
    somchai = next(r for r in rows if r[0] == "Somchai")
    assert somchai[2] == 7.5
    report = client.get(f"/teach/quiz/{world['activity'].id}/report").text
    assert "ค่าความง่าย" in report and "Somchai" in report


def test_learners_see_only_their_own_grades(world, login, client):
    aid = _start(login(world["learner"]), world["activity"])
    client.post(f"/quiz/attempt/{aid}/submit")
    mine = client.get(f"/quiz/course/{world['course'].id}/my-grades")
    assert mine.status_code == 200 and "Malee" not in mine.text
    for url in (
        f"/teach/quiz/course/{world['course'].id}/gradebook",
        f"/teach/quiz/course/{world['course'].id}/gradebook?format=csv",
        f"/teach/quiz/course/{world['course'].id}/grading",
        f"/teach/quiz/{world['activity'].id}/report",
        f"/teach/quiz/course/{world['course'].id}/bank",
    ):
        assert client.get(url).status_code == 403, url
    login(world["other"])
    assert client.get(f"/quiz/attempt/{aid}/review").status_code == 403
    assert "Somchai" not in client.get(f"/quiz/course/{world['course'].id}/my-grades").text


def test_web_import_errors_import_nothing_and_good_file_imports(world, login, client):
    login(world["teacher"])
    course_id = world["course"].id
    before = db.session.scalar(db.select(db.func.count(Question.id)))
    bad = b"::Good::ok {T}\n\n::Broken::no close {=a ~b\n"
    r = client.post(
        f"/teach/quiz/course/{course_id}/import",
        data={"file": (io.BytesIO(bad), "q.txt"), "format": "gift"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "Broken" in r.text and "line 3" in r.text
    assert db.session.scalar(db.select(db.func.count(Question.id))) == before
    good = "::ก::ข้อนี้ถูก {T}\n\n::ข::เลือก {=ก ~ข}\n".encode()
    r = client.post(
        f"/teach/quiz/course/{course_id}/import",
        data={"file": (io.BytesIO(good), "q.txt"), "format": "gift", "category": "บทที่ 1"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Question.id))) == before + 2
    export = client.get(f"/teach/quiz/course/{course_id}/export?format=gift").text
    assert "$CATEGORY: บทที่ 1" in export and "ข้อนี้ถูก" in export


def test_editing_a_question_regrades(world, login, client):
    aid = _start(login(world["learner"]), world["activity"])
    client.post(
        f"/quiz/attempt/{aid}/page",
        data={"slots": "0", "q0": "1" if _bangkok(world["qs"]) == "0" else "0", "goto": "finish"},
    )
    login(world["teacher"])
    q1 = world["qs"][0]
    form = {"name": "Q1", "category_id": str(q1.category_id), "text": "Capital?",
            "text_format": "html", "general_feedback": "", "default_mark": "1", "single": "1",
            "answers-0-text": "Bangkok", "answers-0-fraction": "100",
            "answers-1-text": "Chiang Mai", "answers-1-fraction": "100"}  # fmt: skip
    r = client.post(f"/teach/quiz/question/{q1.id}/edit", data=form)
    assert r.status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, q1.id)
    assert question.version == 2
    resp = db.session.get(Attempt, aid).responses[0]
    assert resp.fraction == 1.0
    bad = client.post(
        f"/teach/quiz/question/{q1.id}/edit", data={**form, "answers-1-fraction": "abc"}
    )
    assert bad.status_code == 422 and 'id="answers-1-fraction-error"' in bad.text
    assert db.session.get(Question, q1.id).version == 2


def test_cli_import_and_export(app, f, tmp_path):
    course = f.course(lessons=0)
    runner = app.test_cli_runner()
    src = tmp_path / "bank.gift"
    src.write_text("::A::ก {T}\n\n::B::ข {=x ~y}\n\n::C::ค {#1..5}\n", encoding="utf-8")
    result = runner.invoke(args=["quiz", "import", str(course.id), str(src), "--category", "CLI"])
    assert result.exit_code == 0, result.output
    assert "truefalse: 1" in result.output and "multichoice: 1" in result.output
    assert "numerical: 1" in result.output and "total: 3" in result.output
    bad = tmp_path / "bad.gift"
    bad.write_text("::A::ok {T}\n\n::Z::broken {#x}\n", encoding="utf-8")
    result = runner.invoke(args=["quiz", "import", str(course.id), str(bad)])
    assert result.exit_code != 0 and '"Z" (line 3)' in result.output
    out = tmp_path / "out.xml"
    result = runner.invoke(args=["quiz", "export", str(course.id), str(out), "--format", "xml"])
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.count('<question type="') == 4 and "ข" in text  # 1 category + 3 questions
    gift_out = tmp_path / "out.gift"
    runner.invoke(args=["quiz", "export", str(course.id), str(gift_out), "--format", "gift"])
    again = runner.invoke(args=["quiz", "import", str(course.id), str(gift_out)])
    assert again.exit_code == 0 and "total: 3" in again.output
    assert db.session.scalar(db.select(db.func.count(Question.id))) == 6


def test_teacher_creates_a_quiz_and_adds_questions(world, login, client):
    login(world["teacher"])
    course = world["course"]
    section_id = course.sections[0].id
    assert client.get(f"/teach/section/{section_id}/add/quiz").status_code == 200
    r = client.post(
        f"/teach/section/{section_id}/add/quiz",
        data={
            "title": "แบบทดสอบท้ายบท",
            "is_visible": "y",
            "completion": "auto",
            "quiz_intro": "อ่าน **ให้ดี**",
            "quiz_open_at": "2026-01-01T08:00",
            "quiz_time_limit": "15",
            "quiz_grace_seconds": "30",
            "quiz_overdue_rule": "autosubmit",
            "quiz_attempts_allowed": "2",
            "quiz_grade_method": "average",
            "quiz_grade_max": "20",
            "quiz_pass_percent": "50",
            "quiz_questions_per_page": "2",
            "quiz_review_marks": "after_submit",
            "quiz_review_feedback": "after_submit",
            "quiz_review_correct": "never",
        },
    )
    assert r.status_code == 302, r.text
    from lms_quiz.models import Quiz

    from lms.models import Activity

    activity = db.session.scalar(db.select(Activity).where(Activity.title == "แบบทดสอบท้ายบท"))
    quiz = db.session.get(Quiz, activity.id)
    assert quiz.time_limit == 900 and quiz.grade_method == "average" and quiz.attempts_allowed == 2
    assert quiz.open_at.hour == 1  # 08:00 in Bangkok is 01:00 UTC
    edit = client.get(f"/teach/activity/{activity.id}/edit").text
    assert 'value="2026-01-01T08:00"' in edit and 'value="15"' in edit
    qid = world["qs"][0].id
    url = f"/teach/quiz/{activity.id}/questions"
    assert client.post(url, data={"action": "add", "question_id": qid}).status_code == 302
    cat = world["qs"][0].category_id
    assert client.post(url, data={"action": "random", "category_id": cat}).status_code == 302
    db.session.expire_all()
    quiz = db.session.get(Quiz, activity.id)
    assert [s.question_id for s in quiz.slots] == [qid, None]
    page = client.get(f"/activity/{activity.id}").text
    assert "<strong>ให้ดี</strong>" in page and "/teach/quiz/" in page
    assert (
        client.post(url, data={"action": "remove", "slot_id": quiz.slots[0].id}).status_code == 302
    )
    assert client.post(url, data={"action": "add", "question_id": 99999}).status_code == 404


def test_review_during_the_attempt_checks_and_locks_an_answer(app, f, login, client):
    teacher = f.user("educator")
    course = f.course(teacher=teacher, lessons=0)
    learner = f.user()
    add_enrolment(learner, course)
    gift = "::Q1::Capital? {=Bangkok#ถูกต้อง ~Chiang Mai#ผิด}\n\n::Q2::Sun hot? {T}\n\n::Q3::Essay {}"
    activity, quiz, qs = make_quiz(course, gift, questions_per_page=0, shuffle_answers=False,
                                   review_marks="during", review_feedback="during",
                                   review_correct="after_close")  # fmt: skip
    login(learner)
    aid = _start(client, activity)
    page = client.get(f"/quiz/attempt/{aid}").text
    assert page.count('name="check"') == 2  # the essay is graded by a person: no Check
    # checking an unanswered question is refused politely
    r = client.post(f"/quiz/attempt/{aid}/page", data={"slots": ["0", "1", "2"], "check": "1",
                                                       "page": "0"})  # fmt: skip
    assert r.status_code == 302 and r.headers["Location"].endswith("#question-1")
    assert "ตอบคำถามก่อน" in client.get(f"/quiz/attempt/{aid}").text
    # answer Q1 wrongly and check it: mark and feedback now, the right answer not yet
    r = client.post(f"/quiz/attempt/{aid}/page",
                    data={"slots": ["0", "1", "2"], "q0": "1", "check": "0", "page": "0"})  # fmt: skip
    assert r.status_code == 302
    page = client.get(f"/quiz/attempt/{aid}").text
    assert 'id="checked-0"' in page and "ผิด" in page
    assert re.search(r'name="q0" value="1" checked disabled', page)
    assert "Bangkok" not in page.split('id="checked-0"')[1].split("</div>")[0]  # after_close
    assert page.count('name="check"') == 1
    # the checked answer is locked: neither autosave nor the page form can change it
    r = client.post(f"/quiz/attempt/{aid}/autosave", data={"slots": ["0", "1"], "q0": "0",
                                                           "q1": "true"})  # fmt: skip
    assert r.status_code == 200
    attempt = db.session.get(Attempt, aid)
    assert attempt.responses[0].response == [1] and attempt.responses[1].response == "true"
    # a check for a slot not on the page is refused
    bad = client.post(f"/quiz/attempt/{aid}/page", data={"slots": ["1"], "check": "0"})
    assert bad.status_code == 400
    client.post(f"/quiz/attempt/{aid}/page", data={"slots": ["1"], "q1": "true", "goto": "finish"})
    db.session.expire_all()
    attempt = db.session.get(Attempt, aid)
    assert attempt.responses[0].mark == 0 and attempt.responses[1].mark == 1


def test_without_review_during_there_is_no_check(world, login, client):
    aid = _start(login(world["learner"]), world["activity"])
    assert 'name="check"' not in client.get(f"/quiz/attempt/{aid}").text
    r = client.post(f"/quiz/attempt/{aid}/page",
                    data={"slots": "0", "q0": _bangkok(world["qs"]), "check": "0"})  # fmt: skip
    assert r.status_code == 302
    attempt = db.session.get(Attempt, aid)
    assert "checked" not in attempt.layout[0]
    assert "ไม่ได้ตรวจคำตอบระหว่างทำ" in client.get(f"/quiz/attempt/{aid}").text


def test_review_option_during_is_offered_in_the_settings(world, login, client):
    login(world["teacher"])
    page = client.get(f"/teach/activity/{world['activity'].id}/edit").text
    assert 'value="during"' in page


def test_the_time_limit_cannot_be_extended_from_the_browser(world, login, client):
    from datetime import timedelta

    login(world["learner"])
    aid = _start(client, world["activity"])
    deadline = db.session.get(Attempt, aid).deadline
    forged = {"slots": "0", "q0": _bangkok(world["qs"]), "deadline": "2099-01-01T00:00",
              "seconds_left": "999999", "time_limit": "0", "started_at": "2099-01-01"}  # fmt: skip
    assert client.post(f"/quiz/attempt/{aid}/autosave", data=forged).status_code == 200
    assert client.post(f"/quiz/attempt/{aid}/page", data={**forged, "goto": "1"}).status_code == 302
    # starting again resumes the same attempt with the same deadline
    assert _start(client, world["activity"]) == aid
    db.session.expire_all()
    assert db.session.get(Attempt, aid).deadline == deadline
    # once deadline + grace have passed (moved back here, as time would), nothing is accepted
    attempt = db.session.get(Attempt, aid)
    attempt.deadline = attempt.started_at = deadline - timedelta(hours=2)
    db.session.commit()
    r = client.post(f"/quiz/attempt/{aid}/autosave", data={**forged, "slots": "1", "q1": "late"})
    assert r.status_code == 409 and r.json["error"] == "closed"
    db.session.expire_all()
    attempt = db.session.get(Attempt, aid)
    assert attempt.state == "graded"  # autosubmit with the saved answers (blank essay: 0)
    assert attempt.responses[1].response is None and attempt.responses[0].response is not None
    assert attempt.submitted_at == attempt.deadline + timedelta(seconds=60)  # not "now"
    r = client.post(f"/quiz/attempt/{aid}/page", data={"slots": "1", "q1": "late", "goto": "0"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/quiz/attempt/{aid}/review")


def test_double_submit_records_one_participation_event(world, login, client, app):
    events = []

    class Recorder:
        @staticmethod
        def lms_participation_record(app, event):
            events.append(event.kind)

    from lms import hookimpl

    Recorder.lms_participation_record = hookimpl(Recorder.lms_participation_record)
    app.extensions["lms"].plugins.register(Recorder, "recorder")
    login(world["learner"])
    aid = _start(client, world["activity"])
    data = {"slots": "0", "q0": _bangkok(world["qs"]), "goto": "finish"}
    for _i in range(2):
        assert client.post(f"/quiz/attempt/{aid}/page", data=data).status_code == 302
        assert client.post(f"/quiz/attempt/{aid}/submit").status_code == 302
    login(world["teacher"])
    rid = db.session.get(Attempt, aid).responses[1].id
    for _i in range(2):
        client.post(f"/teach/quiz/response/{rid}/grade", data={"mark": "1"})
    db.session.expire_all()
    attempt = db.session.get(Attempt, aid)
    assert attempt.state == "graded" and attempt.number == 1
    assert events.count("quiz_attempt") == 1
    assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 1


def test_the_attempt_page_does_not_query_once_per_question(app, f, login, client, count_queries):
    teacher = f.user("educator")
    course = f.course(teacher=teacher, lessons=0)
    learner = f.user()
    add_enrolment(learner, course)
    counts = []
    for n in (2, 8):
        gift = "\n\n".join(f"::Q{i}::Sun {i}? {{T}}" for i in range(n))
        activity, _quiz, _qs = make_quiz(course, gift, title=f"Q{n}", questions_per_page=0)
        login(learner)
        aid = _start(client, activity)
        with count_queries() as q:
            assert client.get(f"/quiz/attempt/{aid}").status_code == 200
        quiz_queries = [s for s in q.statements if "lms_quiz_" in s]
        counts.append(len(quiz_queries))
    assert counts[0] == counts[1], counts
