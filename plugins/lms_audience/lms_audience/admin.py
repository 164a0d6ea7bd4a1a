"""Admin pages of the audience plugin (``/audience/admin/...``): edit the groups (rename, add,
retire, reorder), organisations and their members, and why a user is in their groups."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, func, select

from lms.auth.services import find_by_email
from lms.extensions import db, login_manager
from lms.models import User
from lms_audience import services
from lms_audience.admin_forms import GroupForm, OrgForm
from lms_audience.districts import district_name
from lms_audience.models import AudienceGroup
from lms_audience.rules import explain, profile_of, today_local

bp = Blueprint("audience_admin", __name__, url_prefix="/audience/admin")


@bp.before_request
def admins_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


def all_groups() -> list[AudienceGroup]:
    """Every group, retired ones too, in their order."""
    return list(
        db.session.scalars(
            select(AudienceGroup).order_by(AudienceGroup.position, AudienceGroup.code)
        )
    )


def group_or_404(code: str) -> AudienceGroup:
    group = db.session.get(AudienceGroup, code)
    if group is None:
        abort(404)
    return group


def move_group(group: AudienceGroup, direction: str) -> bool:
    """Swap ``group`` with its neighbour (``"up"`` or ``"down"``); renumber 10, 20, 30 ...
    Returns whether it moved."""
    groups = all_groups()
    i = groups.index(group)
    j = i - 1 if direction == "up" else i + 1
    if direction not in ("up", "down") or not 0 <= j < len(groups):
        return False
    groups[i], groups[j] = groups[j], groups[i]
    for n, g in enumerate(groups, start=1):
        g.position = n * 10
    db.session.flush()
    return True


@bp.route("/groups")
def groups():
    return render_template("lms_audience/admin_groups.html", groups=all_groups())


@bp.route("/groups/new", methods=["GET", "POST"])
def new_group():
    taken = set(db.session.scalars(select(AudienceGroup.code)))
    form = GroupForm(adding=True, taken=taken)
    if form.validate_on_submit():
        last = db.session.scalar(select(func.max(AudienceGroup.position))) or 0
        group = AudienceGroup(code=form.code.data, position=last + 10)
        _fill(group, form)
        db.session.add(group)
        db.session.commit()
        flash(_("The group is added."), "success")
        return redirect(url_for("audience_admin.groups"))
    return render_template("lms_audience/admin_group_form.html", form=form, group=None)


@bp.route("/groups/<code>", methods=["GET", "POST"])
def edit_group(code: str):
    group = group_or_404(code)
    form = GroupForm(obj=group)
    if form.validate_on_submit():
        _fill(group, form)
        db.session.commit()
        flash(_("The group is saved."), "success")
        return redirect(url_for("audience_admin.groups"))
    return render_template("lms_audience/admin_group_form.html", form=form, group=group)


def _fill(group: AudienceGroup, form: GroupForm) -> None:
    group.name_th = form.name_th.data.strip()
    group.name_en = form.name_en.data.strip()
    group.min_age, group.max_age = form.min_age.data, form.max_age.data
    group.retired = bool(form.retired.data)


@bp.route("/groups/<code>/move", methods=["POST"])
def move(code: str):
    group = group_or_404(code)
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)
    move_group(group, direction)
    db.session.commit()
    return redirect(url_for("audience_admin.groups") + f"#group-{group.code}")


@bp.route("/groups/<code>/retire", methods=["POST"])
def retire(code: str):
    group = group_or_404(code)
    group.retired = request.form.get("retired") == "1"
    db.session.commit()
    if group.retired:
        flash(
            _("The group is retired: hidden from forms and filters, kept for history."), "success"
        )
    else:
        flash(_("The group is back in use."), "success")
    return redirect(url_for("audience_admin.groups") + f"#group-{group.code}")


# --- organisations -------------------------------------------------------------------------


def org_or_404(org_id: int):
    from lms_audience.models_org import Organisation

    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    return org


def parse_member_lines(text: str) -> tuple[list[User], list[str]]:
    """The accounts named by ``text`` (emails, one a line) and one error per bad line."""
    users: list[User] = []
    errors: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        email = line.strip()
        if not email:
            continue
        user = find_by_email(email) if "@" in email else None
        if user is None:
            errors.append(
                _("line %(n)s: no account with the email %(email)s", n=number, email=email)
            )
        elif user not in users:
            users.append(user)
    return users, errors


@bp.route("/orgs")
def orgs():
    from lms_audience.models_org import Organisation, OrgMember

    counts = dict(
        db.session.execute(
            select(OrgMember.org_id, func.count(OrgMember.user_id)).group_by(OrgMember.org_id)
        ).all()
    )
    rows = list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    return render_template(
        "lms_audience/admin_orgs.html", orgs=rows, counts=counts, names=services.group_names()
    )


@bp.route("/orgs/new", methods=["GET", "POST"])
@bp.route("/orgs/<int:org_id>", methods=["GET", "POST"])
def edit_org(org_id: int | None = None):
    from lms_audience.models_org import Organisation, OrgGroup, OrgMember

    org = org_or_404(org_id) if org_id is not None else None
    form = OrgForm(obj=org)
    all_names = services.group_names()
    if org is not None:  # keep a retired group ticked rather than dropping it silently
        all_names.update({c: c for c in org.group_codes if c not in all_names})
    form.groups.choices = list(all_names.items())
    if request.method == "GET" and org is not None:
        form.groups.data = org.group_codes
    if form.validate_on_submit():
        users, errors = parse_member_lines(form.members.data)
        if errors:
            form.members.errors = [*form.members.errors, *errors]
        else:
            if org is None:
                org = Organisation(name="")
                db.session.add(org)
            org.name = form.name.data.strip()
            wanted = set(form.groups.data or [])
            org.groups = [g for g in org.groups if g.group_code in wanted]
            have = {g.group_code for g in org.groups}
            org.groups.extend(OrgGroup(group_code=c) for c in sorted(wanted - have))
            db.session.flush()
            note = (form.note.data or "").strip()
            added = 0
            for user in users:
                member = db.session.get(OrgMember, (org.id, user.id))
                if member is None:
                    db.session.add(OrgMember(org_id=org.id, user_id=user.id, note=note))
                    added += 1
                elif note:
                    member.note = note
            db.session.commit()
            flash(_("The organisation is saved; %(n)s member(s) added.", n=added), "success")
            return redirect(url_for("audience_admin.edit_org", org_id=org.id))
    members = []
    if org is not None:
        members = db.session.execute(
            select(User, OrgMember.note)
            .join(OrgMember, OrgMember.user_id == User.id)
            .where(OrgMember.org_id == org.id)
            .order_by(User.name, User.id)
        ).all()
    return render_template("lms_audience/admin_org_form.html", form=form, org=org, members=members)


@bp.route("/orgs/<int:org_id>/members/<int:user_id>/remove", methods=["POST"])
def remove_member(org_id: int, user_id: int):
    from lms_audience.models_org import OrgMember

    org = org_or_404(org_id)
    member = db.session.get(OrgMember, (org.id, user_id))
    if member is None:
        abort(404)
    db.session.delete(member)
    db.session.commit()
    flash(_("The member is removed from the organisation."), "success")
    return redirect(url_for("audience_admin.edit_org", org_id=org.id) + "#members")


@bp.route("/orgs/<int:org_id>/delete", methods=["POST"])
def delete_org(org_id: int):
    from lms_audience.models_org import OrgMember

    org = org_or_404(org_id)
    db.session.execute(delete(OrgMember).where(OrgMember.org_id == org.id))
    db.session.delete(org)
    db.session.commit()
    flash(_("The organisation is deleted. Its members keep their accounts."), "success")
    return redirect(url_for("audience_admin.orgs"))


# --- why is someone in a group --------------------------------------------------------------


@bp.route("/users")
def find_user():
    """Look a person up by email and show their groups."""
    email = request.args.get("email", "").strip()[:254]
    error = None
    if email:
        user = find_by_email(email)
        if user is not None:
            return redirect(url_for("audience_admin.user", user_id=user.id))
        error = _("No account has this email address.")
    return render_template("lms_audience/admin_find_user.html", email=email, error=error)


@bp.route("/users/<int:user_id>")
def user(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    profile = profile_of(user)
    reasons = explain(user, profile, today_local())
    return render_template(
        "lms_audience/admin_user.html",
        person=user,
        reasons=reasons,
        names=services.group_names(),
        district=district_name(profile.district) if profile else "",
    )
