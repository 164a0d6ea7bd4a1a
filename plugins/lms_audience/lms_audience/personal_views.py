"""Accessibility preferences, guardians' pages for their children, and a child's sign-in."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from lms.extensions import db, limiter
from lms.utils import safe_next_url
from lms_audience import guardians, prefs
from lms_audience.models_personal import ChildLogin
from lms_audience.personal_forms import (
    ChildForm,
    ChildLoginForm,
    DeleteChildForm,
    PrefsForm,
    SecretForm,
    ShareForm,
    VariantForm,
)

bp = Blueprint("audience_personal", __name__, url_prefix="/audience")


def _limit(key: str, default: str):
    return lambda: current_app.config.get(key, default)


def _login_name_key() -> str:
    return "child-login:" + (request.form.get("login_name") or "").strip().lower()[:40]


def _failed(response) -> bool:
    return response.status_code != 302


# --- accessibility preferences -------------------------------------------------------------


def _as_form(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _from_form(field: str, raw: str):
    if raw == "":
        return None
    if field == "text_size":
        return raw if raw in prefs.TEXT_SIZES else None
    return raw == "1"


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    form = PrefsForm()
    if form.validate_on_submit():
        values = {f: _from_form(f, getattr(form, f).data or "") for f in prefs.FIELDS}
        prefs.save(current_user.id, values)
        db.session.commit()
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("audience_personal.preferences"))
    if not form.is_submitted():
        for f, v in prefs.values_of(prefs.own_prefs(current_user.id)).items():
            getattr(form, f).data = _as_form(v)
    from lms_audience.services import group_names

    return render_template(
        "lms_audience/preferences.html",
        form=form,
        effective=prefs.effective(current_user),
        names=group_names(),
    )


def _admins_only() -> None:
    if not current_user.is_admin:
        abort(403)


@bp.route("/variants")
@login_required
def variants():
    """Admins: each audience group's default interface."""
    from lms_audience.models import AudienceGroup

    _admins_only()
    groups = list(
        db.session.scalars(
            db.select(AudienceGroup)
            .where(AudienceGroup.retired.is_(False))
            .order_by(AudienceGroup.position, AudienceGroup.code)
        )
    )
    rows = prefs.group_variants([g.code for g in groups])
    return render_template(
        "lms_audience/admin_variants.html",
        groups=groups,
        variants={code: prefs.values_of(v) for code, v in rows},
        fields=prefs.FIELDS,
        labels={f: VariantForm()[f].label.text for f in prefs.FIELDS},
    )


@bp.route("/variants/<code>", methods=["GET", "POST"])
@login_required
def variant(code: str):
    from lms_audience.models import AudienceGroup
    from lms_audience.models_personal import GroupVariant

    _admins_only()
    group = db.session.get(AudienceGroup, code)
    if group is None:
        abort(404)
    row = db.session.get(GroupVariant, code)
    form = VariantForm()
    if form.validate_on_submit():
        if row is None:
            row = GroupVariant(group_code=code)
            db.session.add(row)
        for f in prefs.FIELDS:
            setattr(row, f, _from_form(f, getattr(form, f).data or ""))
        db.session.commit()
        flash(_("The group's interface is saved."), "success")
        return redirect(url_for("audience_personal.variants"))
    if not form.is_submitted():
        for f, v in prefs.values_of(row).items():
            getattr(form, f).data = _as_form(v)
    return render_template("lms_audience/admin_variant_form.html", form=form, group=group)


# --- guardians ------------------------------------------------------------------------------


def _child_or_404(child_id: int):
    child = guardians.child_of(current_user, child_id)
    if child is None:
        abort(404)
    return child


@bp.route("/children")
@login_required
def children():
    if guardians.is_child(current_user):
        abort(404)
    kids = guardians.children_of(current_user.id)
    return render_template(
        "lms_audience/guardian_children.html",
        kids=[(child, link, guardians.progress_of(child)) for child, link in kids],
        logins={c.id: guardians.login_of(c.id) for c, _link in kids},
    )


@bp.route("/children/new", methods=["GET", "POST"])
@login_required
def new_child():
    if guardians.is_child(current_user):
        abort(404)
    form = ChildForm()
    form.init_pictures()
    if form.validate_on_submit():
        try:
            child = guardians.create_child(
                current_user,
                name=form.name.data.strip(),
                birth_date=form.birth_date.data,
                login_name=form.login_name.data,
                kind=form.kind.data,
                secret=form.secret(),
                relation=form.relation.data,
            )
        except guardians.ChildError as exc:
            db.session.rollback()
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The child's account is ready."), "success")
            return redirect(url_for("audience_personal.child", child_id=child.id))
    return render_template(
        "lms_audience/guardian_child_new.html", form=form, under=guardians.under_age()
    )


@bp.route("/children/<int:child_id>", methods=["GET", "POST"])
@login_required
def child(child_id: int):
    kid = _child_or_404(child_id)
    login = guardians.login_of(kid.id)
    secret_form = SecretForm(prefix="secret")
    secret_form.init_pictures()
    if secret_form.validate_on_submit() and login is not None:
        try:
            guardians.set_secret(login, secret_form.kind.data, secret_form.secret())
        except guardians.ChildError as exc:
            field = (exc.field or "pin") if exc.field != "kind" else "kind"
            getattr(secret_form, field).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The new sign-in is saved. Tell the child."), "success")
            return redirect(url_for("audience_personal.child", child_id=kid.id))
    return render_template(
        "lms_audience/guardian_child.html",
        kid=kid,
        login=login,
        courses=guardians.progress_of(kid),
        secret_form=secret_form,
        share_form=ShareForm(prefix="share", formdata=None),
        delete_form=DeleteChildForm(prefix="delete"),
    )


@bp.route("/children/<int:child_id>/share", methods=["POST"])
@login_required
@limiter.limit(_limit("LOGIN_RATE_LIMIT", "10 per minute"))
def share_child(child_id: int):
    kid = _child_or_404(child_id)
    form = ShareForm(prefix="share")
    if form.validate_on_submit():
        try:
            guardians.share(kid, form.email.data, form.relation.data)
        except guardians.ChildError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("They look after the child too now."), "success")
            return redirect(url_for("audience_personal.child", child_id=kid.id))
    login = guardians.login_of(kid.id)
    secret_form = SecretForm(prefix="secret", formdata=None)
    secret_form.init_pictures()
    return render_template(
        "lms_audience/guardian_child.html",
        kid=kid,
        login=login,
        courses=guardians.progress_of(kid),
        secret_form=secret_form,
        share_form=form,
        delete_form=DeleteChildForm(prefix="delete", formdata=None),
    )


@bp.route("/children/<int:child_id>/data")
@login_required
def child_data(child_id: int):
    from lms.auth.account import export_data

    kid = _child_or_404(child_id)
    body = json.dumps(export_data(kid), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="child-data-{kid.id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/children/<int:child_id>/delete", methods=["POST"])
@login_required
@limiter.limit(_limit("LOGIN_RATE_LIMIT", "10 per minute"))
def delete_child(child_id: int):
    from lms.auth.account import EraseError, erase_account

    kid = _child_or_404(child_id)
    form = DeleteChildForm(prefix="delete")
    if not form.validate_on_submit() or not current_user.check_password(form.password.data):
        flash(_("The child's account was not deleted: check your password and the box."), "error")
        return redirect(url_for("audience_personal.child", child_id=kid.id))
    try:
        erase_account(kid)
    except EraseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("audience_personal.child", child_id=kid.id))
    db.session.commit()
    flash(_("The child's account is deleted."), "success")
    return redirect(url_for("audience_personal.children"))


# --- a child's sign-in ----------------------------------------------------------------------


@bp.route("/child-login", methods=["GET", "POST"])
@limiter.limit(
    _limit("AUDIENCE_CHILD_LOGIN_RATE_LIMIT", "10 per minute"),
    methods=["POST"],
)
@limiter.limit(
    _limit("AUDIENCE_CHILD_LOGIN_NAME_LIMIT", "20 per hour"),
    methods=["POST"],
    key_func=_login_name_key,
    deduct_when=_failed,
)
def child_login():
    if current_user.is_authenticated:
        return redirect(url_for("learn.my_learning"))
    form = ChildLoginForm()
    form.init_pictures()
    if form.validate_on_submit():
        login = db.session.scalar(
            db.select(ChildLogin.secret_kind).where(
                ChildLogin.login_name == form.login_name.data.strip().lower()
            )
        )
        secret = "-".join(form.pictures()) if login == "picture" else (form.pin.data or "")
        kid = guardians.authenticate(form.login_name.data, secret.strip())
        if kid is None:
            form.pin.errors.append(_("The login name, PIN or pictures are not correct."))
        else:
            db.session.commit()
            login_user(kid)
            return redirect(safe_next_url() or url_for("learn.my_learning"))
    return render_template("lms_audience/child_login.html", form=form)
