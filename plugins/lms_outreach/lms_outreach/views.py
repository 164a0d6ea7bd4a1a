"""The programme officer's pages: dashboard, exports, targets, reach posts, CSV imports.

Every page needs the ``programme_officer`` or ``admin`` role (others get 403). Blueprint
``outreach_dashboard`` under ``/outreach``.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from lms.extensions import db
from lms.forms import choices
from lms.utils import int_arg
from lms_outreach import charts, dashboard, exports, fiscal, report
from lms_outreach.forms import PLATFORMS, FilterForm, ImportForm, ReachForm, target_form_class
from lms_outreach.kinds import known_kinds
from lms_outreach.models import ReachPost

bp = Blueprint("outreach_dashboard", __name__, url_prefix="/outreach")
OFFICER_ROLES = ("programme_officer", "admin")
PER_PAGE = 25


def is_officer(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*OFFICER_ROLES))


def nav_items(user) -> list:
    """ "Outreach" in the main navigation, for programme officers and admins."""
    from flask_babel import lazy_gettext as _l

    from lms.ui import NavItem

    if not is_officer(user):
        return []
    return [NavItem(_l("Outreach"), url_for("outreach_dashboard.index"), 60, "outreach_dashboard.")]


def officer_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not is_officer(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _years() -> list[int]:
    """The fiscal years offered: from the first recorded event (at most 10 back) to next year."""
    from lms_outreach.models import OutreachEvent

    now = dashboard.current_fy()
    first = db.session.scalar(select(func.min(OutreachEvent.occurred_at)))
    oldest = max(fiscal.fiscal_year_of(first), now - 10) if first else now - 2
    return list(range(now + 1, min(oldest, now - 2) - 1, -1))


def _filter_form() -> FilterForm:
    form = FilterForm(request.args)
    years = _years()
    asked = request.args.get("fy", type=int)
    if asked and asked not in years and 2400 <= asked <= 2800:  # any BE year may be asked for
        years = sorted([*years, asked], reverse=True)
    form.fy.choices = choices((fy, str(fy)) for fy in years)
    everything = [("", _("All"))]
    form.audience.choices = choices(everything + list(dashboard.group_names().items()))
    form.district.choices = choices(everything + list(dashboard.district_names().items()))
    form.kind.choices = choices(everything + list(known_kinds().items()))
    if "fy" not in request.args:
        form.fy.data = dashboard.current_fy()
    return form


def _filters(form: FilterForm) -> tuple[int, report.Filters]:
    """The year and filters the form asks for; invalid fields are ignored (and shown)."""
    form.validate()
    fy = form.fy.data if "fy" not in form.errors and form.fy.data else dashboard.current_fy()

    def ok(name):
        field = getattr(form, name)
        return None if name in form.errors else (field.data or None)

    return fy, report.Filters(
        audience=ok("audience"),
        district=ok("district"),
        kind=ok("kind"),
        start=ok("start"),
        end=None if "start" in form.errors else ok("end"),
    )


def _names() -> dict[str, dict[str, str]]:
    return {
        "groups": dashboard.group_names(),
        "districts": dashboard.district_names(),
        "kinds": known_kinds(),
    }


@bp.route("/dashboard")
@officer_required
def index():
    form = _filter_form()
    fy, filters = _filters(form)
    data = dashboard.dashboard_data(fy, filters)
    chart_svgs = {
        "months": charts.columns(
            "chart-months",
            _("Participants by month, fiscal year %(fy)s", fy=fy),
            [(m["label"].split(" ")[0], m["participants"]) for m in data["months"]],
        ),
        "groups": charts.bars(
            "chart-groups",
            _("Participants by audience group"),
            [(g["label"], g["participants"]) for g in data["groups"]],
        ),
        "districts": charts.bars(
            "chart-districts",
            _("Participants by district"),
            [(d["label"], d["participants"]) for d in data["districts"]],
        ),
    }
    args = {k: v for k, v in request.args.items() if k in form._fields and v}
    args.setdefault("fy", fy)
    return render_template(
        "outreach/dashboard.html",
        form=form,
        data=data,
        charts=chart_svgs,
        filter_lines=exports.filter_text(data, _names()),
        period=exports.period_text(data),
        args=args,
    )


def _export_data():
    form = _filter_form()
    fy, filters = _filters(form)
    return dashboard.dashboard_data(fy, filters)


@bp.route("/dashboard/report.csv")
@officer_required
def export_csv():
    with force_locale("th"):
        data = _export_data()
        body = exports.to_csv(data)
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={exports.filename(data, 'csv')}"},
    )


@bp.route("/dashboard/report.xlsx")
@officer_required
def export_xlsx():
    with force_locale("th"):
        data = _export_data()
        body = exports.to_xlsx(data)
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={exports.filename(data, 'xlsx')}"},
    )


@bp.route("/dashboard/print")
@officer_required
def printable():
    """The Thai summary to print (or save as PDF from the browser's print dialogue)."""
    with force_locale("th"):
        data = _export_data()
        return render_template(
            "outreach/dashboard_print.html",
            data=data,
            title=exports.title(data),
            period=exports.period_text(data),
            filter_lines=exports.filter_text(data, _names()),
            tables=exports.tables(data),
        )


@bp.route("/targets", methods=["GET", "POST"])
@officer_required
def targets():
    fy = request.args.get("fy", type=int) or dashboard.current_fy()
    try:
        fiscal.check_fy(fy)
    except ValueError:
        abort(404)
    form = target_form_class()()
    if form.validate_on_submit():
        dashboard.save_targets(fy, {key: form[key].data for key in dashboard.KPI_KEYS})
        db.session.commit()
        flash(_("The targets for fiscal year %(fy)s are saved.", fy=fy), "success")
        return redirect(url_for("outreach_dashboard.index", fy=fy))
    if not form.is_submitted():
        for key, value in dashboard.targets_for(fy).items():
            form[key].data = value
    return render_template("outreach/dashboard_targets.html", form=form, fy=fy)


def _fill_post(post: ReachPost, form: ReachForm) -> None:
    """The reach form's values into ``post`` (a new one or one being edited)."""
    post.platform = form.platform.data.strip()
    post.url = form.url.data.strip()
    post.posted_on = form.posted_on.data
    post.reach = form.reach.data
    post.impressions = form.impressions.data
    post.engagements = form.engagements.data
    post.campaign = (form.campaign.data or "").strip() or None


def _post_fy(post: ReachPost) -> int:
    return fiscal.fiscal_year_of(fiscal.local_midnight_utc(post.posted_on))


@bp.route("/reach", methods=["GET", "POST"])
@officer_required
def reach():
    fy = request.args.get("fy", type=int) or dashboard.current_fy()
    try:
        first, after = fiscal.fy_dates(fy)
    except ValueError:
        abort(404)
    form = ReachForm()
    if form.validate_on_submit():
        post = ReachPost()
        _fill_post(post, form)
        db.session.add(post)
        db.session.commit()
        flash(_("The post is saved."), "success")
        return redirect(url_for("outreach_dashboard.reach", fy=_post_fy(post)))
    page = int_arg("page")
    in_year = (ReachPost.posted_on >= first, ReachPost.posted_on < after)
    total = db.session.scalar(select(func.count(ReachPost.id)).where(*in_year)) or 0
    posts = db.session.scalars(
        select(ReachPost)
        .where(*in_year)
        .order_by(ReachPost.posted_on.desc(), ReachPost.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    html = render_template(
        "outreach/reach.html",
        form=form,
        fy=fy,
        years=_years(),
        posts=posts,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        totals=dashboard.reach_totals(fy),
        platforms=PLATFORMS,
    )
    return html, 422 if form.is_submitted() else 200  # sent back with errors: 422, as edit


@bp.route("/reach/<int:post_id>/edit", methods=["GET", "POST"])
@officer_required
def reach_edit(post_id: int):
    """Correct a post: the add form's fields and checks; 422 with the errors when invalid."""
    post = db.session.get(ReachPost, post_id) or abort(404)
    form = ReachForm(obj=post)
    if form.validate_on_submit():
        _fill_post(post, form)
        db.session.commit()
        flash(_("The post is updated."), "success")
        return redirect(url_for("outreach_dashboard.reach", fy=_post_fy(post)))
    status = 422 if form.is_submitted() else 200
    return (
        render_template(
            "outreach/reach_edit.html", form=form, post=post, fy=_post_fy(post), platforms=PLATFORMS
        ),
        status,
    )


@bp.route("/reach/<int:post_id>/delete", methods=["POST"])
@officer_required
def reach_delete(post_id: int):
    post = db.session.get(ReachPost, post_id) or abort(404)
    fy = _post_fy(post)
    db.session.delete(post)
    db.session.commit()
    flash(_("The post is deleted."), "success")
    return redirect(url_for("outreach_dashboard.reach", fy=fy))


@bp.route("/import", methods=["GET", "POST"])
@officer_required
def import_csv():
    """Upload an activities or reach CSV: every row is checked, all or nothing."""
    from lms_outreach import importer

    form = ImportForm()
    errors: list[tuple[int, str]] = []
    if form.validate_on_submit():
        data = form.file.data.read(importer.MAX_BYTES + 1)
        if len(data) > importer.MAX_BYTES:
            form.file.errors.append(_("The file is larger than 5 MB."))
        else:
            check, store = {
                "activities": (importer.check_activities, importer.store_activities),
                "reach": (importer.check_reach, importer.store_reach),
            }[form.what.data]
            result = check(data)
            if result.ok and not result.rows:
                form.file.errors.append(_("The file has no rows to import."))
            elif result.ok:
                count = store(result)
                db.session.commit()
                flash(_("Imported %(count)d rows.", count=count), "success")
                return redirect(url_for("outreach_dashboard.import_csv"))
            else:
                errors = result.errors
    status = 400 if errors or form.errors else 200
    return render_template("outreach/import.html", form=form, errors=errors), status
