"""Forms: accessibility preferences, a guardian's child account, a child's sign-in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from lms.forms import choices
from lms_audience.guardians import PICTURES, PICTURES_NEEDED, picture_file

AS_GROUP = ("", _l("As for my group"))
ON_OFF = [AS_GROUP, ("1", _l("On")), ("0", _l("Off"))]


def _flag(label):
    return SelectField(label, choices=choices(ON_OFF), default="")


class PrefsForm(FlaskForm):
    text_size = SelectField(
        _l("Text size"),
        choices=choices(
            [
                AS_GROUP,
                ("normal", _l("Normal")),
                ("large", _l("Large")),
                ("larger", _l("Very large")),
            ]
        ),
        default="",
    )
    high_contrast = _flag(_l("High contrast"))
    reduced_motion = _flag(_l("Reduce motion"))
    simple_nav = _flag(_l("Simplified navigation (one item per row, bigger buttons)"))
    picture_led = _flag(_l("Pictures and big buttons"))


def picture_choices():
    """Each picture as a drawing and its name. The name is the radio button's accessible name
    (the label's text), so the drawing itself is decorative (``alt=""``), not read twice."""
    from lms.theming import plugin_url

    tile = Markup(
        '<img class="pic" src="%s" alt="" width="64" height="64" data-picture="%s"> '
        '<span class="pic-name">%s</span>'
    )
    return choices(
        (code, tile % (plugin_url("lms_audience", picture_file(code)), code, str(label)))
        for code, label in PICTURES
    )


class SecretFields:
    """A PIN, or three pictures in order."""

    kind = RadioField(
        _l("The child signs in with"),
        choices=choices([("pin", _l("A PIN (4 to 8 digits)")), ("picture", _l("Three pictures"))]),
        default="pin",
    )
    pin = PasswordField(
        _l("PIN"),
        validators=[Optional(), Length(max=8)],
        render_kw={"inputmode": "numeric", "autocomplete": "new-password"},
    )
    picture_1 = RadioField(_l("First picture"), choices=[], validators=[Optional()])
    picture_2 = RadioField(_l("Second picture"), choices=[], validators=[Optional()])
    picture_3 = RadioField(_l("Third picture"), choices=[], validators=[Optional()])

    def init_pictures(self) -> None:
        for i in range(1, PICTURES_NEEDED + 1):
            getattr(self, f"picture_{i}").choices = picture_choices()

    def pictures(self) -> list[str]:
        return [getattr(self, f"picture_{i}").data or "" for i in range(1, PICTURES_NEEDED + 1)]

    def secret(self) -> str:
        if self.kind.data == "picture":
            return "-".join(self.pictures())
        return (self.pin.data or "").strip()


class ChildForm(SecretFields, FlaskForm):
    name = StringField(
        _l("The child's name or nickname"), validators=[DataRequired(), Length(max=120)]
    )
    birth_date = DateField(_l("Birth date"), validators=[InputRequired()])
    relation = SelectField(
        _l("You are the child's"),
        choices=choices(
            [("parent", _l("Parent")), ("guardian", _l("Guardian")), ("teacher", _l("Teacher"))]
        ),
    )
    login_name = StringField(
        _l("Login name for the child"),
        validators=[DataRequired(), Length(min=3, max=40)],
        description=_l(
            "Small letters (a-z) and digits, e.g. nong-mali. The child types it to sign in."
        ),
        render_kw={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"},
    )
    consent = BooleanField(
        _l(
            "As the child's parent, guardian or teacher, I agree to the privacy notice for the "
            "child and that this site keeps the child's learning data."
        ),
        validators=[DataRequired(message=_l("Please agree to the privacy notice for the child."))],
    )


class SecretForm(SecretFields, FlaskForm):
    pass


class ChildLoginForm(FlaskForm):
    login_name = StringField(
        _l("Login name"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocapitalize": "none", "autocomplete": "username", "spellcheck": "false"},
    )
    pin = PasswordField(
        _l("PIN"),
        validators=[Optional(), Length(max=8)],
        render_kw={"inputmode": "numeric", "autocomplete": "current-password"},
    )
    picture_1 = RadioField(_l("First picture"), choices=[], validators=[Optional()])
    picture_2 = RadioField(_l("Second picture"), choices=[], validators=[Optional()])
    picture_3 = RadioField(_l("Third picture"), choices=[], validators=[Optional()])

    init_pictures = SecretFields.init_pictures
    pictures = SecretFields.pictures


class ShareForm(FlaskForm):
    email = EmailField(
        _l("Email of another parent, guardian or teacher"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description=_l("They need an account here. They will see and manage the child too."),
    )
    relation = SelectField(
        _l("They are the child's"),
        choices=choices(
            [("parent", _l("Parent")), ("guardian", _l("Guardian")), ("teacher", _l("Teacher"))]
        ),
    )


class DeleteChildForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    confirm = BooleanField(
        _l("I understand that the child's account is deleted for good."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


NO_DEFAULT = ("", _l("No default"))
VARIANT_ON_OFF = [NO_DEFAULT, ("1", _l("On")), ("0", _l("Off"))]


def _variant_flag(label):
    return SelectField(label, choices=choices(VARIANT_ON_OFF), default="")


class VariantForm(FlaskForm):
    """An audience group's default interface (admins)."""

    text_size = SelectField(
        _l("Text size"),
        choices=choices(
            [
                NO_DEFAULT,
                ("normal", _l("Normal")),
                ("large", _l("Large")),
                ("larger", _l("Very large")),
            ]
        ),
        default="",
    )
    high_contrast = _variant_flag(_l("High contrast"))
    reduced_motion = _variant_flag(_l("Reduce motion"))
    simple_nav = _variant_flag(_l("Simplified navigation (one item per row, bigger buttons)"))
    picture_led = _variant_flag(_l("Pictures and big buttons"))
