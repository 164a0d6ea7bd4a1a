"""Matching: pick, for each item, the answer it goes with."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, Form, StringField
from wtforms.validators import ValidationError

from lms_quiz.qtypes import formkit
from lms_quiz.qtypes.base import QuestionType, gift_escape, normalise, rich, xml_text


class PairRow(Form):
    q = StringField(_l("Item"), description=_l("Leave empty for an extra wrong answer."))
    a = StringField(_l("Goes with"))

    def validate_a(self, field):
        if (self.q.data or "").strip() and not (field.data or "").strip():
            raise ValidationError(_l("Write the answer this item goes with."))


class MatchingForm(Form):
    shuffle = BooleanField(_l("Shuffle the answers"), default=True)
    pairs = formkit.rows(PairRow)

    def validate_pairs(self, field):
        if len(formkit.filled(field, "q")) < 2:
            raise ValidationError(_l("Write at least two items with their answers."))


class Matching(QuestionType):
    key = "matching"
    label = _l("Matching")
    error_field = "pairs"

    def form_class(self):
        return MatchingForm

    def fill_form(self, form, data):
        data = data or {"pairs": [], "shuffle": True}
        form.shuffle.data = bool(data.get("shuffle", True))
        formkit.set_rows(form.pairs, [dict(p) for p in data.get("pairs", [])])

    def form_data(self, form):
        return {
            "shuffle": bool(form.shuffle.data),
            "pairs": [
                {"q": (r.q.data or "").strip(), "a": r.a.data.strip()}
                for r in formkit.filled(form.pairs, "a")
            ],
        }

    def validate(self, data):
        pairs = []
        for p in data.get("pairs") or []:
            q, a = str(p.get("q", "")), str(p.get("a", ""))
            if not a.strip():
                raise ValueError("a matching pair has no answer")
            pairs.append({"q": q, "a": a})
        if sum(1 for p in pairs if p["q"].strip()) < 2:
            raise ValueError("a matching question needs at least two pairs")
        return {"pairs": pairs, "shuffle": bool(data.get("shuffle", True))}

    def _choices(self, data) -> list[str]:
        seen: list[str] = []
        for p in data["pairs"]:
            if p["a"] not in seen:
                seen.append(p["a"])
        return seen

    def shuffle(self, data, rng):
        order = list(range(len(self._choices(data))))
        if data.get("shuffle", True):
            rng.shuffle(order)
        return order

    def render(self, data, name, response, order, disabled=False):
        choices = self._choices(data)
        order = order or list(range(len(choices)))
        response = response or {}
        rows = []
        for i, p in enumerate(data["pairs"]):
            if not p["q"].strip():
                continue  # an extra wrong answer (distractor)
            field = f"{name}_{i}"
            options = [Markup('<option value="">{}</option>').format(_("Choose…"))]
            for j in order:
                if j >= len(choices):
                    continue
                options.append(
                    Markup('<option value="{}"{}>{}</option>').format(
                        j, Markup(" selected") if response.get(str(i)) == j else "", choices[j]
                    )
                )
            rows.append(
                Markup(
                    '<tr><td><label for="{0}">{1}</label></td>'
                    '<td><select id="{0}" name="{0}"{2}>{3}</select></td></tr>'
                ).format(
                    field,
                    rich(p["q"]),
                    Markup(" disabled") if disabled else "",
                    Markup("").join(options),
                )
            )
        return Markup('<table class="matching"><tbody>{}</tbody></table>').format(
            Markup("").join(rows)
        )

    def parse_response(self, name, form):
        out = {}
        prefix = name + "_"
        for key in form:
            if key.startswith(prefix) and key[len(prefix) :].isdigit():
                value = form.get(key)
                if value is not None and str(value).isdigit():
                    out[key[len(prefix) :]] = int(value)
        return out or None

    def grade(self, data, response):
        choices = self._choices(data)
        items = [(i, p) for i, p in enumerate(data["pairs"]) if p["q"].strip()]
        response = response or {}
        right = 0
        for i, p in items:
            j = response.get(str(i))
            if isinstance(j, int) and 0 <= j < len(choices) and choices[j] == p["a"]:
                right += 1
        return right / len(items) if items else 0.0

    def correct_answer(self, data):
        return "; ".join(
            f"{normalise(p['q'])} → {normalise(p['a'])}" for p in data["pairs"] if p["q"].strip()
        )

    def summarise(self, data, response):
        choices = self._choices(data)
        response = response or {}
        return "; ".join(
            f"{normalise(p['q'])} → {normalise(choices[response[str(i)]])}"
            for i, p in enumerate(data["pairs"])
            if str(i) in response and 0 <= response[str(i)] < len(choices)
        )

    def to_gift(self, data):
        parts = [f"\t={gift_escape(p['q'])} -> {gift_escape(p['a'])}" for p in data["pairs"]]
        return "{\n" + "\n".join(parts) + "\n}"

    def from_moodle_xml(self, element):
        return {
            "pairs": [
                {"q": xml_text(s, "."), "a": xml_text(s, "answer")}
                for s in element.findall("subquestion")
            ],
            "shuffle": (element.findtext("shuffleanswers") or "1").strip() in ("1", "true"),
        }
