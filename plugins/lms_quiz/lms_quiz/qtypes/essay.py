"""Essay: free text, graded by a person."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from lms_quiz.qtypes.base import QuestionType, xml_text


class Essay(QuestionType):
    key = "essay"
    label = _l("Essay")
    manual = True

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
