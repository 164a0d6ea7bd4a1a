"""Participation kinds and audience groups the outreach plugin knows about."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms import plugins
from lms.participation import CORE_KINDS

#: Kinds that are activities the programme runs; their headcounts make ``total_participants``.
ONLINE = "online_class"
ONSITE = "onsite_workshop"
#: Course kinds are counted apart (people, not activities): they are not in the totals.
COURSE_KINDS = ("course_enrolment", "course_completion")

#: Audience groups of the programme: (code, Thai, English).
AUDIENCES = (
    ("early_childhood", "ปฐมวัย", "Early childhood"),
    ("youth", "เยาวชน", "Youth"),
    ("general_public", "บุคคลทั่วไป", "General public"),
    ("staff", "บุคลากรทางการศึกษา / เจ้าหน้าที่", "Education and local-government staff"),
    ("elderly", "ผู้สูงอายุ", "Elderly"),
)

KIND_LABELS = {
    "online_class": _l("Online class"),
    "onsite_workshop": _l("Onsite workshop"),
    "event": _l("Other event"),
    "course_enrolment": _l("Course enrolment"),
    "course_completion": _l("Course completion"),
}


def known_kinds() -> dict[str, str]:
    """Every participation kind: the core's plus those plugins declare, code -> label."""
    kinds: dict[str, str] = {code: str(KIND_LABELS.get(code, code)) for code in CORE_KINDS}
    for item in plugins.call("lms_participation_kinds"):
        if isinstance(item, str):  # a bare code
            kinds.setdefault(item, item)
        elif item and len(item) >= 1:
            kinds.setdefault(str(item[0]), str(item[1]) if len(item) > 1 else str(item[0]))
    return kinds


def audience_lookup() -> dict[str, str]:
    """Code, Thai name and English name (case-folded) -> audience code."""
    lookup: dict[str, str] = {}
    for code, th, en in AUDIENCES:
        for name in (code, th, en):
            lookup[name.strip().casefold()] = code
    return lookup
