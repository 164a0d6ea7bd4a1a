"""Bulk enrolment from CSV: ``email,name,course_id,group`` and optionally ``organisation``.
All rows or none.

* ``email`` (required): the learner; an account is created when there is none (no password:
  they set one with "forgot password").
* ``name``: required for a new account, ignored for an existing one.
* ``course_id``: a course to enrol them in as a learner (may be empty if ``group`` is given).
* ``group``: an audience group code to add to their chosen groups (may be empty).
* ``organisation`` (optional column): the id or the exact name of an organisation to make them
  a member of (a school enrolling its class), so they are in its groups.

Every problem is reported with its line number (the header is line 1); one bad row and nothing
is imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from lms.auth.services import create_user, find_by_email, normalise_email
from lms.courses import add_enrolment, enrolment_of
from lms.extensions import db
from lms.models import Course
from lms_audience.models import AudienceGroup, Profile, ProfileGroup

COLUMNS = ("email", "name", "course_id", "group")
OPTIONAL = ("organisation",)


class ImportErrors(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class ImportResult:
    users_created: int = 0
    enrolments: int = 0
    groups_added: int = 0
    memberships: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Row:
    line: int
    email: str
    name: str
    course_id: int | None
    group: str
    org_id: int | None = None


def parse(text: str) -> list[Row]:
    """Check every row; raise :class:`ImportErrors` listing all problems."""
    errors: list[str] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportErrors([f"line 1: missing column(s): {', '.join(missing)}"])
    reader.fieldnames = header
    groups = {
        g.code
        for g in db.session.scalars(select(AudienceGroup).where(AudienceGroup.retired.is_(False)))
    }
    orgs = _organisations() if "organisation" in header else {}
    rows: list[Row] = []
    for raw in reader:
        line = reader.line_num
        values = {k: (raw.get(k) or "").strip() for k in COLUMNS + OPTIONAL}
        problems = []
        email = values["email"]
        if not email or "@" not in email or len(email) > 254 or " " in email:
            problems.append(f"email {email!r} is not an email address")
        course_id = None
        if values["course_id"]:
            if not values["course_id"].isdigit():
                problems.append(f"course_id {values['course_id']!r} is not a number")
            else:
                course_id = int(values["course_id"])
                if db.session.get(Course, course_id) is None:
                    problems.append(f"no course {course_id}")
        if values["group"] and values["group"] not in groups:
            problems.append(f"unknown audience group {values['group']!r}")
        org_id = None
        if values["organisation"]:
            org_id = orgs.get(values["organisation"])
            if org_id is None:
                problems.append(f"unknown organisation {values['organisation']!r}")
        if not values["course_id"] and not values["group"] and not values["organisation"]:
            problems.append(
                "give a course_id, a group or an organisation"
                if "organisation" in header
                else "give a course_id, a group or both"
            )
        if not problems and find_by_email(email) is None:
            if not values["name"]:
                problems.append("name is required for a new account")
            elif len(values["name"]) > 120:
                problems.append("name is longer than 120 characters")
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
        else:
            rows.append(
                Row(
                    line, normalise_email(email), values["name"], course_id, values["group"], org_id
                )
            )
    if errors:
        raise ImportErrors(errors)
    if not rows:
        raise ImportErrors(["no rows to import"])
    return rows


def _organisations() -> dict[str, int]:
    """Organisation id (as text) and exact name → id."""
    from lms_audience.models_org import Organisation

    out: dict[str, int] = {}
    for org_id, name in db.session.execute(select(Organisation.id, Organisation.name)):
        out[name.strip()] = org_id
    for org_id in list(out.values()):
        out[str(org_id)] = org_id
    return out


def import_csv(text: str) -> ImportResult:
    """Import ``text``; raises :class:`ImportErrors` and changes nothing on any error.

    Does not commit: the caller commits, or rolls back on an exception.
    """
    rows = parse(text)
    result = ImportResult(rows=len(rows))
    for row in rows:
        user = find_by_email(row.email)
        if user is None:
            user = create_user(row.name, row.email, None)
            result.users_created += 1
        if row.course_id is not None:
            course = db.session.get(Course, row.course_id)
            if enrolment_of(user, course) is None:
                add_enrolment(user, course, "learner")
                result.enrolments += 1
        if row.group:
            profile = db.session.get(Profile, user.id)
            if profile is None:
                profile = Profile(user_id=user.id, district="")
                db.session.add(profile)
            if row.group not in profile.group_codes:
                profile.chosen.append(ProfileGroup(group_code=row.group))
                result.groups_added += 1
            db.session.flush()
        if row.org_id is not None:
            from lms_audience.models_org import OrgMember

            if db.session.get(OrgMember, (row.org_id, user.id)) is None:
                db.session.add(OrgMember(org_id=row.org_id, user_id=user.id, note=""))
                db.session.flush()
                result.memberships += 1
    return result
