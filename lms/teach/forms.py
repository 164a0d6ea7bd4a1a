from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.forms import choices

COMPLETION_LABELS = {
    "manual": _l("The learner marks it as done"),
    "view": _l("Done when the learner opens it"),
    "auto": _l("Done when the activity's own condition is met"),
}


class CourseForm(FlaskForm):
    title = StringField(_l("Course title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=5000)])
    language = SelectField(
        _l("Language of the course"), choices=choices([("th", "ไทย"), ("en", "English")])
    )
    self_enrol = BooleanField(_l("Learners can enrol themselves"), default=True)
    enrol_key = StringField(
        _l("Enrolment key (optional)"),
        validators=[Optional(), Length(max=100)],
        description=_l("Learners must type this key to enrol. Leave empty for open enrolment."),
    )
    capacity = IntegerField(
        _l("Capacity (optional)"),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
        description=_l("The most learners who can enrol. Leave empty for no limit."),
    )


class SectionForm(FlaskForm):
    title = StringField(_l("Section title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=5000)])


class ActivityForm(FlaskForm):
    """The fields every activity has; a content type's own form class is mixed in."""

    title = StringField(_l("Activity title"), validators=[DataRequired(), Length(max=200)])
    is_visible = BooleanField(_l("Visible to learners"), default=True)
    completion = SelectField(_l("Completion"))


def activity_form_class(content_type) -> type[FlaskForm]:
    extra = content_type.form_class()
    bases = (ActivityForm, extra) if extra else (ActivityForm,)
    return type(f"{type(content_type).__name__}ActivityForm", bases, {})


def make_activity_form(content_type, **kwargs) -> FlaskForm:
    form = activity_form_class(content_type)(**kwargs)
    form.completion.choices = choices(
        (m, COMPLETION_LABELS.get(m, m)) for m in content_type.completion_modes
    )
    return form
