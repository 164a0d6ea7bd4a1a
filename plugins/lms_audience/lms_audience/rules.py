"""Audience rules: each decides which groups a user is in, and says why.

A rule has ``code``, ``label`` and ``evaluate(user, profile, today)`` returning a list of
``(group_code, reason)``. Rules come from every plugin through ``lms_audience_rules``; this
plugin ships the four below. Membership is computed when asked, never stored, so people move
from group to group as they age.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.extensions import db
from lms_audience.models import AudienceGroup, Profile

log = logging.getLogger(__name__)


def today_local() -> date:
    """Today's date in the site's time zone (Asia/Bangkok), where ages change at midnight."""
    tz = ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Bangkok"))
    return datetime.now(tz).date()


def age_on(birth: date, today: date) -> int:
    """Whole years on ``today``. Someone born on 29 February turns a year older on 1 March in
    years without one."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def active_groups() -> list[AudienceGroup]:
    """Groups not retired, in their order: read once per request (until a commit)."""
    if has_request_context() and ACTIVE_MEMO in g:
        return list(g.get(ACTIVE_MEMO))
    groups = list(
        db.session.scalars(
            select(AudienceGroup)
            .where(AudienceGroup.retired.is_(False))
            .order_by(AudienceGroup.position, AudienceGroup.code)
        )
    )
    if has_request_context():
        setattr(g, ACTIVE_MEMO, groups)
    return list(groups)


#: ``g`` attribute of :func:`active_groups`; lms_audience.prefs drops it after every commit.
ACTIVE_MEMO = "lms_audience_active_groups"


class AgeRangeRule:
    """Groups whose age range holds the learner's age, from their birth date."""

    code = "age"
    label = _l("Age from birth date")

    def evaluate(self, user: Any, profile: Profile | None, today: date) -> list[tuple[str, str]]:
        if profile is None or profile.birth_date is None:
            return []
        age = age_on(profile.birth_date, today)
        if age < 0:
            return []
        if not hasattr(self, "_ranges"):  # one query per rule object, not per learner
            self._ranges = [
                (g.code, g.min_age, g.max_age)
                for g in active_groups()
                if g.min_age is not None or g.max_age is not None
            ]
        return [
            (code, _("age %(age)s", age=age))
            for code, low, high in self._ranges
            if (low is None or age >= low) and (high is None or age <= high)
        ]


class SelfDeclaredRule:
    """Groups the learner chose on their profile."""

    code = "self"
    label = _l("Chosen by the learner")

    def evaluate(self, user: Any, profile: Profile | None, today: date) -> list[tuple[str, str]]:
        if profile is None:
            return []
        return [(code, _("chosen on the profile")) for code in profile.group_codes]


def staff_domains() -> list[str]:
    domains = current_app.config.get("AUDIENCE_STAFF_DOMAINS") or []
    if isinstance(domains, str):
        domains = domains.split(",")
    return [d.strip().lower().lstrip("@") for d in domains if d.strip()]


class StaffDomainRule:
    """``staff`` for email addresses at a domain in ``AUDIENCE_STAFF_DOMAINS`` (or below it)."""

    code = "staff_domain"
    label = _l("Staff email domain")

    def evaluate(self, user: Any, profile: Profile | None, today: date) -> list[tuple[str, str]]:
        email = (getattr(user, "email", None) or "").lower()
        _local, at, domain = email.rpartition("@")
        if not at:
            return []
        for allowed in staff_domains():
            if domain == allowed or domain.endswith("." + allowed):
                return [("staff", _("email at %(domain)s", domain=allowed))]
        return []


class OrganisationRule:
    """The groups of every organisation (a school, an office) the user is a member of.

    ``prefetch(user_ids)`` loads the memberships of many users in one query (statistics, member
    counts); without it, one query per user, none at all on a site without organisations."""

    code = "org"
    label = _l("Member of an organisation")

    def __init__(self) -> None:
        self._known: dict[int, list[tuple[str, str, str]]] = {}
        self._any: bool | None = None

    @staticmethod
    def _memberships(user_ids: list[int]) -> list[tuple[int, str, str, str]]:
        from lms_audience.models_org import Organisation, OrgGroup, OrgMember

        rows = db.session.execute(
            select(OrgMember.user_id, OrgGroup.group_code, Organisation.name, OrgMember.note)
            .join(Organisation, Organisation.id == OrgMember.org_id)
            .join(OrgGroup, OrgGroup.org_id == OrgMember.org_id)
            .where(OrgMember.user_id.in_(user_ids))
            .order_by(OrgMember.user_id, Organisation.name, OrgGroup.group_code)
        )
        return [(int(u), str(code), str(name), str(note or "")) for u, code, name, note in rows]

    def prefetch(self, user_ids: Iterable[int]) -> None:
        ids = sorted(set(user_ids))
        for user_id in ids:
            self._known[user_id] = []
        for i in range(0, len(ids), 500):  # keep the IN list short
            for user_id, code, name, note in self._memberships(ids[i : i + 500]):
                self._known[user_id].append((code, name, note))

    def evaluate(self, user: Any, profile: Profile | None, today: date) -> list[tuple[str, str]]:
        from lms_audience.models_org import OrgMember

        user_id = getattr(user, "id", None)
        if user_id is None:
            return []
        rows = self._known.get(user_id)
        if rows is None:
            if self._any is None:
                self._any = db.session.scalar(select(OrgMember.user_id).limit(1)) is not None
            if not self._any:
                return []
            rows = [(code, name, note) for _u, code, name, note in self._memberships([user_id])]
        return [
            (
                code,
                _("member of %(org)s (%(note)s)", org=name, note=note)
                if note
                else _("member of %(org)s", org=name),
            )
            for code, name, note in rows
        ]


def builtin_rules() -> list[Any]:
    return [AgeRangeRule(), SelfDeclaredRule(), StaffDomainRule(), OrganisationRule()]


def all_rules() -> list[Any]:
    from lms import plugins

    return plugins.call("lms_audience_rules")


def explain(
    user: Any,
    profile: Profile | None,
    today: date,
    rules: Iterable[Any] | None = None,
    active: set[str] | None = None,
) -> dict[str, list[str]]:
    """Group code → the reasons the user is in it, for groups that are not retired."""
    if active is None:
        active = {g.code for g in active_groups()}
    out: dict[str, list[str]] = {}
    for rule in all_rules() if rules is None else rules:
        try:
            found = _evaluate(rule, user, profile, today)
        except Exception:  # one broken rule must not break the page; no personal data logged
            log.exception("audience rule %s failed", getattr(rule, "code", rule))
            continue
        for code, reason in found:
            if code in active:
                out.setdefault(code, []).append(str(reason))
    return out


def _evaluate(rule: Any, user: Any, profile: Profile | None, today: date) -> list:
    """``rule.evaluate(...)``; rules with only ``groups_for(user)`` (older scaffolds) give
    their label as the reason."""
    if hasattr(rule, "evaluate"):
        return list(rule.evaluate(user, profile, today) or [])
    if hasattr(rule, "groups_for"):
        return [(code, str(rule.label)) for code in rule.groups_for(user) or []]
    return []


def profile_of(user: Any) -> Profile | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.get(Profile, user.id)


def groups_for(user: Any, today: date | None = None) -> list[str]:
    """The union of the groups every rule puts ``user`` in, sorted."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return sorted(explain(user, profile_of(user), today or today_local()))


def groups_for_many(users: Iterable[Any], today: date | None = None) -> dict[int, list[str]]:
    """:func:`groups_for` of many users at once, ``user id -> sorted codes``: the profiles and
    the rules' ``prefetch`` (organisation memberships) are read in a few queries per 500 users,
    not per user. Anonymous users are left out."""
    people = [u for u in users if u is not None and getattr(u, "is_authenticated", False)]
    if not people:
        return {}
    ids = sorted({u.id for u in people})
    profiles: dict[int, Profile] = {}
    for i in range(0, len(ids), 500):  # keep the IN list short
        rows = db.session.scalars(select(Profile).where(Profile.user_id.in_(ids[i : i + 500])))
        profiles.update((p.user_id, p) for p in rows)
    rules, active = all_rules(), {g.code for g in active_groups()}
    for rule in rules:
        if hasattr(rule, "prefetch"):
            rule.prefetch(ids)
    day = today or today_local()
    return {u.id: sorted(explain(u, profiles.get(u.id), day, rules, active)) for u in people}
