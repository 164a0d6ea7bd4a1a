"""Headcount-only activities: a fair, an exhibition, a presentation where only a total is known
("300 people"), entered by an officer, optionally broken down by audience group.

Each activity is stored as participation events without ``user_id`` sharing one ``source``
(``headcount:<random>``): one row per group given, and one without a group for the rest. So
the activity counts once, its people count in the totals and per group, and never in
``unique_participants``. Blueprint ``outreach_headcounts`` under ``/outreach/headcounts``.
"""

from __future__ import annotations

import secrets
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import delete, func, select
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.extensions import db
from lms_outreach import fiscal
from lms_outreach.forms import LocalDateField
from lms_outreach.kinds import AUDIENCES, COURSE_KINDS, known_kinds
from lms_outreach.models import OutreachEvent
from lms_outreach.workshop_views import staff_required
from lms_outreach.workshops import audience_choices, district_choices

bp = Blueprint("outreach_headcounts", __name__, url_prefix="/outreach/headcounts")
PREFIX = "headcount:"
MAX = 10_000_000


def record(
    *,
    kind: str,
    title: str,
    day: date,
    total: int,
    by_group: dict[str, int] | None = None,
    district: str | None = None,
) -> str:
    """Store a headcount-only activity (the caller commits); returns its ``source``.

    ``by_group`` maps audience codes to counts; their sum must not pass ``total`` and the
    rest is stored without a group."""
    if kind not in known_kinds() or kind in COURSE_KINDS:
        raise ValueError(f"not an activity kind: {kind!r}")
    groups = {code: int(n) for code, n in (by_group or {}).items() if n}
    known = {code for code, _th, _en in AUDIENCES}
    if set(groups) - known or any(n < 0 for n in groups.values()):
        raise ValueError("unknown audience group or negative count")
    if total < 1 or sum(groups.values()) > total:
        raise ValueError("the groups add up to more than the total")
    source = PREFIX + secrets.token_hex(8)
    occurred = fiscal.local_midnight_utc(day)
    parts = [*groups.items()]
    if total - sum(groups.values()):
        parts.append((None, total - sum(groups.values())))
    db.session.add_all(
        OutreachEvent(
            kind=kind,
            source=source,
            title=title.strip()[:200],
            occurred_at=occurred,
            user_id=None,
            headcount=n,
            audience=code,
            district=district or None,
        )
        for code, n in parts
    )
    db.session.flush()
    return source


def recent(limit: int = 50) -> list:
    """Headcount activities entered here, latest first: source, kind, title, when, total,
    and the per-group counts."""
    E = OutreachEvent
    rows = db.session.execute(
        select(E.source, E.kind, E.title, func.min(E.occurred_at), func.sum(E.headcount))
        .where(E.source.startswith(PREFIX))
        .group_by(E.source, E.kind, E.title)
        .order_by(func.min(E.occurred_at).desc(), E.source)
        .limit(limit)
    ).all()
    sources = [r[0] for r in rows]
    groups: dict[str, dict[str, int]] = {s: {} for s in sources}
    if sources:
        for source, code, n in db.session.execute(
            select(E.source, E.audience, E.headcount).where(
                E.source.in_(sources), E.audience.is_not(None)
            )
        ):
            groups[source][code] = groups[source].get(code, 0) + int(n)
    return [
        {"source": s, "kind": k, "title": t, "at": at, "total": int(n), "groups": groups[s]}
        for s, k, t, at, n in rows
    ]


def remove(source: str) -> int:
    """Delete a headcount activity entered here (never other events)."""
    if not source.startswith(PREFIX):
        return 0
    return db.session.execute(delete(OutreachEvent).where(OutreachEvent.source == source)).rowcount


# -- page ------------------------------------------------------------------------------------


def form_class():
    """The form, with one count field per audience group (``group_<code>``)."""
    fields = {
        "kind": SelectField(_l("Kind of activity"), validators=[DataRequired()]),
        "title": StringField(_l("Title"), validators=[DataRequired(), Length(max=200)]),
        # CE or BE years, one parser with the dashboard and the CLI (fiscal.parse_local_date)
        "day": LocalDateField(_l("Date"), validators=[DataRequired()]),
        "district": SelectField(_l("District"), validators=[Optional()]),
        "total": IntegerField(
            _l("Total number of people"),
            validators=[InputRequired(), NumberRange(min=1, max=MAX)],
        ),
    }
    for code, _th, _en in AUDIENCES:
        fields[f"group_{code}"] = IntegerField(
            code, validators=[Optional(), NumberRange(min=0, max=MAX)]
        )
    return type("HeadcountForm", (FlaskForm,), fields)


def _fill(form) -> None:
    kinds = known_kinds()
    form.kind.choices = [(k, label) for k, label in kinds.items() if k not in COURSE_KINDS]
    if not form.kind.data:
        form.kind.data = "event"
    form.district.choices = [("", _("Not given"))] + district_choices()
    for code, label in audience_choices():
        form[f"group_{code}"].label.text = label


@bp.route("/", methods=["GET", "POST"])
@staff_required
def index():
    form = form_class()()
    _fill(form)
    if form.validate_on_submit():
        groups = {code: form[f"group_{code}"].data or 0 for code, _th, _en in AUDIENCES}
        if sum(groups.values()) > form.total.data:
            form.total.errors.append(
                _(
                    "The groups add up to %(sum)s, more than the total.",
                    sum=sum(groups.values()),
                )
            )
        else:
            record(
                kind=form.kind.data,
                title=form.title.data,
                day=form.day.data,
                total=form.total.data,
                by_group=groups,
                district=form.district.data,
            )
            db.session.commit()
            flash(_("Activity recorded."), "success")
            return redirect(url_for(".index"))
    return render_template(
        "outreach/headcount.html",
        form=form,
        items=recent(),
        groups=audience_choices(),
        kinds=known_kinds(),
        user=current_user,
    )


@bp.route("/delete", methods=["POST"])
@staff_required
def remove_view():
    if not FlaskForm().validate_on_submit():
        abort(400)
    if remove(request.form.get("source", "")):
        db.session.commit()
        flash(_("Activity deleted."), "success")
    return redirect(url_for(".index"))
