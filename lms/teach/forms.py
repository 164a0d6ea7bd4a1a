from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from lms.forms import choices
from lms.i18n import site_timezone, to_local

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


def _availability_fields() -> dict:
    """Created per form class so they come after the content type's own fields."""
    fmt = "%Y-%m-%dT%H:%M"
    hint = _l("Thai time (Asia/Bangkok). Leave empty for no limit.")
    return {
        "available_from": DateTimeLocalField(
            _l("Available from (optional)"), format=fmt, validators=[Optional()], description=hint
        ),
        "available_until": DateTimeLocalField(
            _l("Available until (optional)"), format=fmt, validators=[Optional()], description=hint
        ),
        "requires": SelectField(
            _l("Requires completion of"),
            coerce=int,
            default=0,
            description=_l("Learners must complete that activity before this one opens."),
        ),
        "validate_available_until": _check_until,
    }


def _check_until(form, field) -> None:
    if field.data and form.available_from.data and field.data <= form.available_from.data:
        raise ValidationError(_l("The end must be after the start."))


def activity_form_class(content_type) -> type[FlaskForm]:
    extra = content_type.form_class()
    bases = (ActivityForm, extra) if extra else (ActivityForm,)
    cls = type(f"{type(content_type).__name__}ActivityForm", bases, _availability_fields())
    # Field order on the page: title, the type's own fields, then the common settings.
    rank = {"title": 0, "is_visible": 2, "completion": 2}
    rank.update(dict.fromkeys(("available_from", "available_until", "requires"), 3))
    fields = [
        (name, getattr(cls, name))
        for name in dir(cls)
        if not name.startswith("_") and hasattr(getattr(cls, name), "_formfield")
    ]
    fields.sort(key=lambda item: (rank.get(item[0], 1), item[1].creation_counter, item[0]))
    cls._unbound_fields = fields
    return cls


def make_activity_form(content_type, **kwargs) -> FlaskForm:
    form = activity_form_class(content_type)(**kwargs)
    form.completion.choices = choices(
        (m, COMPLETION_LABELS.get(m, m)) for m in content_type.completion_modes
    )
    form.requires.choices = choices([(0, _l("Nothing: always open"))])
    return form


def to_utc(local: datetime | None) -> datetime | None:
    """A naive date-time typed in the site's time zone, as an aware UTC datetime."""
    if local is None:
        return None
    return local.replace(tzinfo=site_timezone()).astimezone(UTC)


def to_form(value: datetime | None) -> datetime | None:
    """A stored UTC datetime as the naive local value a datetime-local input shows."""
    return to_local(value).replace(tzinfo=None) if value is not None else None


class ImportForm(FlaskForm):
    package = FileField(
        _l("Course package (.zip)"),
        validators=[FileRequired(_l("Choose a course package (.zip) to import."))],
        description=_l("A .zip exported from this or another site of this LMS."),
        render_kw={"accept": ".zip,application/zip"},
    )
