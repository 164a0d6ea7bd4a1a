"""Grading edge cases of every built-in question type (pure functions: no database)."""

import pytest
from lms_quiz.qtypes.description import Description
from lms_quiz.qtypes.essay import Essay
from lms_quiz.qtypes.matching import Matching
from lms_quiz.qtypes.multichoice import MultiChoice
from lms_quiz.qtypes.numerical import Numerical, parse_number
from lms_quiz.qtypes.shortanswer import ShortAnswer
from lms_quiz.qtypes.truefalse import TrueFalse
from werkzeug.datastructures import MultiDict

MC = MultiChoice()


def mc(single=True, *fractions):
    return MC.validate(
        {
            "single": single,
            "answers": [
                {"text": f"a{i}", "fraction": f, "feedback": f"fb{i}"}
                for i, f in enumerate(fractions)
            ],
        }
    )


def test_multichoice_single_right_wrong_partial_and_unanswered():
    data = mc(True, 1, 0, 0.5)
    assert MC.grade(data, [0]) == 1.0
    assert MC.grade(data, [1]) == 0.0
    assert MC.grade(data, [2]) == 0.5
    assert MC.grade(data, None) == 0.0
    assert MC.feedback(data, [2]) == "fb2"


def test_multichoice_single_with_several_answers_sent_scores_nothing():
    data = mc(True, 1, 0.5, 0)
    assert MC.grade(data, [0, 1, 2]) == 0.0  # a forged request ticking every radio button
    assert MC.grade(data, [1]) == 0.5


def test_multichoice_multi_partial_credit_and_negative_clamped_at_zero():
    data = mc(False, 0.5, 0.5, -1, 0)
    assert MC.grade(data, [0, 1]) == 1.0
    assert MC.grade(data, [0]) == 0.5
    assert MC.grade(data, [0, 2]) == 0.0  # 0.5 - 1 clamps to 0, never negative
    assert MC.grade(data, [0, 1, 3]) == 1.0
    assert MC.grade(data, [2]) == 0.0


def test_multichoice_ignores_out_of_range_and_foreign_indexes():
    data = mc(True, 1, 0)
    assert MC.grade(data, [7]) == 0.0
    assert MC.parse_response("q0", MultiDict([("q0", "1"), ("q0", "x"), ("q0", "-1")])) == [1]
    assert MC.parse_response("q0", MultiDict()) is None


def test_multichoice_validation_rejects_bad_data():
    with pytest.raises(ValueError):
        mc(True, 0, 0)  # no right answer
    with pytest.raises(ValueError):
        MC.validate({"single": True, "answers": [{"text": "only", "fraction": 1}]})
    with pytest.raises(ValueError):
        mc(True, 1, 2)  # weight over 100%


def test_multichoice_render_escapes_and_sanitises_answers():
    data = MC.validate(
        {
            "answers": [
                {"text": "<script>alert(1)</script>ok", "fraction": 1},
                {"text": "<b>x</b>", "fraction": 0},
            ]
        }
    )
    html = str(MC.render(data, "q0", [0], [1, 0]))
    assert "<script" not in html and "ok" in html and "<b>x</b>" in html
    assert html.index("<b>x</b>") < html.index("ok")  # shuffled order respected
    assert 'value="0" checked' in html


def test_truefalse_and_feedback():
    tf = TrueFalse()
    data = tf.validate({"correct": True, "feedback_right": "yes", "feedback_wrong": "no"})
    assert tf.grade(data, "true") == 1.0 and tf.grade(data, "false") == 0.0
    assert tf.grade(data, None) == 0.0
    assert tf.feedback(data, "false") == "no" and tf.feedback(data, "true") == "yes"
    assert tf.parse_response("q", {"q": "maybe"}) is None


def test_shortanswer_case_insensitive_by_default_and_sensitive_on_request():
    sa = ShortAnswer()
    data = sa.validate({"answers": [{"text": "Paris", "fraction": 1}]})
    assert sa.grade(data, "  paris ") == 1.0
    strict = sa.validate({"case_sensitive": True, "answers": [{"text": "Paris", "fraction": 1}]})
    assert sa.grade(strict, "paris") == 0.0 and sa.grade(strict, "Paris") == 1.0


def test_shortanswer_wildcard_escaped_star_and_first_match_wins():
    sa = ShortAnswer()
    data = sa.validate(
        {
            "answers": [
                {"text": "colo*r", "fraction": 1, "feedback": "good"},
                {"text": "*", "fraction": 0, "feedback": "anything else"},
            ]
        }
    )
    assert sa.grade(data, "colour") == 1.0 and sa.grade(data, "color") == 1.0
    assert sa.grade(data, "blue") == 0.0 and sa.feedback(data, "blue") == "anything else"
    literal = sa.validate({"answers": [{"text": "a\\*b", "fraction": 1}]})
    assert sa.grade(literal, "a*b") == 1.0 and sa.grade(literal, "axxb") == 0.0
    regexy = sa.validate({"answers": [{"text": "1+1 (two)", "fraction": 1}]})
    assert sa.grade(regexy, "1+1 (two)") == 1.0 and sa.grade(regexy, "11 two") == 0.0


def test_shortanswer_thai_text_and_partial_credit():
    sa = ShortAnswer()
    data = sa.validate(
        {"answers": [{"text": "เชียงใหม่", "fraction": 1}, {"text": "เชียง*", "fraction": 0.5}]}
    )
    assert sa.grade(data, "เชียงใหม่") == 1.0
    assert sa.grade(data, "เชียงราย") == 0.5
    assert sa.grade(data, "ลำพูน") == 0.0
    # Thai composed differently (sara am as nikhahit + sara aa) still matches after NFC
    am = sa.validate({"answers": [{"text": "น้ำ", "fraction": 1}]})
    assert sa.grade(am, "น้ำ") == 1.0


def test_numerical_tolerance_ranges_and_bad_input():
    nu = Numerical()
    data = nu.validate({"answers": [{"value": 3.14, "tolerance": 0.01, "fraction": 1}]})
    assert nu.grade(data, "3.14") == 1.0
    assert nu.grade(data, "3.15") == 1.0  # on the edge of the tolerance
    assert nu.grade(data, "3.1501") == 0.0
    assert nu.grade(data, "pi") == 0.0 and nu.grade(data, None) == 0.0
    assert nu.grade(data, "1,000") == 0.0
    assert parse_number("1,500.5 cm") == (1500.5, "cm")


def test_numerical_units_with_multipliers():
    nu = Numerical()
    data = nu.validate(
        {
            "answers": [{"value": 1.5, "tolerance": 0, "fraction": 1}],
            "units": [{"unit": "m", "multiplier": 1}, {"unit": "cm", "multiplier": 100}],
        }
    )
    assert nu.grade(data, "1.5 m") == 1.0
    assert nu.grade(data, "150 cm") == 1.0
    assert nu.grade(data, "150cm") == 1.0
    assert nu.grade(data, "1.5") == 1.0  # no unit: the base unit
    assert nu.grade(data, "1.5 km") == 0.0  # unknown unit
    assert nu.grade(data, "150 m") == 0.0


def test_numerical_partial_credit_first_matching_answer():
    nu = Numerical()
    data = nu.validate(
        {
            "answers": [
                {"value": 10, "tolerance": 0, "fraction": 1},
                {"value": 10, "tolerance": 1, "fraction": 0.5},
            ]
        }
    )
    assert (
        nu.grade(data, "10") == 1.0 and nu.grade(data, "10.5") == 0.5 and nu.grade(data, "12") == 0
    )


def test_matching_counts_each_right_pair_and_ignores_distractors():
    m = Matching()
    data = m.validate(
        {
            "pairs": [
                {"q": "แมว", "a": "cat"},
                {"q": "หมา", "a": "dog"},
                {"q": "นก", "a": "bird"},
                {"q": "", "a": "fish"},  # distractor answer only
            ]
        }
    )
    choices = m._choices(data)
    right = {str(i): choices.index(p["a"]) for i, p in enumerate(data["pairs"]) if p["q"]}
    assert m.grade(data, right) == 1.0
    half = dict(right, **{"0": choices.index("dog")})
    assert m.grade(data, half) == pytest.approx(2 / 3)
    assert m.grade(data, None) == 0.0
    assert m.grade(data, {"0": 99}) == 0.0
    form = MultiDict([("q3_0", str(choices.index("cat"))), ("q3_1", ""), ("q3_x", "1")])
    assert m.parse_response("q3", form) == {"0": choices.index("cat")}
    html = str(m.render(data, "q3", None, None))
    assert html.count("<select") == 3 and "fish" in html


def test_essay_needs_a_person_and_description_takes_no_answer():
    e = Essay()
    assert e.grade({}, "some text") is None
    assert e.grade({}, None) == 0.0
    d = Description()
    assert d.gradable is False and d.grade({}, None) is None
    assert d.parse_response("q0", {"q0": "x"}) is None


def test_more_edge_cases_of_every_type():
    # multichoice: a single answer with a negative weight scores 0, never below
    data = mc(True, 1, -0.5, 0)
    assert MC.grade(data, [1]) == 0.0 and MC.feedback(data, [1]) == "fb1"
    # true/false: no feedback for no answer
    tf = TrueFalse()
    assert tf.feedback(tf.validate({"correct": False, "feedback_wrong": "x"}), None) == ""
    # short answer: blank typing is "not answered"; a leading wildcard
    sa = ShortAnswer()
    assert sa.parse_response("q", {"q": "   "}) is None
    data = sa.validate({"answers": [{"text": "*ville", "fraction": 1}]})
    assert sa.grade(data, "Nashville") == 1.0 and sa.grade(data, "villeX") == 0.0
    # numerical: negative numbers, exponents, a unit after an exponent, exact values kept
    nu = Numerical()
    assert parse_number("-1.5e3 m") == (-1500.0, "m")
    data = nu.validate({"answers": [{"value": -1500, "tolerance": 0, "fraction": 1}]})
    assert nu.grade(data, "-1.5e3") == 1.0 and nu.grade(data, "1500") == 0.0
    precise = nu.validate({"answers": [{"value": 3.14159265, "tolerance": 0, "fraction": 1}]})
    assert nu.to_gift(precise) == "{#3.14159265}"
    assert nu.grade(precise, "3.14159265") == 1.0 and nu.grade(precise, "3.14159") == 0.0
    # matching: two items may share an answer; either copy of it counts
    m = Matching()
    data = m.validate(
        {"pairs": [{"q": "แมว", "a": "สัตว์"}, {"q": "หมา", "a": "สัตว์"}, {"q": "รถ", "a": "ของ"}]}
    )
    choices = m._choices(data)
    assert choices == ["สัตว์", "ของ"]
    assert m.grade(data, {"0": 0, "1": 0, "2": 1}) == 1.0
    assert m.grade(data, {"0": 1, "1": 0, "2": 1}) == pytest.approx(2 / 3)


def test_weights_and_numbers_keep_their_precision_in_gift_and_xml():
    from lms_quiz import gift, moodlexml
    from lms_quiz.qtypes import builtin_types

    types = {t.key: t for t in builtin_types()}
    source = "::W::Pick {~%33.33333%a ~%66.66667%b ~%-100%c}\n\n::N::N? {#2.718281828:0.0001}\n"
    first = gift.parse(source, types)
    text = gift.export(first, types)
    assert "%33.33333%" in text and "2.718281828:0.0001" in text
    assert [q.data for q in gift.parse(text, types)] == [q.data for q in first]
    xml = moodlexml.export(first)
    assert 'fraction="33.33333"' in xml and "<tolerance>0.0001</tolerance>" in xml
    assert [q.data for q in moodlexml.parse(xml, types)] == [q.data for q in first]
