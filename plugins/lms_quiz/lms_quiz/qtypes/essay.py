"""Essay: free text, graded by a person."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Form, TextAreaField

from lms_quiz.qtypes.base import QuestionType, xml_text


class EssayForm(Form):
    grader_info = TextAreaField(
        _l("Notes for the person who grades it"),
        render_kw={"rows": 3},
        description=_l("Only teachers see this."),
    )


class Essay(QuestionType):
    key = "essay"
    label = _l("Essay")
    manual = True
    error_field = "grader_info"

    def form_class(self):
        return EssayForm

    def fill_form(self, form, data):
        form.grader_info.data = (data or {}).get("grader_info", "")

    def form_data(self, form):
        return {"grader_info": form.grader_info.data or ""}

    def validate(self, data):
        return {"grader_info": str(data.get("grader_info", ""))}

    def render(self, data, name, response, order, disabled=False):
        return Markup(
            '<p class="field"><label for="{0}">{1}</label>'
            '<textarea id="{0}" name="{0}" rows="8"{3}>{2}</textarea></p>'
        ).format(name, _("Your answer"), response or "", Markup(" disabled") if disabled else "")

    def parse_response(self, name, form):
        value = form.get(name)
        return value if isinstance(value, str) and value.strip() else None

    def grade(self, data, response):
        return None if response is not None else 0.0

    def to_gift(self, data):
        return "{}"

    def from_moodle_xml(self, element):
        return {"grader_info": xml_text(element, "graderinfo")}
