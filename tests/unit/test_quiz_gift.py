"""The GIFT parser against every construct of the format, errors, export round trips, Moodle XML."""

import pytest
from lms_quiz import gift, moodlexml
from lms_quiz.qtypes import builtin_types

TYPES = {t.key: t for t in builtin_types()}

SAMPLE = r"""// A comment line: ignored
// $CATEGORY: inside a comment is ignored too
$CATEGORY: $course$/top/ภูมิศาสตร์

::Capital::What is the capital of Thailand? {
  =Bangkok#Right!
  ~Chiang Mai#No, that is in the north.
  ~%-50%Tokyo#Not even in Thailand.
  ####Bangkok has been the capital since 1782.
}

::Grant::Who's buried in Grant's tomb?{=Grant =Ulysses S. Grant#full name =%50%Ulysses#half}

::Missing word::Moodle costs {~lots of money =nothing ~a small amount} to download from moodle.org.

::TF::[plain]The sun rises in the east.{T#Think again#Yes}

::TF2::2 + 2 = 5 \= true?{FALSE}

::TF3::Chiang Mai is in the north.{TRUE}

::TF4::Fish fly.{F}

::Pi::[markdown]What is **pi** to two decimals?{#3.14:0.005}

::Range::A number between one and five{#1..5}

::Multi num::When was Ulysses S. Grant born?{#
    =1822:0#Right on
    =%50%1822:2#Close
}

::Match::Match the Thai words.{
  =แมว -> cat
  =หมา -> dog
  =นก -> bird
  ####Animals
}

::Multi answer::Which are provinces of Thailand?{
  ~%50%Chiang Mai
  ~%50%Lamphun
  ~%-100%Vientiane
}

::Essay::[html]Write about <b>your district</b>.{}

::Desc::This is only a description, with no answer block.

::Escapes\: all::Escaped \~ \= \# \{ \} \: characters{=a \= b \# c#fb with \{braces\}~wrong}

A question
written over
several lines {=yes ~no}
"""


def by_name(questions):
    return {q.name: q for q in questions}


def test_parse_every_construct():
    qs = by_name(gift.parse(SAMPLE, TYPES))
    assert len(qs) == 16
    cap = qs["Capital"]
    assert cap.qtype == "multichoice" and cap.category == "ภูมิศาสตร์"
    assert cap.data["single"] is True
    assert [a["fraction"] for a in cap.data["answers"]] == [1.0, 0.0, -0.5]
    assert cap.data["answers"][1]["feedback"] == "No, that is in the north."
    assert cap.general_feedback == "Bangkok has been the capital since 1782."

    grant = qs["Grant"]
    assert grant.qtype == "shortanswer"
    assert [(a["text"], a["fraction"]) for a in grant.data["answers"]] == [
        ("Grant", 1.0), ("Ulysses S. Grant", 1.0), ("Ulysses", 0.5)]  # fmt: skip
    assert grant.data["answers"][1]["feedback"] == "full name"

    mw = qs["Missing word"]
    assert mw.qtype == "multichoice"
    assert mw.text == "Moodle costs _____ to download from moodle.org."

    tf = qs["TF"]
    assert tf.qtype == "truefalse" and tf.data["correct"] is True and tf.text_format == "plain"
    assert tf.data["feedback_wrong"] == "Think again" and tf.data["feedback_right"] == "Yes"
    assert qs["TF2"].data["correct"] is False and qs["TF2"].text == "2 + 2 = 5 = true?"
    assert qs["TF3"].data["correct"] is True and qs["TF4"].data["correct"] is False

    pi = qs["Pi"]
    assert pi.qtype == "numerical" and pi.text_format == "markdown"
    assert pi.data["answers"] == [
        {"value": 3.14, "tolerance": 0.005, "fraction": 1.0, "feedback": ""}
    ]
    rng = qs["Range"].data["answers"][0]
    assert (rng["value"], rng["tolerance"]) == (3.0, 2.0)
    multi = qs["Multi num"].data["answers"]
    assert [(a["value"], a["tolerance"], a["fraction"]) for a in multi] == [
        (1822, 0, 1.0),
        (1822, 2, 0.5),
    ]
    assert multi[1]["feedback"] == "Close"

    match = qs["Match"]
    assert match.qtype == "matching" and match.general_feedback == "Animals"
    assert match.data["pairs"][0] == {"q": "แมว", "a": "cat"}

    ma = qs["Multi answer"]
    assert ma.qtype == "multichoice" and ma.data["single"] is False
    assert [a["fraction"] for a in ma.data["answers"]] == [0.5, 0.5, -1.0]

    essay = qs["Essay"]
    assert essay.qtype == "essay" and essay.text_format == "html"
    assert essay.text == "Write about <b>your district</b>."
    desc = qs["Desc"]
    assert desc.qtype == "description" and desc.default_mark == 0

    esc = qs["Escapes: all"]
    assert esc.text == "Escaped ~ = # { } : characters"
    assert esc.data["answers"][0] == {
        "text": "a = b # c",
        "fraction": 1.0,
        "feedback": "fb with {braces}",
    }

    ml = [q for q in qs.values() if q.text.startswith("A question")][0]
    assert ml.text == "A question\nwritten over\nseveral lines" and ml.qtype == "multichoice"
    assert ml.name == "A question written over several lines"


def test_line_numbers_are_recorded():
    qs = gift.parse(SAMPLE, TYPES)
    assert qs[0].line == 5  # the "::Capital::" line
    lines = SAMPLE.splitlines()
    for q in qs:
        assert lines[q.line - 1].strip(), q.name


BROKEN = """::Good::Fine {=a ~b}

::Unclosed::This one never closes {=a ~b

::Bad number::Pi? {#three}

::Bad weight::Pick {~%150%a =b}

No title here and a stray } brace

::Match one::Only one pair {=a -> b}
"""


def test_errors_name_the_question_and_line_and_nothing_is_returned():
    with pytest.raises(gift.ImportErrors) as info:
        gift.parse(BROKEN, TYPES)
    errors = info.value.errors
    assert len(errors) == 5
    assert errors[0].startswith('Question "Unclosed" (line 3)') and "}" in errors[0]
    assert '"Bad number" (line 5)' in errors[1] and "three" in errors[1]
    assert '"Bad weight" (line 7)' in errors[2] and "150%" in errors[2]
    assert '"No title here and a stray" (line 9)' in errors[3] and "(line 9)" in errors[3]
    assert '"Match one" (line 11)' in errors[4] and "two pairs" in errors[4]


def test_multichoice_without_a_right_answer_is_an_error():
    with pytest.raises(gift.ImportErrors) as info:
        gift.parse("::None right::Pick {~a ~b}", TYPES)
    assert "None right" in info.value.errors[0]


class Q:
    def __init__(self, p):
        self.__dict__.update(p.__dict__)
        self.category = type("C", (), {"name": p.category})() if p.category else None


def _key(q):
    return (q.qtype, q.name, q.text, q.text_format, q.general_feedback, q.data, q.category)


def test_export_reimports_to_the_same_questions_thai_included():
    first = gift.parse(SAMPLE, TYPES)
    text = gift.export([Q(p) for p in first], TYPES)
    second = gift.parse(text, TYPES)
    assert [_key(q) for q in second] == [_key(q) for q in first]
    assert "ภูมิศาสตร์" in text and "แมว" in text


def test_bom_and_crlf_are_accepted():
    qs = gift.parse("\ufeff::T::Hi {T}\r\n\r\n::U::Yo {F}\r\n", TYPES)
    assert [q.name for q in qs] == ["T", "U"]


XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/นำเข้า</text></category></question>
  <question type="multichoice">
    <name><text>MC</text></name>
    <questiontext format="html"><text><![CDATA[<p>เลือก</p>]]></text></questiontext>
    <defaultgrade>2</defaultgrade>
    <single>true</single><shuffleanswers>1</shuffleanswers>
    <answer fraction="100"><text>ก</text><feedback><text>ถูก</text></feedback></answer>
    <answer fraction="0"><text>ข</text><feedback><text>ผิด</text></feedback></answer>
  </question>
  <question type="truefalse">
    <name><text>TF</text></name><questiontext format="moodle_auto_format"><text>Sky is blue</text></questiontext>
    <answer fraction="100"><text>true</text><feedback><text>yes</text></feedback></answer>
    <answer fraction="0"><text>false</text><feedback><text>no</text></feedback></answer>
  </question>
  <question type="shortanswer">
    <name><text>SA</text></name><questiontext><text>Capital?</text></questiontext><usecase>1</usecase>
    <answer fraction="100"><text>Bangkok</text></answer>
  </question>
  <question type="numerical">
    <name><text>NUM</text></name><questiontext><text>Length?</text></questiontext>
    <answer fraction="100"><text>1.5</text><tolerance>0.1</tolerance></answer>
    <units><unit><multiplier>1</multiplier><unit_name>m</unit_name></unit>
           <unit><multiplier>100</multiplier><unit_name>cm</unit_name></unit></units>
  </question>
  <question type="matching">
    <name><text>MATCH</text></name><questiontext><text>Match</text></questiontext>
    <subquestion><text>a</text><answer><text>1</text></answer></subquestion>
    <subquestion><text>b</text><answer><text>2</text></answer></subquestion>
  </question>
  <question type="essay"><name><text>ES</text></name><questiontext><text>Write</text></questiontext></question>
  <question type="description"><name><text>DE</text></name><questiontext><text>Info</text></questiontext></question>
</quiz>
"""


def test_moodle_xml_import_all_types():
    qs = by_name(moodlexml.parse(XML, TYPES))
    assert set(qs) == {"MC", "TF", "SA", "NUM", "MATCH", "ES", "DE"}
    assert qs["MC"].category == "นำเข้า" and qs["MC"].default_mark == 2
    assert qs["MC"].data["answers"][0] == {"text": "ก", "fraction": 1.0, "feedback": "ถูก"}
    assert qs["TF"].data == {"correct": True, "feedback_right": "yes", "feedback_wrong": "no"}
    assert qs["SA"].data["case_sensitive"] is True
    assert qs["NUM"].data["units"][1] == {"unit": "cm", "multiplier": 100.0}
    assert TYPES["numerical"].grade(qs["NUM"].data, "150 cm") == 1.0
    assert qs["MATCH"].data["pairs"][1] == {"q": "b", "a": "2"}
    assert qs["ES"].qtype == "essay" and qs["DE"].default_mark == 0


def test_moodle_xml_export_round_trip():
    first = moodlexml.parse(XML, TYPES)
    again = moodlexml.parse(moodlexml.export([Q(p) for p in first]), TYPES)
    assert [(q.qtype, q.name, q.data, q.category) for q in again] == [
        (q.qtype, q.name, q.data, q.category) for q in first
    ]


def test_moodle_xml_refuses_entities_and_reports_bad_questions():
    bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><quiz>&lol;</quiz>'
    with pytest.raises(gift.ImportErrors) as info:
        moodlexml.parse(bomb, TYPES)
    assert "DTD" in info.value.errors[0]
    with pytest.raises(gift.ImportErrors):
        moodlexml.parse("<quiz><question", TYPES)
    bad = '<quiz>\n<question type="multichoice"><name><text>Bad MC</text></name><answer fraction="0"><text>a</text></answer></question>\n<question type="calculated"><name><text>Calc</text></name></question></quiz>'
    with pytest.raises(gift.ImportErrors) as info:
        moodlexml.parse(bad, TYPES)
    assert 'Question "Bad MC" (line 2)' in info.value.errors[0]
    assert '"Calc" (line 3)' in info.value.errors[1] and "calculated" in info.value.errors[1]


MORE = r"""$CATEGORY: $course$/บทที่ 2

::ทาง\:เลือก::[moodle]ข้อ\\ความ\nบรรทัดสอง มี \{ปีกกา\} และ 50% {
  ~%33.33333%หนึ่ง ~%33.33333%สอง ~%33.33334%สาม ~%-100%ผิด\#ไม่ใช่
}

::คำที่หายไป::แม่น้ำ{=ปิง ~วัง ~ยม}ไหลผ่านเชียงใหม่

::ช่วงลบ::Below zero? {#-5..-1}

::เลขชี้กำลัง::One thousand, give or take ten {#1e3:10}

::หลายช่วง::Between one and five, or about ten for half {#
  =1..5#ใช่
  =%50%10:1#เกือบ
}

::คู่::จับคู่ {
  =แมว -> cat
  =หมา -> dog
  = -> fish
}

::TF only wrong::ฟ้าสีเขียว {F#ผิดนะ}

$CATEGORY: อีกหมวด

::ท้าย::สุดท้าย {T}
"""


def test_more_constructs_thai_escapes_and_weights():
    qs = by_name(gift.parse(MORE, TYPES))
    first = qs["ทาง:เลือก"]
    assert first.category == "บทที่ 2" and first.text_format == "html"  # [moodle] is html
    assert first.text == "ข้อ\\ความ\nบรรทัดสอง มี {ปีกกา} และ 50%"
    weights = [a["fraction"] for a in first.data["answers"]]
    assert weights == pytest.approx([0.3333333, 0.3333333, 0.3333334, -1.0])
    assert not first.data["single"]
    assert first.data["answers"][3]["text"] == "ผิด#ไม่ใช่"
    mw = qs["คำที่หายไป"]
    assert mw.text == "แม่น้ำ _____ ไหลผ่านเชียงใหม่" and mw.qtype == "multichoice"
    mc = TYPES["multichoice"]
    assert mc.grade(mw.data, [0]) == 1.0 and mc.grade(mw.data, [1]) == 0.0
    nu = TYPES["numerical"]
    neg = qs["ช่วงลบ"].data
    assert (neg["answers"][0]["value"], neg["answers"][0]["tolerance"]) == (-3.0, 2.0)
    assert nu.grade(neg, "-1") == 1.0 and nu.grade(neg, "-5") == 1.0
    assert nu.grade(neg, "-0.99") == 0.0 and nu.grade(neg, "-5.01") == 0.0
    exp = qs["เลขชี้กำลัง"].data
    assert nu.grade(exp, "1010") == 1.0 and nu.grade(exp, "1,010.5") == 0.0
    ranges = qs["หลายช่วง"].data
    assert nu.grade(ranges, "5") == 1.0 and nu.grade(ranges, "10.5") == 0.5
    assert nu.grade(ranges, "7") == 0.0 and nu.feedback(ranges, "9.2") == "เกือบ"
    pairs = qs["คู่"].data["pairs"]
    assert pairs[2] == {"q": "", "a": "fish"}  # a distractor answer
    tf = qs["TF only wrong"].data
    assert tf == {"correct": False, "feedback_wrong": "ผิดนะ", "feedback_right": ""}
    assert qs["ท้าย"].category == "อีกหมวด"


def test_more_constructs_round_trip_identically():
    first = gift.parse(MORE, TYPES)
    text = gift.export([Q(p) for p in first], TYPES)
    second = gift.parse(text, TYPES)
    assert [_key(q) for q in second] == [_key(q) for q in first]
    assert gift.export([Q(p) for p in second], TYPES) == text  # and the text is stable


def test_sample_export_is_stable_text():
    text = gift.export([Q(p) for p in gift.parse(SAMPLE, TYPES)], TYPES)
    again = gift.export([Q(p) for p in gift.parse(text, TYPES)], TYPES)
    assert again == text


def test_bank_round_trip_through_the_database(app, f):
    """A bank stored, exported as GIFT and imported into another course: the same questions
    (type, name, text, format, feedback, data, mark, category), Thai included."""
    from lms_quiz import bank

    first, second = f.course(lessons=0), f.course(lessons=0)
    bank.import_text(first.id, (SAMPLE + "\n\n" + MORE).encode(), "gift")
    exported = bank.export_text(first.id, "gift")
    counts = bank.import_text(second.id, exported.encode(), "gift")
    assert sum(counts.values()) == 16 + 8

    def rows(course):
        return sorted(
            (q.category.name, q.qtype, q.name, q.text, q.text_format, q.general_feedback,
             repr(q.data), q.default_mark)
            for q in bank.bank_questions(course.id)
        )  # fmt: skip

    assert rows(second) == rows(first)
    assert bank.export_text(second.id, "gift") == exported
