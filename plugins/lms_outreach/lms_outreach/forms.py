"""Forms of the officer's pages: dashboard filters, targets, reach posts, CSV upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional, Regexp

from lms.forms import choices
from lms_outreach.dashboard import KPIS
from lms_outreach.fiscal import parse_local_date

PLATFORMS = ("Facebook", "LINE", "YouTube", "TikTok", "Instagram", "X", "Website")


class LocalDateField(DateField):
    """A date typed as ``YYYY-MM-DD`` with a CE or a BE year (``2566-01-15`` = 2023-01-15):
    :func:`lms_outreach.fiscal.parse_local_date`, which the report CLI's ``--from/--to`` use too.
    The browser's date picker sends CE; a BE year is what people type without one."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        try:
            self.data = parse_local_date(" ".join(valuelist))
        except ValueError:
            self.data = None
            raise ValueError(self.gettext("Not a valid date value.")) from None


class FilterForm(FlaskForm):
    """The dashboard's filters, read from the query string (GET: no CSRF token)."""

    class Meta:
        csrf = False

    fy = SelectField(_l("Fiscal year"), coerce=int, validate_choice=True)
    audience = SelectField(_l("Audience group"), choices=[], validate_choice=True, default="")
    district = SelectField(_l("District"), choices=[], validate_choice=True, default="")
    kind = SelectField(_l("Activity kind"), choices=[], validate_choice=True, default="")
    start = LocalDateField(_l("From date"), validators=[Optional()])
    end = LocalDateField(_l("To date"), validators=[Optional()])

    def validate_end(self, field) -> None:
        from wtforms.validators import ValidationError

        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date is before the start date."))


def _count(label):
    return IntegerField(
        label, validators=[InputRequired(), NumberRange(min=0, max=2_000_000_000)], default=0
    )


class ReachForm(FlaskForm):
    """A social-media post entered by hand."""

    platform = StringField(
        _l("Platform"),
        validators=[InputRequired(), Length(max=40)],
        description=_l("For example Facebook, LINE, YouTube, TikTok."),
        render_kw={"list": "platforms", "autocomplete": "off"},
    )
    url = StringField(
        _l("Post URL"),
        validators=[
            InputRequired(),
            Length(max=500),
            Regexp(r"^https?://", message=_l("The URL must start with http:// or https://.")),
            URL(message=_l("Enter the full address of the post.")),
        ],
    )
    posted_on = LocalDateField(_l("Date posted"), validators=[InputRequired()])
    reach = _count(_l("Reach"))
    impressions = _count(_l("Impressions"))
    engagements = _count(_l("Engagements"))
    campaign = StringField(
        _l("Campaign"),
        validators=[Optional(), Length(max=100)],
        description=_l("Optional. Posts with the same campaign name are added up together."),
    )


class ImportForm(FlaskForm):
    what = SelectField(
        _l("What the file holds"),
        choices=choices([("activities", _l("Activities")), ("reach", _l("Social-media reach"))]),
        validate_choice=True,
    )
    file = FileField(_l("CSV file (UTF-8)"), validators=[FileRequired()])


def target_form_class():
    """A form with one optional whole-number field per KPI."""
    fields = {
        key: IntegerField(label, validators=[Optional(), NumberRange(min=0, max=2_000_000_000)])
        for key, label in KPIS
    }
    return type("TargetForm", (FlaskForm,), fields)
