"""/audience/profile (the learner's audience profile) and /audience/course/<id> (targeting)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.courses import get_taught_course_or_403
from lms.extensions import db
from lms_audience import services
from lms_audience.districts import district_choices, district_name
from lms_audience.forms import ProfileForm, TargetForm
from lms_audience.models import Profile, ProfileGroup
from lms_audience.rules import explain, today_local

bp = Blueprint("audience", __name__, url_prefix="/audience")


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    names = services.group_names()
    mine = db.session.get(Profile, current_user.id)
    form = ProfileForm(obj=None)
    form.groups.choices = list(names.items())
    form.district.choices = district_choices(mine.district if mine else None)
    if form.validate_on_submit():
        if mine is None:
            mine = Profile(user_id=current_user.id)
            db.session.add(mine)
        mine.birth_date = form.birth_date.data
        mine.district = (form.district.data or "").strip()
        wanted = set(form.groups.data or [])
        mine.chosen = [c for c in mine.chosen if c.group_code in wanted]
        have = {c.group_code for c in mine.chosen}
        mine.chosen.extend(ProfileGroup(group_code=c) for c in sorted(wanted - have))
        db.session.commit()
        flash(_("Your audience profile is saved."), "success")
        return redirect(url_for("audience.profile"))
    if mine is not None and not form.is_submitted():
        form.birth_date.data = mine.birth_date
        form.district.data = mine.district
        form.groups.data = mine.group_codes
    reasons = explain(current_user, mine, today_local())
    return render_template(
        "lms_audience/profile.html",
        form=form,
        names=names,
        reasons=reasons,
        district=district_name(mine.district) if mine else "",
    )


@bp.route("/course/<int:course_id>", methods=["GET", "POST"])
@login_required
def course(course_id: int):
    course = get_taught_course_or_403(course_id, current_user)
    target = services.target_of(course.id)
    form = TargetForm()
    form.groups.choices = list(services.group_names().items())
    if form.validate_on_submit():
        services.save_target(
            course,
            form.groups.data or [],
            form.min_age.data,
            form.max_age.data,
            bool(form.restrict_enrolment.data),
        )
        db.session.commit()
        flash(_("The course audience is saved."), "success")
        return redirect(url_for("audience.course", course_id=course.id))
    if target is not None and not form.is_submitted():
        form.groups.data = target.group_codes
        form.min_age.data = target.min_age
        form.max_age.data = target.max_age
        form.restrict_enrolment.data = target.restrict_enrolment
    return render_template("lms_audience/course.html", form=form, course=course)
