"""Course targets, the catalog filter, the enrolment check and member counts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from lms.extensions import db
from lms.models import Course, User
from lms_audience.models import SEED_GROUPS, AudienceGroup, CourseGroup, CourseTarget, Profile
from lms_audience.rules import active_groups, age_on, all_rules, explain, groups_for, today_local


def seed_groups() -> int:
    """Add any of the five seed groups that are missing (never touches edited ones)."""
    have = set(db.session.scalars(select(AudienceGroup.code)))
    added = 0
    for code, name_th, name_en, position, low, high in SEED_GROUPS:
        if code not in have:
            db.session.add(
                AudienceGroup(
                    code=code,
                    name_th=name_th,
                    name_en=name_en,
                    position=position,
                    retired=False,
                    min_age=low,
                    max_age=high,
                )
            )
            added += 1
    db.session.flush()
    return added


def locale_code() -> str:
    locale = get_locale()
    return str(locale) if locale else "th"


def group_names(codes: list[str] | None = None) -> dict[str, str]:
    """Code → name in the current language, for groups not retired, in order."""
    loc = locale_code()
    return {g.code: g.name(loc) for g in active_groups() if codes is None or g.code in codes}


def target_of(course_id: int) -> CourseTarget | None:
    return db.session.get(CourseTarget, course_id)


def save_target(
    course: Course, codes: list[str], min_age: int | None, max_age: int | None, restrict: bool
) -> CourseTarget:
    target = target_of(course.id) or CourseTarget(course_id=course.id)
    target.min_age, target.max_age, target.restrict_enrolment = min_age, max_age, restrict
    wanted = set(codes)
    target.groups = [g for g in target.groups if g.group_code in wanted]
    have = {g.group_code for g in target.groups}
    target.groups.extend(CourseGroup(group_code=c) for c in sorted(wanted - have))
    db.session.add(target)
    db.session.flush()
    return target


def filter_catalog(stmt: Any, args: Any) -> Any:
    """Narrow the catalog to courses aimed at ``args["audience"]`` (a group code)."""
    code = (args.get("audience") or "").strip()
    if not code or db.session.get(AudienceGroup, code) is None:
        return None
    aimed = select(CourseGroup.course_id).where(CourseGroup.group_code == code)
    return stmt.where(Course.id.in_(aimed))


def age_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _("ages %(low)s to %(high)s", low=low, high=high)
    if low is not None:
        return _("ages %(low)s and over", low=low)
    return _("ages up to %(high)s", high=high)


def enrol_refusal(user: User, course: Course) -> str | None:
    """Why ``user`` may not enrol in ``course`` (its enrolment is restricted), or ``None``."""
    target = target_of(course.id)
    if target is None or not target.restrict_enrolment:
        return None
    codes = target.group_codes
    has_age = target.min_age is not None or target.max_age is not None
    if not codes and not has_age:
        return None
    today = today_local()
    if codes:
        mine = set(groups_for(user, today))
        if not mine & set(codes):
            names = ", ".join(group_names(codes).values()) or ", ".join(codes)
            return _(
                "This course is for %(groups)s only. If that is you, say so on your audience "
                "profile.",
                groups=names,
            )
    if has_age:
        profile = db.session.get(Profile, user.id)
        ages = age_text(target.min_age, target.max_age)
        if profile is None or profile.birth_date is None:
            return _(
                "This course is for %(ages)s only. Add your birth date to your audience profile.",
                ages=ages,
            )
        age = age_on(profile.birth_date, today)
        low, high = target.min_age, target.max_age
        if (low is not None and age < low) or (high is not None and age > high):
            return _("This course is for %(ages)s only.", ages=ages)
    return None


def member_counts() -> list[tuple[AudienceGroup, int]]:
    """Every group (retired too) with its number of active members by the rules, today."""
    groups = list(
        db.session.scalars(
            select(AudienceGroup).order_by(AudienceGroup.position, AudienceGroup.code)
        )
    )
    active = {g.code for g in groups if not g.retired}
    profiles = {p.user_id: p for p in db.session.scalars(select(Profile))}
    rules, today = all_rules(), today_local()
    counts: Counter[str] = Counter()
    users = list(db.session.scalars(select(User).where(User.is_active_account.is_(True))))
    for rule in rules:  # one query for all members (the organisation rule), not one a user
        if hasattr(rule, "prefetch"):
            rule.prefetch(u.id for u in users)
    for user in users:
        counts.update(explain(user, profiles.get(user.id), today, rules, active).keys())
    return [(g, counts[g.code]) for g in groups]
