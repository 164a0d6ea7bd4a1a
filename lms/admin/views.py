"""Site administration: users and their roles, and the plugins the site found
(the plugin pages themselves are in lms/admin/plugins.py)."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import BooleanField

from lms.extensions import db
from lms.models import ROLES, User
from lms.utils import int_arg

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "educator": _l("Educator"),
    "learner": _l("Learner"),
    "it_staff": _l("IT staff"),
    "programme_officer": _l("Programme officer"),
}


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def roles_form_class():
    fields = {code: BooleanField(label) for code, label in ROLE_LABELS.items()}
    fields["active"] = BooleanField(_l("Account is active"))
    return type("RolesForm", (FlaskForm,), fields)


@bp.route("/")
@admin_required
def index():
    return redirect(url_for("admin.users"))


@bp.route("/users")
@admin_required
def users():
    q = request.args.get("q", "").strip()[:100]
    stmt = select(User).order_by(User.id)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(User.name.ilike(like), User.email.ilike(like)))
    page, size = int_arg("page"), 50
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(db.session.scalars(stmt.limit(size).offset((page - 1) * size)))
    return render_template(
        "admin/users.html",
        users=rows,
        q=q,
        page=page,
        pages=max(1, -(-total // size)),
        role_labels=ROLE_LABELS,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = roles_form_class()()
    if request.method == "GET":
        for code in ROLES:
            getattr(form, code).data = code in user.role_codes
        form.active.data = user.is_active_account
    if form.validate_on_submit():
        wanted = {code for code in ROLES if getattr(form, code).data}
        if user.id == current_user.id and "admin" not in wanted:
            form.admin.errors.append(_("You cannot remove your own administrator role."))
        else:
            user.roles = [r for r in user.roles if r.code in wanted]
            for code in sorted(wanted):
                user.add_role(code)
            user.is_active_account = form.active.data or user.id == current_user.id
            db.session.commit()
            flash(_("Roles saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user.html", user=user, form=form, role_labels=ROLE_LABELS)


@bp.route("/plugins")
@admin_required
def plugins():
    from lms.admin.plugins import index_page

    return index_page()


@bp.before_request
def warn_about_switched_off_plugins() -> None:
    """Tell admins, on every admin page, about plugins switched off for failing too often."""
    if request.method != "GET" or request.endpoint == "admin.plugins":
        return
    if not (current_user.is_authenticated and current_user.is_admin):
        return
    from lms.lifecycle import auto_disabled

    names = sorted(auto_disabled())
    if names:
        flash(
            _(
                "Switched off for failing again and again: %(names)s. See the plugin page.",
                names=", ".join(names),
            ),
            "error",
        )
