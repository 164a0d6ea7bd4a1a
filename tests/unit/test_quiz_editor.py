"""The question editor: every built-in type written through its own web form, then graded."""

import re

import pytest
from lms_quiz import attempts as svc
from lms_quiz.models import Category, Question, Slot
from lms_quiz.qtypes.base import QuestionType
from werkzeug.datastructures import MultiDict

from lms.courses import add_enrolment
from lms.extensions import db
from lms.teach import services


@pytest.fixture
def world(app, f):
    teacher = f.user("educator")
    course = f.course(teacher=teacher, lessons=0)
    learner = f.user(name="Somchai")
    add_enrolment(learner, course)
    db.session.commit()
    return {"teacher": teacher, "course": course, "learner": learner}


def _new(client, course, qtype, fields, category="บทที่ 1"):
    data = {"name": "", "category_id": "0", "new_category": category, "text_format": "html",
            "general_feedback": "", "default_mark": "", "save": "1", **fields}  # fmt: skip
    return client.post(f"/teach/quiz/course/{course.id}/question/new?qtype={qtype}", data=data)


def _rows(prefix, rows):
    out = {}
    for i, row in enumerate(rows):
        for key, value in row.items():
            out[f"{prefix}-{i}-{key}"] = value
    return out


CASES = {
    "multichoice": (
        {"text": "<p>เมืองหลวงของไทย?</p>", "single": "1", "shuffle": "y",
         **_rows("answers", [{"text": "กรุงเทพฯ", "fraction": "100", "feedback": "ถูก"},
                             {"text": "เชียงใหม่", "fraction": "0", "feedback": "ผิด"},
                             {"text": "", "fraction": "0", "feedback": ""}])},
        lambda q: str([a["text"] for a in q.data["answers"]].index("กรุงเทพฯ")),
        1.0,
    ),
    "multichoice-multi": (
        {"text": "Provinces?", "single": "0",
         **_rows("answers", [{"text": "Lamphun", "fraction": "50", "feedback": ""},
                             {"text": "Lampang", "fraction": "50", "feedback": ""},
                             {"text": "Vientiane", "fraction": "-100", "feedback": ""}])},
        lambda q: ["0"],  # one of two right answers: half the mark
        0.5,
    ),
    "truefalse": (
        {"text": "ดวงอาทิตย์ขึ้นทางทิศตะวันออก", "correct": "true",
         "feedback_right": "ใช่", "feedback_wrong": "ไม่ใช่"},
        lambda q: "true",
        1.0,
    ),
    "shortanswer": (
        {"text": "Colour of the sky?", "case_sensitive": "y",
         **_rows("answers", [{"text": "Blu*", "fraction": "100", "feedback": ""},
                             {"text": "Grey", "fraction": "50", "feedback": "half"}])},
        lambda q: "Grey",
        0.5,
    ),
    "numerical": (
        {"text": "Length of the table?",
         **_rows("answers", [{"value": "1,5", "tolerance": "0.1", "fraction": "100", "feedback": ""}]),
         **_rows("units", [{"unit": "m", "multiplier": "1"}, {"unit": "cm", "multiplier": "100"}])},
        lambda q: "155 cm",
        1.0,
    ),
    "matching": (
        {"text": "จับคู่", "shuffle": "y",
         **_rows("pairs", [{"q": "แมว", "a": "cat"}, {"q": "หมา", "a": "dog"},
                           {"q": "", "a": "fish"}])},
        lambda q: None,  # answered through the select boxes below
        1.0,
    ),
    "essay": (
        {"text": "เล่าเรื่องหมู่บ้านของคุณ", "grader_info": "ให้คะแนนเต็มถ้ามี 3 ประโยค"},
        lambda q: "บ้านฉันอยู่ใกล้ดอย",
        None,  # a person grades it
    ),
    "description": ({"text": "อ่านก่อนตอบ"}, lambda q: None, None),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_each_type_is_written_through_its_form_then_graded(world, login, case):
    client = login(world["teacher"])
    course = world["course"]
    qtype = case.split("-")[0]
    fields, answer, expected = CASES[case]
    form_page = client.get(f"/teach/quiz/course/{course.id}/question/new?qtype={qtype}")
    assert form_page.status_code == 200 and 'name="text"' in form_page.text
    r = _new(client, course, qtype, fields)
    assert r.status_code == 302, re.findall(r'class="error"[^>]*>([^<]*)', r.text)
    question = db.session.scalar(db.select(Question).where(Question.course_id == course.id))
    assert question.qtype == qtype and question.text == fields["text"]
    assert question.category.name == "บทที่ 1"
    assert question.name  # named from its first words
    # into a quiz, answered by a learner, graded
    activity = services.add_activity(course.sections[0], "quiz", title="Q", completion="auto")
    quiz = svc.get_quiz(activity)
    quiz.slots.append(Slot(question_id=question.id, position=0))
    quiz.shuffle_answers = False
    db.session.commit()
    attempt = svc.start_attempt(quiz, world["learner"])
    form = MultiDict()
    value = answer(question)
    if qtype == "matching":
        choices = ["cat", "dog", "fish"]
        form.add("q0_0", str(choices.index("cat")))
        form.add("q0_1", str(choices.index("dog")))
    elif isinstance(value, list):
        for v in value:
            form.add("q0", v)
    elif value is not None:
        form.add("q0", value)
    svc.save_responses(attempt, form, [0])
    svc.submit(attempt)
    row = attempt.responses[0]
    if qtype == "essay":
        assert row.needs_grading and attempt.state == "submitted"
    elif qtype == "description":
        assert attempt.max_marks == 0 and question.default_mark == 0
    else:
        assert row.fraction == pytest.approx(expected) and attempt.state == "graded"


def test_saved_data_matches_the_form(world, login):
    client = login(world["teacher"])
    course = world["course"]
    fields, _a, _e = CASES["numerical"]
    _new(client, course, "numerical", fields)
    q = db.session.scalar(db.select(Question))
    assert q.data == {
        "answers": [{"value": 1.5, "tolerance": 0.1, "fraction": 1.0, "feedback": ""}],
        "units": [{"unit": "m", "multiplier": 1.0}, {"unit": "cm", "multiplier": 100.0}],
    }
    assert q.default_mark == 1.0
    fields, _a, _e = CASES["multichoice"]
    _new(client, course, "multichoice", dict(fields, name="เมืองหลวง", default_mark="2"))
    mc = db.session.scalar(db.select(Question).where(Question.qtype == "multichoice"))
    assert mc.name == "เมืองหลวง" and mc.default_mark == 2.0
    assert mc.data["answers"][0] == {"text": "กรุงเทพฯ", "fraction": 1.0, "feedback": "ถูก"}
    assert len(mc.data["answers"]) == 2  # the blank row is ignored
    # the second question went into the category created by the first
    assert db.session.scalar(db.select(db.func.count(Category.id))) == 1


@pytest.mark.parametrize(
    ("qtype", "fields", "field_id", "message"),
    [
        ("multichoice", {"text": "x", "single": "1", **_rows("answers", [
            {"text": "a", "fraction": "0"}, {"text": "b", "fraction": "0"}])},
         "answers", "ให้คะแนนมากกว่าศูนย์"),
        ("multichoice", {"text": "x", **_rows("answers", [{"text": "a", "fraction": "100"}])},
         "answers", "อย่างน้อยสองคำตอบ"),
        ("multichoice", {"text": "x", **_rows("answers", [
            {"text": "a", "fraction": "150"}, {"text": "b", "fraction": "0"}])},
         "answers-0-fraction", "-100 ถึง 100"),
        ("numerical", {"text": "x", **_rows("answers", [{"value": "สาม", "fraction": "100"}])},
         "answers-0-value", "กรอกตัวเลข"),
        ("numerical", {"text": "x", **_rows("answers", [{"value": "3"}]),
                       **_rows("units", [{"unit": "cm", "multiplier": "0"}])},
         "units-0-multiplier", "ตัวคูณ"),
        ("matching", {"text": "x", **_rows("pairs", [{"q": "a", "a": ""}, {"q": "b", "a": "c"}])},
         "pairs-0-a", "คำตอบที่คู่กับ"),
        ("shortanswer", {"text": "x"}, "answers", "คำตอบที่ยอมรับ"),
        ("truefalse", {"text": ""}, "text", "เขียนคำถาม"),
        ("essay", {"text": "x", "new_category": ""}, "new_category", "หมวดหมู่ใหม่"),
    ],
)  # fmt: skip
def test_errors_are_shown_beside_the_field_in_thai_and_nothing_is_saved(
    world, login, qtype, fields, field_id, message
):
    client = login(world["teacher"])
    r = _new(client, world["course"], qtype, fields)
    assert r.status_code == 422
    html = r.text
    assert f'id="{field_id}-error"' in html, re.findall(r'id="([^"]*-error)"', html)
    error = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', html).group(1)
    assert message in error
    assert db.session.scalar(db.select(db.func.count(Question.id))) == 0


def test_more_rows_and_preview_do_not_save(world, login):
    client = login(world["teacher"])
    course = world["course"]
    url = f"/teach/quiz/course/{course.id}/question/new?qtype=multichoice"
    page = client.get(url).text
    assert page.count('name="answers-') // 3 == 4  # four blank rows to start with
    fields, _a, _e = CASES["multichoice"]
    data = {"category_id": "0", "new_category": "x", "text_format": "html", **fields}
    more = client.post(url, data={**data, "more": "1"})
    assert more.status_code == 200 and 'name="answers-4-text"' in more.text
    preview = client.post(url, data={**data, "preview": "1"})
    assert preview.status_code == 200 and 'id="question-preview"' in preview.text
    assert 'type="radio" name="preview"' in preview.text and "กรุงเทพฯ" in preview.text
    assert db.session.scalar(db.select(db.func.count(Question.id))) == 0


def test_type_chooser_lists_every_type_and_the_bank_links_to_it(world, login):
    client = login(world["teacher"])
    course = world["course"]
    assert (
        f"/teach/quiz/course/{course.id}/question/new"
        in client.get(f"/teach/quiz/course/{course.id}/bank").text
    )
    chooser = client.get(f"/teach/quiz/course/{course.id}/question/new").text
    for key in ("multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay",
                "description"):  # fmt: skip
        assert f"qtype={key}" in chooser


def test_edit_fills_the_form_and_regrades(world, login):
    client = login(world["teacher"])
    course = world["course"]
    fields, _a, _e = CASES["shortanswer"]
    _new(client, course, "shortanswer", fields)
    q = db.session.scalar(db.select(Question))
    page = client.get(f"/teach/quiz/question/{q.id}/edit").text
    assert 'value="Blu*"' in page and 'value="50"' in page and "checked" in page
    assert 'id="question-preview"' in page
    edited = {**fields, "answers-1-fraction": "100", "category_id": str(q.category_id),
              "new_category": "", "name": "Sky"}  # fmt: skip
    r = client.post(f"/teach/quiz/question/{q.id}/edit", data=edited)
    assert r.status_code == 302
    db.session.expire_all()
    q = db.session.get(Question, q.id)
    assert q.version == 2 and q.name == "Sky" and q.data["answers"][1]["fraction"] == 1.0


def test_other_teachers_and_learners_cannot_write_questions(world, login, f):
    course = world["course"]
    fields, _a, _e = CASES["truefalse"]
    for user in (world["learner"], f.user("educator")):
        client = login(user)
        assert client.get(f"/teach/quiz/course/{course.id}/question/new").status_code == 403
        assert _new(client, course, "truefalse", fields).status_code == 403
    assert db.session.scalar(db.select(db.func.count(Question.id))) == 0


def test_a_third_party_type_supplies_its_own_form(app, world, login):
    from flask_babel import lazy_gettext as _l
    from wtforms import Form, StringField

    from lms import hookimpl

    class ColourForm(Form):
        colour = StringField(_l("Colour"))

    class Colour(QuestionType):
        key = "colour"
        label = "Colour"
        error_field = "colour"  # where validate()'s ValueError is shown

        def form_class(self):
            return ColourForm

        def fill_form(self, form, data):
            form.colour.data = (data or {}).get("colour", "")

        def form_data(self, form):
            return {"colour": form.colour.data}

        def validate(self, data):
            if not data.get("colour"):
                raise ValueError("no colour")
            return {"colour": data["colour"]}

    class Plugin:
        @staticmethod
        @hookimpl
        def lms_question_types(app):
            return [Colour()]

    app.extensions["lms"].plugins.register(Plugin, "colour_qtype")  # this test's app only
    client = login(world["teacher"])
    url = f"/teach/quiz/course/{world['course'].id}/question/new?qtype=colour"
    assert 'name="colour"' in client.get(url).text
    bad = _new(client, world["course"], "colour", {"text": "x", "colour": ""})
    assert bad.status_code == 422 and 'id="colour-error"' in bad.text
    ok = _new(client, world["course"], "colour", {"text": "x", "colour": "red"})
    assert ok.status_code == 302
    assert db.session.scalar(db.select(Question)).data == {"colour": "red"}
    # The third-party type offers no GIFT writer: exporting the bank says so and which
    # question, on the page and on the command line, instead of failing with a traceback.
    export = client.get(f"/teach/quiz/course/{world['course'].id}/export")
    assert export.status_code == 302
    bank_page = client.get(export.headers["Location"]).text
    assert "question type &#39;colour&#39; cannot be written as GIFT" in bank_page
    result = app.test_cli_runner().invoke(
        args=["quiz", "export", str(world["course"].id), str(app.instance_path) + "/q.gift"]
    )
    assert result.exit_code == 1 and "cannot be written as GIFT" in result.output
