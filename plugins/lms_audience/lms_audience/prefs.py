"""Accessibility preferences and each audience group's default interface variant.

The learner's own choice wins; for what they left "as for my group", the variant of the first of
their groups (in the groups' order) that sets it applies; else the site's normal interface. The
result becomes CSS classes on ``<body>`` (``lms_tpl_body_classes``), styled by
``static/a11y.css``, which works under every theme.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any

from flask import g, has_app_context, has_request_context
from sqlalchemy import event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from lms.extensions import db
from lms.site_cache import shared_backend
from lms_audience.models import AudienceGroup, Profile, ProfileGroup
from lms_audience.models_org import Organisation, OrgGroup, OrgMember
from lms_audience.models_personal import GroupVariant, Prefs

log = logging.getLogger(__name__)

FIELDS = ("text_size", "high_contrast", "reduced_motion", "simple_nav", "picture_led")
TEXT_SIZES = ("normal", "large", "larger")

#: Seeded variants: group code, text size, high contrast, reduced motion, simplified navigation,
#: picture-led with big buttons. ``None``: the group does not set it.
SEED_VARIANTS: list[tuple[str, str | None, bool | None, bool | None, bool | None, bool | None]] = [
    ("early_childhood", "large", None, None, True, True),
    ("elderly", "larger", True, True, True, None),
]

#: Body class for each boolean preference that is on.
FLAG_CLASSES = {
    "high_contrast": "a11y-contrast",
    "reduced_motion": "a11y-reduced-motion",
    "simple_nav": "a11y-simple",
    "picture_led": "a11y-pictures",
}


def seed_variants() -> int:
    """Add the seeded variants of groups that exist and have none yet; return how many."""
    codes = set(db.session.scalars(select(AudienceGroup.code)))
    have = set(db.session.scalars(select(GroupVariant.group_code)))
    added = 0
    for code, size, contrast, motion, simple, pictures in SEED_VARIANTS:
        if code in codes and code not in have:
            db.session.add(
                GroupVariant(
                    group_code=code,
                    text_size=size,
                    high_contrast=contrast,
                    reduced_motion=motion,
                    simple_nav=simple,
                    picture_led=pictures,
                )
            )
            added += 1
    db.session.flush()
    return added


def values_of(row: Prefs | GroupVariant | None) -> dict[str, Any]:
    return {f: (getattr(row, f) if row is not None else None) for f in FIELDS}


def own_prefs(user_id: int) -> Prefs | None:
    return db.session.get(Prefs, user_id)


def group_variants(codes: list[str]) -> list[tuple[str, GroupVariant]]:
    """The variants of ``codes`` that are not retired, in the groups' order."""
    if not codes:
        return []
    rows = db.session.execute(
        select(AudienceGroup.code, GroupVariant)
        .join(GroupVariant, GroupVariant.group_code == AudienceGroup.code)
        .where(AudienceGroup.code.in_(codes), AudienceGroup.retired.is_(False))
        .order_by(AudienceGroup.position, AudienceGroup.code)
    )
    return [(code, variant) for code, variant in rows]


def effective(user: Any) -> dict[str, Any]:
    """``{field: (value, source)}`` where source is ``"own"``, a group code or ``None``."""
    from lms_audience.rules import groups_for

    own = values_of(own_prefs(user.id))
    result: dict[str, Any] = {
        f: ((v, "own") if v is not None else (None, None)) for f, v in own.items()
    }
    if all(v is not None for v in own.values()):
        return result
    for code, variant in group_variants(groups_for(user)):
        for f, v in values_of(variant).items():
            if result[f][0] is None and v is not None:
                result[f] = (v, code)
    return result


def classes_for(values: dict[str, Any]) -> list[str]:
    """Body classes for plain ``{field: value}`` preferences."""
    out: list[str] = []
    if values.get("text_size") in ("large", "larger"):
        out.append(f"a11y-text-{values['text_size']}")
    out += [cls for f, cls in FLAG_CLASSES.items() if values.get(f)]
    return out


def body_classes(user: Any) -> list[str]:
    """The body classes for ``user`` (anonymous: none): see :func:`facts`."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(facts(user)["classes"])


# -- the per-user cache -------------------------------------------------------------------------
#
# Every page shows the body classes, and the home page and "My learning" recommend courses by
# the user's groups and age. Working them out reads the preferences, the profile, the groups,
# the organisation memberships and the group variants: four to seven queries. So each user's
# answer is kept in the shared cache (Redis) under a *stamp*: a version of everything it was
# computed from. Reading it is one Redis MGET and no SQL. The stamp holds
#   - the user's own version, replaced after a commit that wrote their preferences, profile,
#     chosen groups or organisation memberships (ORM writes, seen by the session events below);
#   - the global version, replaced after a commit that wrote groups, group variants,
#     organisations or their groups, or that wrote any of these tables with a bulk statement;
#   - the site generation (lms/site_cache.py: a plugin, and so an audience rule, switched off);
#   - today's date in the site's time zone (age groups change with birthdays at midnight);
#   - a digest of the email address and AUDIENCE_STAFF_DOMAINS (the staff-domain rule).
# Versions are replaced after the commit, and read before the tables, so an answer computed from
# old rows can only be stored under an old stamp. Entries also expire after FACTS_SECONDS, for
# rules of other plugins that read data of their own. Without a shared cache (no REDIS_URL)
# processes cannot tell each other of changes: the answer is computed on every request.

CACHE_PREFIX = "lms-audience"
GLOBAL_KEY = f"{CACHE_PREFIX}:v"
#: Entries live an hour at most: a change this plugin cannot see shows within the hour.
FACTS_SECONDS = 3600
#: A commit that changes more users than this replaces the global version instead.
BUMP_USERS_MAX = 200
_PENDING = "lms_audience_changed"
FACTS_MEMO = "lms_audience_facts"


def _user_key(user_id: int) -> str:
    return f"{CACHE_PREFIX}:v:{user_id}"


def _facts_key(user_id: int) -> str:
    return f"{CACHE_PREFIX}:facts:{user_id}"


def cache_keys(user_id: int) -> list[str]:
    """The shared-cache keys :func:`facts` reads for this user (besides the site token)."""
    return [GLOBAL_KEY, _user_key(user_id), _facts_key(user_id)]


def compute_facts(user: Any) -> dict[str, Any]:
    """``{"classes", "groups", "age"}`` for ``user`` from the database (no cache)."""
    from lms_audience.rules import age_on, explain, profile_of, today_local

    today = today_local()
    profile = profile_of(user)
    groups = sorted(explain(user, profile, today))
    birth = profile.birth_date if profile is not None else None
    own = values_of(own_prefs(user.id))
    values = dict(own)
    if not all(v is not None for v in own.values()):
        for _code, variant in group_variants(groups):
            for f, v in values_of(variant).items():
                if values[f] is None and v is not None:
                    values[f] = v
    return {
        "classes": classes_for(values),
        "groups": groups,
        "age": age_on(birth, today) if birth is not None else None,
    }


def _stamp(user: Any, versions: list[Any]) -> tuple:
    from lms_audience.rules import staff_domains, today_local

    email = (getattr(user, "email", None) or "").lower()
    digest = hashlib.sha256(f"{email}|{','.join(staff_domains())}".encode()).hexdigest()[:16]
    return (*[v or "0" for v in versions], today_local().isoformat(), digest)


def facts(user: Any) -> dict[str, Any]:
    """The body classes, groups (sorted codes) and age of a signed-in ``user``: once per
    request, from the shared cache while nothing they depend on changed. Read-only."""
    if has_request_context():
        memo = g.setdefault(FACTS_MEMO, {})
        if user.id in memo:
            return memo[user.id]
    backend = shared_backend()
    result = None
    if backend is not None:
        from lms.site_cache import TOKEN_KEY

        try:
            *versions, entry = backend.get_many(TOKEN_KEY, *cache_keys(user.id))
        except Exception:  # the cache is down: compute, as without one
            log.warning("audience: the shared cache cannot be read", exc_info=True)
            backend = None
        else:
            stamp = _stamp(user, versions)
            if isinstance(entry, dict) and entry.get("stamp") == stamp:
                result = entry["facts"]
    if result is None:
        result = compute_facts(user)
        if backend is not None:
            try:
                backend.set(
                    _facts_key(user.id), {"stamp": stamp, "facts": result}, timeout=FACTS_SECONDS
                )
            except Exception:
                log.warning("audience: the shared cache cannot be written", exc_info=True)
    if has_request_context():
        memo[user.id] = result
    return result


def _note_changes(session: Any, changed: Any) -> None:
    pending = session.info.setdefault(_PENDING, set())
    for obj in changed:
        if isinstance(obj, _PER_USER):
            # read without loading: no SQL inside a flush; unknown user: every user
            pending.add(sa_inspect(obj).dict.get("user_id") or "*")
        elif isinstance(obj, _GLOBAL):
            pending.add("*")


def _after_flush(session: Any, flush_context: Any) -> None:
    _note_changes(session, [*session.new, *session.dirty, *session.deleted])


def _on_execute(state: Any) -> None:
    """Bulk ``insert``/``update``/``delete`` through the session: every user may be changed."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table in _WATCHED_TABLES:
            state.session.info.setdefault(_PENDING, set()).add("*")


def _after_commit(session: Any) -> None:
    from lms_audience.rules import ACTIVE_MEMO

    pending = session.info.pop(_PENDING, None)
    if has_app_context():  # the request's own copies: the groups are expired objects now
        g.pop(ACTIVE_MEMO, None)
        if pending:
            g.pop(FACTS_MEMO, None)
    if pending:
        bump(pending)


def bump(changed: Any) -> None:
    """Replace the versions of the users ``changed`` (ids; ``"*"``: every user). Called after
    commits by the session events; call it after writing these tables some other way."""
    if not has_app_context():
        log.warning("audience: a change outside an app context is not seen by the cache")
        return
    backend = shared_backend()
    if backend is None:
        return
    changed = set(changed)
    try:
        if "*" in changed or len(changed) > BUMP_USERS_MAX:
            backend.set(GLOBAL_KEY, uuid.uuid4().hex, timeout=0)
        else:
            backend.set_many({_user_key(u): uuid.uuid4().hex for u in changed}, timeout=0)
    except Exception:
        log.error("audience: could not tell the other processes of a change", exc_info=True)


_PER_USER = (Prefs, Profile, ProfileGroup, OrgMember)
_GLOBAL = (AudienceGroup, GroupVariant, Organisation, OrgGroup)
_WATCHED_TABLES = {m.__tablename__ for m in (*_PER_USER, *_GLOBAL)}

for _name, _fn in (
    ("after_flush", _after_flush),
    ("do_orm_execute", _on_execute),
    ("after_commit", _after_commit),
):
    if not event.contains(Session, _name, _fn):
        event.listen(Session, _name, _fn)


def save(user_id: int, values: dict[str, Any]) -> Prefs:
    """Store the learner's own preferences (``None``: as for my group); the caller commits."""
    row = own_prefs(user_id)
    if row is None:
        row = Prefs(user_id=user_id)
        db.session.add(row)
    for f in FIELDS:
        setattr(row, f, values.get(f))
    db.session.flush()
    return row
