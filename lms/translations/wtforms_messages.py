"""WTForms' built-in validation messages, listed here so that `make messages` extracts them into
the core catalogue (lms/translations/th/LC_MESSAGES/messages.po).

WTForms ships no Thai. lms.i18n points Flask-WTF at the LMS catalogues instead, so a plain
``DataRequired()`` (in the core or in a plugin) says "โปรดกรอกข้อมูลในช่องนี้" on a Thai page.
The strings must stay exactly as WTForms writes them (wtforms/locale/wtforms.pot). Nothing
imports this module at run time.
"""

from __future__ import annotations


def _(message: str) -> str:
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


MESSAGES = (
    _("This field is required."),
    _("Invalid input."),
    _("Invalid email address."),
    _("Invalid URL."),
    _("Invalid IP address."),
    _("Invalid Mac address."),
    _("Invalid UUID."),
    _("Field must be equal to %(other_name)s."),
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    _("Field must be between %(min)d and %(max)d characters long."),
    _("Number must be at least %(min)s."),
    _("Number must be at most %(max)s."),
    _("Number must be between %(min)s and %(max)s."),
    _("Date must be at least %(min)s."),
    _("Date must be at most %(max)s."),
    _("Date must be between %(min)s and %(max)s."),
    _("Invalid value, must be one of: %(values)s."),
    _("Invalid value, can't be any of: %(values)s."),
    _("This field cannot be edited."),
    _("This field is disabled and cannot have a value."),
    _("Not a valid choice."),
    _("Invalid Choice: could not coerce."),
    _("Invalid choice(s): one or more data inputs could not be coerced."),
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    _("Not a valid datetime value."),
    _("Not a valid date value."),
    _("Not a valid time value."),
    _("Not a valid week value."),
    _("Not a valid integer value."),
    _("Not a valid decimal value."),
    _("Not a valid float value."),
    _("Invalid CSRF Token."),
    _("CSRF token missing."),
    _("CSRF failed."),
    _("CSRF token expired."),
)
