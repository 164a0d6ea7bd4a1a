"""Pages of onsite workshops: officers create and manage them and check people in; anyone
registers (with or without an account) and sees their QR code.

URLs (blueprint ``lms_outreach_workshops``, prefix ``/outreach/workshops``):

* public: ``/`` upcoming workshops, ``/<id>`` details and registration, ``/r/<token>`` the
  registrant's confirmation page with the QR code, ``/r/<token>/cancel``;
* officers (``programme_officer`` or ``admin``): ``/manage``, ``/manage/new``,
  ``/manage/<id>``, ``/manage/<id>/edit``, ``/manage/<id>/checkin`` (camera scanner, search,
  walk-ins), ``/manage/<id>/checkin/token`` (POST, JSON for the scanner), ``/manage/<id>/sheet``
  (printable sign-in sheet), and ``/t/<token>``, the address inside the QR code.
"""

from __future__ import annotations

from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms import plugins
from lms.extensions import db, limiter
from lms.html import sanitize
from lms.i18n import to_local
from lms.models.base import utcnow
from lms_outreach import checkin, workshops
from lms_outreach.workshop_models import CANCELLED, CONFIRMED, WAITLIST, Workshop

bp = Blueprint("lms_outreach_workshops", __name__, url_prefix="/outreach/workshops")
FMT = "%Y-%m-%dT%H:%M"


def staff_required(view):
    """Programme officers and admins only (403 for others, log-in page for visitors)."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not workshops.is_staff(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


# -- forms -----------------------------------------------------------------------------------


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _after_start(form, field):
    if field.data and form.starts_at.data and field.data <= form.starts_at.data:
        raise ValidationError(_l("The end must be after the start."))


def _phone(form, field):
    digits = workshops.normalise_phone(field.data or "")
    if not 9 <= len(digits) <= 10:
        raise ValidationError(_l("Enter a phone number of 9 or 10 digits, e.g. 081 234 5678."))


class WorkshopForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    place = StringField(
        _l("Place"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("Where people should come, e.g. the school hall and its village."),
    )
    district = SelectField(_l("District"), validators=[DataRequired()])
    starts_at = DateTimeLocalField(
        _l("Starts"), format=FMT, validators=[DataRequired()], description=_l("Thai time.")
    )
    ends_at = DateTimeLocalField(_l("Ends"), format=FMT, validators=[DataRequired(), _after_start])
    capacity = IntegerField(
        _l("Places"),
        validators=[InputRequired(), NumberRange(min=1, max=100_000)],
        description=_l("When the places are taken, people join the waiting list."),
    )
    audiences = MultiCheckboxField(_l("Target audience groups"))
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=20_000)],
        description=_l("What people will learn and what to bring. Basic HTML is allowed."),
        render_kw={"rows": 6},
    )

    def fill_choices(self) -> None:
        self.district.choices = workshops.district_choices()
        self.audiences.choices = workshops.audience_choices()


class RegistrationForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    phone = StringField(
        _l("Phone number"),
        validators=[DataRequired(), Length(max=40), _phone],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "tel"},
    )
    audience = SelectField(_l("Audience group"), validators=[DataRequired()])
    district = SelectField(
        _l("District where you live"),
        validators=[DataRequired()],
    )
    consent = BooleanField(
        _l(
            "I agree that the programme keeps my name, phone number, group and district to "
            "organise this workshop and count its participants (PDPA)."
        ),
        validators=[DataRequired(_l("Please agree to the use of your data to register."))],
    )

    def fill_choices(self) -> None:
        blank = [("", _("Choose…"))]
        self.audience.choices = blank + workshops.audience_choices()
        self.district.choices = blank + workshops.district_choices()


class WalkInForm(RegistrationForm):
    consent = BooleanField(
        _l("The person agreed that we keep these details for this workshop (PDPA)."),
        validators=[DataRequired(_l("Ask the person for their consent first."))],
    )


# -- public pages ----------------------------------------------------------------------------


@bp.route("/")
def index():
    items = workshops.upcoming()
    ids = [w.id for w in items]
    mine = workshops.of_user(current_user.id, ids) if current_user.is_authenticated else {}
    return render_template(
        "outreach/workshop_list.html",
        workshops=items,
        counts=workshops.counts(ids),
        mine=mine,
        staff=workshops.is_staff(current_user),
    )


def _prefill(form: RegistrationForm) -> None:
    """A logged-in person's name and first audience group."""
    if not current_user.is_authenticated or request.method != "GET":
        return
    form.name.data = current_user.name
    groups = [str(g) for g in plugins.call("lms_audience_groups_for", user=current_user) if g]
    known = dict(workshops.audience_choices())
    form.audience.data = next((g for g in groups if g in known), "")


def _register_limit() -> str:
    """``OUTREACH_REGISTER_RATE_LIMIT`` (default 20 per hour per client address): the public
    form cannot be used to fill a workshop with made-up people."""
    return current_app.config.get("OUTREACH_REGISTER_RATE_LIMIT", "20 per hour")


@bp.route("/<int:workshop_id>", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def detail(workshop_id: int):
    """The workshop and its registration form (no account needed)."""
    workshop = workshops.get_or_404(workshop_id)
    user_id = current_user.id if current_user.is_authenticated else None
    if user_id:
        mine = workshops.active_registration(workshop, user_id=user_id)
        if mine is not None:
            return redirect(url_for(".registration", token=mine.token))
    form = RegistrationForm()
    form.fill_choices()
    _prefill(form)
    if form.validate_on_submit():
        try:
            reg = workshops.register(
                workshop,
                name=form.name.data,
                phone=form.phone.data,
                audience=form.audience.data,
                district=form.district.data,
                consent=form.consent.data,
                user_id=user_id,
            )
        except workshops.RegistrationError as exc:
            db.session.rollback()
            form.phone.errors = [*form.phone.errors, str(exc.message)]
        else:
            db.session.commit()
            if reg.status == WAITLIST:
                flash(_("The workshop is full: you are on the waiting list."), "info")
            else:
                flash(_("You are registered."), "success")
            return redirect(url_for(".registration", token=reg.token))
    count = workshops.counts([workshop.id])[workshop.id]
    return render_template(
        "outreach/workshop_detail.html",
        workshop=workshop,
        description=sanitize(workshop.description),  # stored clean; cleaned again to be sure
        form=form,
        count=count,
        full=count[CONFIRMED] >= workshop.capacity,
        ended=workshop.ends_at <= utcnow(),
        staff=workshops.is_staff(current_user),
    )


def _registration_or_404(token: str):
    reg = workshops.by_token(token)
    if reg is None:
        abort(404)
    return reg


@bp.route("/r/<token>")
def registration(token: str):
    """The registrant's page: status, place on the waiting list and the QR code for the door."""
    reg = _registration_or_404(token)
    checkin_url = url_for(".scan", token=reg.token, _external=True)
    qr = None
    if reg.status != CANCELLED:
        qr = checkin.qr_svg(checkin_url, _("QR code to show at the door"))
    return render_template(
        "outreach/workshop_registration.html",
        reg=reg,
        workshop=reg.workshop,
        qr=qr,
        position=workshops.waitlist_position(reg),
        audience=workshops.audience_name(reg.audience),
    )


@bp.route("/r/<token>/cancel", methods=["POST"])
def cancel_own(token: str):
    reg = _registration_or_404(token)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        workshops.cancel(reg)
    except workshops.RegistrationError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Your registration is cancelled."), "success")
    return redirect(url_for(".registration", token=token))


# -- officers --------------------------------------------------------------------------------


@bp.route("/manage")
@staff_required
def manage():
    items = workshops.all_workshops()
    return render_template(
        "outreach/workshop_manage.html",
        workshops=items,
        counts=workshops.counts([w.id for w in items]),
    )


def _form_data(form: WorkshopForm) -> dict:
    return {name: field.data for name, field in form._fields.items()}


@bp.route("/manage/new", methods=["GET", "POST"])
@staff_required
def create():
    form = WorkshopForm()
    form.fill_choices()
    if form.validate_on_submit():
        workshop = Workshop(created_by=current_user.id)
        workshops.save_workshop(workshop, _form_data(form))
        db.session.commit()
        flash(_("Workshop created."), "success")
        return redirect(url_for(".manage_one", workshop_id=workshop.id))
    return render_template("outreach/workshop_form.html", form=form, workshop=None)


@bp.route("/manage/<int:workshop_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(workshop_id: int):
    workshop = workshops.get_or_404(workshop_id)
    form = WorkshopForm(obj=workshop if request.method == "GET" else None)
    form.fill_choices()
    if request.method == "GET":
        form.starts_at.data = workshops.to_form(workshop.starts_at)
        form.ends_at.data = workshops.to_form(workshop.ends_at)
        form.audiences.data = workshop.audience_codes
    if form.validate_on_submit():
        workshops.save_workshop(workshop, _form_data(form))
        db.session.commit()
        flash(_("Workshop saved."), "success")
        return redirect(url_for(".manage_one", workshop_id=workshop.id))
    return render_template("outreach/workshop_form.html", form=form, workshop=workshop)


@bp.route("/manage/<int:workshop_id>")
@staff_required
def manage_one(workshop_id: int):
    workshop = workshops.get_or_404(workshop_id)
    return render_template(
        "outreach/workshop_registrants.html",
        workshop=workshop,
        registrations=workshops.registrations(workshop),
        count=workshops.counts([workshop.id])[workshop.id],
        audience_name=workshops.audience_name,
        district_name=workshops.district_name,
    )


@bp.route("/manage/<int:workshop_id>/registrations/<int:reg_id>/cancel", methods=["POST"])
@staff_required
def cancel_registration(workshop_id: int, reg_id: int):
    workshop = workshops.get_or_404(workshop_id)
    reg = _own_registration(workshop, reg_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        promoted = workshops.cancel(reg)
    except workshops.RegistrationError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Registration cancelled."), "success")
        for p in promoted:
            flash(_("%(name)s moved from the waiting list to a place.", name=p.name), "info")
    return redirect(url_for(".manage_one", workshop_id=workshop.id))


def _own_registration(workshop: Workshop, reg_id: int):
    """The registration ``reg_id`` if it belongs to ``workshop`` (else 404)."""
    from lms_outreach.workshop_models import WorkshopRegistration

    reg = db.session.get(WorkshopRegistration, reg_id)
    if reg is None or reg.workshop_id != workshop.id:
        abort(404)
    return reg


# -- check-in --------------------------------------------------------------------------------


@bp.app_template_filter("outreach_clock")
def clock(value) -> str:
    """``14:05`` in the site's time zone (``14:05 น.`` in Thai)."""
    text = to_local(value).strftime("%H:%M")
    return f"{text} น." if str(get_locale() or "th").startswith("th") else text


def result_message(result: checkin.CheckinResult) -> str:
    reg = result.registration
    if result.status == checkin.OK:
        return _("Checked in: %(name)s", name=reg.name)
    if result.status == checkin.ALREADY:
        return _(
            "%(name)s is already checked in at %(time)s.",
            name=reg.name,
            time=clock(reg.checked_in_at),
        )
    if result.status == checkin.OTHER_WORKSHOP:
        return _("This code is for another workshop.")
    if result.status == checkin.NOT_CONFIRMED:
        if reg.status == WAITLIST:
            return _("%(name)s is on the waiting list, not in a place.", name=reg.name)
        return _("The registration of %(name)s was cancelled.", name=reg.name)
    return _("This code is not valid.")


@bp.route("/manage/<int:workshop_id>/checkin")
@staff_required
def checkin_page(workshop_id: int):
    """The door: camera scanner, search by name or phone, walk-ins."""
    workshop = workshops.get_or_404(workshop_id)
    query = request.args.get("q", "").strip()[:100]
    form = WalkInForm(prefix="walkin")
    form.fill_choices()
    form.district.data = form.district.data or workshop.district
    return _checkin_render(workshop, query, form)


def _checkin_render(workshop: Workshop, query: str, form: WalkInForm):
    return render_template(
        "outreach/workshop_checkin.html",
        workshop=workshop,
        query=query,
        results=checkin.search(workshop, query) if query else [],
        form=form,
        count=workshops.counts([workshop.id])[workshop.id],
    )


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


@bp.route("/manage/<int:workshop_id>/checkin/token", methods=["POST"])
@staff_required
def checkin_token(workshop_id: int):
    """Check in by the scanned QR (the check-in URL or the bare token). JSON for the scanner:
    ``{"status": "ok"|"already"|"unknown"|"other_workshop"|"not_confirmed", "message": ...}``."""
    workshop = workshops.get_or_404(workshop_id)
    scanned = request.form.get("token", "")
    result = checkin.check_in_token(workshop, scanned, current_user.id)
    if result.ok:
        db.session.commit()
    else:
        db.session.rollback()
    message = result_message(result)
    if _wants_json():
        count = workshops.counts([workshop.id])[workshop.id]
        return jsonify(status=result.status, message=message, checked_in=count["checked_in"])
    flash(message, "success" if result.ok else "error")
    return redirect(url_for(".checkin_page", workshop_id=workshop.id))


@bp.route("/manage/<int:workshop_id>/checkin/<int:reg_id>", methods=["POST"])
@staff_required
def checkin_registration(workshop_id: int, reg_id: int):
    """Check in a person found by the search."""
    workshop = workshops.get_or_404(workshop_id)
    reg = _own_registration(workshop, reg_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    result = checkin.check_in(reg, current_user.id)
    db.session.commit()
    flash(result_message(result), "success" if result.ok else "error")
    return redirect(url_for(".checkin_page", workshop_id=workshop.id, q=request.form.get("q", "")))


@bp.route("/manage/<int:workshop_id>/walkin", methods=["POST"])
@staff_required
def walk_in(workshop_id: int):
    workshop = workshops.get_or_404(workshop_id)
    form = WalkInForm(prefix="walkin")
    form.fill_choices()
    if form.validate_on_submit():
        try:
            result = checkin.walk_in(
                workshop,
                name=form.name.data,
                phone=form.phone.data,
                audience=form.audience.data,
                district=form.district.data,
                consent=form.consent.data,
                staff_id=current_user.id,
            )
        except workshops.RegistrationError as exc:
            db.session.rollback()
            form.phone.errors = [*form.phone.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(result_message(result), "success" if result.ok else "error")
            return redirect(url_for(".checkin_page", workshop_id=workshop.id))
    return _checkin_render(workshop, "", form), 400


@bp.route("/t/<token>")
def scan(token: str):
    """The address in the QR code. Officers get a check-in button (no change on GET);
    anyone else sees the registrant's page."""
    reg = _registration_or_404(token)
    if not workshops.is_staff(current_user):
        return redirect(url_for(".registration", token=token))
    return render_template(
        "outreach/workshop_scan.html",
        reg=reg,
        workshop=reg.workshop,
        audience=workshops.audience_name(reg.audience),
    )


@bp.route("/manage/<int:workshop_id>/sheet")
@staff_required
def sheet(workshop_id: int):
    """The sign-in sheet to print (A4, Thai): confirmed people, then empty rows for walk-ins."""
    workshop = workshops.get_or_404(workshop_id)
    rows = [r for r in workshops.registrations(workshop) if r.status == CONFIRMED]
    return render_template(
        "outreach/workshop_sheet.html",
        workshop=workshop,
        rows=rows,
        blank_rows=max(5, min(20, workshop.capacity - len(rows))),
        clock=clock,
        audience_name=workshops.audience_name,
        district_name=workshops.district_name,
    )
