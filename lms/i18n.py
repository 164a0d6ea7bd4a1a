"""Languages, time zones and Thai dates in the Buddhist Era.

Store UTC, show local (Asia/Bangkok). In Thai, years are shown in the Buddhist Era (CE + 543).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from flask import (
    Flask,
    current_app,
    g,
    has_request_context,
    request,
    session,
    url_for,
)
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from lms.extensions import babel

BE_OFFSET = 543
TH_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
TH_MONTHS_ABBR = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)


def select_locale() -> str:
    """The user's saved language, else the session's choice, else the browser's, else Thai."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["DEFAULT_LOCALE"]
    user = current_user._get_current_object()  # one proxy look-up, not four
    if user and user.is_authenticated and user.locale in languages:
        return user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config["DEFAULT_LOCALE"]


def site_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Bangkok"))


def to_local(value: datetime) -> datetime:
    """A UTC (or naive-UTC) datetime in the site's time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(site_timezone())


def be_year(year: int) -> int:
    """The Buddhist Era year for a Common Era year: 2023 → 2566."""
    return year + BE_OFFSET


def format_thai_date(value: date, long: bool = False) -> str:
    """``25 พ.ย. 2569`` (or ``25 พฤศจิกายน 2569`` with ``long``)."""
    months = TH_MONTHS if long else TH_MONTHS_ABBR
    return f"{value.day} {months[value.month - 1]} {be_year(value.year)}"


def format_date(
    value: date | datetime | None, long: bool = False, locale: str | None = None
) -> str:
    """A date for display: Buddhist Era in Thai, the Babel format otherwise."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    locale = locale or str(get_locale() or "th")
    if locale.startswith("th"):
        return format_thai_date(value, long)
    return babel_format_date(value, format="long" if long else "medium", locale=locale)


def format_datetime(value: datetime | None, locale: str | None = None) -> str:
    """Date and local time: ``25 พ.ย. 2569 14:05 น.`` or ``Nov 25, 2026, 14:05``."""
    if value is None:
        return ""
    local = to_local(value)
    locale = locale or str(get_locale() or "th")
    time = local.strftime("%H:%M")
    if locale.startswith("th"):
        return f"{format_thai_date(local.date())} {time} น."
    return f"{format_date(local, locale=locale)}, {time}"


def init_app(app: Flask) -> None:
    core = os.path.join(os.path.dirname(__file__), "translations")
    # The core comes LAST: Flask-Babel merges the catalogues in order and keeps the plural rule
    # of the last one loaded (a plugin without a Thai .mo would reset it to English "n != 1",
    # breaking every Thai ngettext), and the core's own words win over a plugin's.
    dirs = [*app.extensions["lms"].translation_dirs, core]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(dirs)
    babel.init_app(
        app, locale_selector=select_locale, timezone_selector=lambda: current_app.config["TIMEZONE"]
    )
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "th")
    app.jinja_env.globals["language_url"] = language_url
    install_template_gettext(app.jinja_env)
    app.before_request(_translate_form_messages)


def install_template_gettext(env: Any) -> None:
    """``_``, ``gettext``, ``ngettext``, ``pgettext`` and ``npgettext`` for templates, with
    Jinja's "newstyle" meaning (variables as keywords, escaped in HTML), looking words up in the
    request's catalogue (found once per request: a page asks for some sixty words).

    Jinja's own newstyle wrappers call the function through the template context twice per
    word and always format, even without variables (about 7 µs a word); these do the same work
    directly. As with Jinja's, ``%%`` in a word without variables shows as ``%``."""
    env.newstyle_gettext = True  # {% trans %} blocks pass their values as keywords

    @pass_eval_context
    def gettext(eval_ctx: Any, string: str, **variables: Any) -> str:
        return _fill(eval_ctx, request_translations().ugettext(string), variables)

    @pass_eval_context
    def ngettext(eval_ctx: Any, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return _fill(eval_ctx, request_translations().ungettext(singular, plural, num), variables)

    @pass_eval_context
    def pgettext(eval_ctx: Any, context: str, string: str, **variables: Any) -> str:
        variables.setdefault("context", context)
        return _fill(eval_ctx, request_translations().upgettext(context, string), variables)

    @pass_eval_context
    def npgettext(
        eval_ctx: Any, context: str, singular: str, plural: str, num: int, **variables: Any
    ) -> str:
        variables.setdefault("context", context)
        variables.setdefault("num", num)
        found = request_translations().unpgettext(context, singular, plural, num)
        return _fill(eval_ctx, found, variables)

    env.globals.update(
        _=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext
    )


def _fill(eval_ctx: Any, found: str, variables: dict[str, Any]) -> str:
    """Jinja's newstyle formatting: escaped values in HTML (autoescape on), plain in text."""
    if eval_ctx.autoescape:
        found = Markup(found)
    if variables:
        return found % variables
    return found.replace("%%", "%") if "%%" in found else found


def request_translations():
    """The catalogue of the current request's language (found once per request: see
    :class:`lms.extensions.RequestDomain`). Templates call this for every word: it looks in
    the request's memo first, without Flask-Babel's own lookups."""
    ctx = _cv_app.get(None)  # the app context itself: ``g`` through its proxy costs more
    if ctx is not None:
        found = getattr(getattr(ctx.g, "_flask_babel", None), "babel_translations", None)
        if found is not None:
            return found
    return get_translations()


def language_url(code: str) -> str:
    """The link that switches the interface to ``code`` and comes back to this page: the same
    as ``url_for("main.set_language", code=code, next=request.full_path)``, built at a quarter
    of its cost (the footer shows one per language on every page). A page without a query
    string comes back to its path alone, not to ``path?``."""
    query = g.get("lms_language_next")
    if query is None:  # once per page, for every language's link
        here = request.full_path if request.query_string else request.path
        query = g.lms_language_next = urlencode({"next": here}, safe="!$'()*,/:;?@")
    return f"{url_for('main.set_language', code=code)}?{query}"


class FormMessages:
    """WTForms' built-in messages ("This field is required.") looked up in the LMS catalogues,
    then in WTForms' own: WTForms ships no Thai, so the core catalogue carries them
    (lms/translations/wtforms_messages.py lists them for extraction)."""

    _own = None  # WTForms' catalogue for this request's language, loaded when first needed

    def _wtforms(self):
        if self._own is None:
            from babel import support
            from wtforms.i18n import messages_path

            self._own = support.Translations.load(messages_path(), [get_locale()], "wtforms")
        return self._own

    def ugettext(self, string: str) -> str:
        ours = get_translations().ugettext(string)
        return ours if ours != string else self._wtforms().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        ours = get_translations().ungettext(singular, plural, n)
        if ours not in (singular, plural):
            return ours
        return self._wtforms().ungettext(singular, plural, n)


def _translate_form_messages() -> None:
    # Flask-WTF reads its translations from this request attribute when it is set.
    request.wtforms_translations = FormMessages()
