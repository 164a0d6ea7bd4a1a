"""Numerical: a number within a tolerance, optionally with a unit (``cm``, ``m`` ...)."""

from __future__ import annotations

import math
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Form, StringField
from wtforms.validators import ValidationError

from lms_quiz.qtypes import formkit
from lms_quiz.qtypes.base import (
    QuestionType,
    check_fraction,
    fmt_fraction,
    gift_escape,
    num,
    xml_fraction,
    xml_text,
)

_NUMBER = re.compile(r"\s*([+-]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*\Z", re.DOTALL)


def parse_number(text: str) -> tuple[float, str] | None:
    """``"1,500.5 cm"`` → ``(1500.5, "cm")``; ``None`` when it does not start with a number."""
    m = _NUMBER.match(text or "")
    if not m:
        return None
    try:
        return float(m.group(1).replace(",", "")), m.group(2)
    except ValueError:
        return None


def _num(value: float) -> str:
    return num(value)


class NumberRow(Form):
    value = formkit.NumberText(_l("Right number"))
    tolerance = formkit.NumberText(_l("Accepted error ±"), minimum=0, maximum=1e300)
    fraction = formkit.weight_field("100")
    feedback = StringField(_l("Feedback for this answer"))


class UnitRow(Form):
    unit = StringField(_l("Unit"), render_kw={"maxlength": 20})
    multiplier = formkit.NumberText(_l("Multiplier"))

    def validate_multiplier(self, field):
        if (self.unit.data or "").strip() and not field.number:
            raise ValidationError(_l("Enter a multiplier other than 0."))


class NumericalForm(Form):
    answers = formkit.rows(NumberRow)
    units = formkit.rows(UnitRow, min_entries=2)

    def validate_answers(self, field):
        rows = formkit.filled(field, "value")
        if not rows or max(formkit.weight(r, 1.0) for r in rows) <= 0:
            raise ValidationError(_l("Enter at least one right number with a weight above zero."))


class Numerical(QuestionType):
    key = "numerical"
    label = _l("Numerical")
    error_field = "answers"

    def form_class(self):
        return NumericalForm

    def fill_form(self, form, data):
        data = data or {"answers": [], "units": []}
        formkit.set_rows(
            form.answers,
            [
                {
                    "value": formkit.fmt_number(a["value"]),
                    "tolerance": formkit.fmt_number(a["tolerance"]),
                    "fraction": formkit.percent(a["fraction"]),
                    "feedback": a["feedback"],
                }
                for a in data.get("answers", [])
            ],
        )
        formkit.set_rows(
            form.units,
            [
                {"unit": u["unit"], "multiplier": formkit.fmt_number(u["multiplier"])}
                for u in data.get("units", [])
            ],
        )

    def form_data(self, form):
        return {
            "answers": [
                {
                    "value": r.value.number,
                    "tolerance": r.tolerance.number or 0.0,
                    "fraction": formkit.weight(r, 1.0),
                    "feedback": (r.feedback.data or "").strip(),
                }
                for r in formkit.filled(form.answers, "value")
            ],
            "units": [
                {"unit": r.unit.data.strip(), "multiplier": r.multiplier.number}
                for r in formkit.filled(form.units, "unit")
            ],
        }

    def validate(self, data):
        answers = []
        for a in data.get("answers") or []:
            value, tolerance = float(a["value"]), abs(float(a.get("tolerance", 0)))
            if not (math.isfinite(value) and math.isfinite(tolerance)):
                raise ValueError("a numerical answer must be a finite number")
            answers.append(
                {
                    "value": value,
                    "tolerance": tolerance,
                    "fraction": check_fraction(a.get("fraction", 1)),
                    "feedback": str(a.get("feedback", "")),
                }
            )
        if not answers or max(a["fraction"] for a in answers) <= 0:
            raise ValueError("a numerical question needs a right answer")
        units = []
        for u in data.get("units") or []:
            mult = float(u.get("multiplier", 1))
            if not u.get("unit") or mult == 0:
                raise ValueError("a unit needs a name and a multiplier other than 0")
            units.append({"unit": str(u["unit"]).strip(), "multiplier": mult})
        return {"answers": answers, "units": units}

    def render(self, data, name, response, order, disabled=False):
        hint = ""
        if data["units"]:
            hint = Markup(' <span class="help">{}</span>').format(
                _("Units: %(units)s", units=", ".join(u["unit"] for u in data["units"]))
            )
        return Markup(
            '<p class="field"><label for="{0}">{1}</label> <input type="text" inputmode="decimal" '
            'id="{0}" name="{0}" value="{2}" autocomplete="off"{3}>{4}</p>'
        ).format(name, _("Answer"), response or "", Markup(" disabled") if disabled else "", hint)

    def value_of(self, data, response) -> float | None:
        """The response in the base unit, or ``None`` (not a number, or an unknown unit)."""
        parsed = parse_number(response or "")
        if parsed is None:
            return None
        number, unit = parsed
        if not unit:
            return number
        for u in data["units"]:
            if u["unit"] == unit:
                return number / u["multiplier"]
        return None

    def match(self, data, response):
        value = self.value_of(data, response)
        if value is None:
            return None
        for a in data["answers"]:
            if abs(value - a["value"]) <= a["tolerance"] + 1e-9 * max(1.0, abs(a["value"])):
                return a
        return None

    def grade(self, data, response):
        a = self.match(data, response)
        return max(0.0, a["fraction"]) if a else 0.0

    def feedback(self, data, response):
        a = self.match(data, response)
        return a["feedback"] if a else ""

    def correct_answer(self, data):
        a = max(data["answers"], key=lambda a: a["fraction"])
        unit = f" {data['units'][0]['unit']}" if data["units"] else ""
        tol = f" ± {_num(a['tolerance'])}" if a["tolerance"] else ""
        return f"{_num(a['value'])}{tol}{unit}"

    def to_gift(self, data):
        def one(a):
            tol = f":{_num(a['tolerance'])}" if a["tolerance"] else ""
            fb = "#" + gift_escape(a["feedback"]) if a["feedback"] else ""
            return f"{_num(a['value'])}{tol}{fb}"

        answers = data["answers"]
        if len(answers) == 1 and answers[0]["fraction"] == 1.0:
            return "{#" + one(answers[0]) + "}"
        parts = [
            "=" + ("" if a["fraction"] == 1.0 else fmt_fraction(a["fraction"])) + one(a)
            for a in answers
        ]
        return "{#\n\t" + "\n\t".join(parts) + "\n}"

    def from_moodle_xml(self, element):
        answers = [
            {
                "value": float(xml_text(a, ".") or "0"),
                "tolerance": float(a.findtext("tolerance") or "0"),
                "fraction": xml_fraction(a),
                "feedback": xml_text(a, "feedback"),
            }
            for a in element.findall("answer")
            if xml_text(a, ".") != "*"
        ]
        units = [
            {
                "unit": (u.findtext("unit_name") or "").strip(),
                "multiplier": float(u.findtext("multiplier") or "1"),
            }
            for u in element.findall("units/unit")
        ]
        return {"answers": answers, "units": units}
