"""The bare baseline (bench/bare_app.py, issue 10) shows the page the LMS shows: the same
lesson, words, navigation, body classes and forms, for Thai and English learners, with and
without accessibility variants and unread notifications. Only the CSRF tokens' values differ
(each app signs its own) and the whitespace between tags (each template lays it out its own
way). Otherwise ``make bench`` would compare the LMS with a page that does less."""

from __future__ import annotations

import re

from lms_audience import prefs
from lms_audience.bench import sign_in_form
from lms_audience.guardians import is_child
from lms_audience.models import Profile
from lms_audience.models_personal import ChildLogin
from lms_notify_inapp.models import InappMessage
from sqlalchemy import select

from lms.extensions import db
from lms.models import Enrolment, User
from tests.unit.bench_site import generate_xs, learners_lessons


def _normalised(html: str) -> str:
    """The page with CSRF token values blanked and whitespace between tags removed."""
    html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html)
    html = re.sub(r'(value=")[^"]*("[^>]*name="csrf_token")', r"\1\2", html)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def test_the_bare_baseline_shows_the_lms_page_word_for_word(make_app, tmp_path, monkeypatch):
    app, url = generate_xs(make_app, tmp_path)
    with app.app_context():
        learners = list(
            db.session.scalars(
                select(User)
                .join(Enrolment, Enrolment.user_id == User.id)
                .where(Enrolment.role == "learner")
                .group_by(User.id)
                .order_by(User.id)
            )
        )
        thai = next(u for u in learners if u.locale == "th")
        english = next(u for u in learners if u.locale == "en")
        others = [u for u in learners if u.id not in (thai.id, english.id)]
        prefs.seed_variants()  # as `lms init` does: children's and the elderly's interface
        # One learner sets their own preferences; another has two unread messages.
        own = others[0]
        prefs.save(own.id, {"text_size": "larger", "high_contrast": True})
        bell = others[1]
        for n in range(2):
            db.session.add(
                InappMessage(key=f"k{n}", user_id=bell.id, event="test", subject=f"s{n}")
            )
        db.session.commit()
        # And the first learners the generator made 60 or older (the elderly group's variant).
        old = [
            u
            for u in others[2:]
            if (p := db.session.get(Profile, u.id)) and p.birth_date and p.birth_date.year < 1960
        ]
        assert old, "the XS site has learners over 60"
        # And a child, who signs in with the child login (no password).
        kid = next(u for u in others[2:] if is_child(u))
        rest = [u for u in others[2:] if u not in (*old[:2], kid)]
        chosen = [thai, english, own, bell, *old[:2], kid, *rest[:3]]
        pages = {u.id: (u.email, learners_lessons(u.id, 4)) for u in chosen}
        assert len(pages) == 10
        child_logins = dict(
            db.session.execute(select(ChildLogin.user_id, ChildLogin.login_name)).all()
        )

    monkeypatch.setenv("LMS_DATABASE_URL", url)
    monkeypatch.setenv("LMS_SECRET_KEY", "bare-test")
    from bench import bare_app

    bare = bare_app.create_app()
    seen_classes: set[str] = set()
    compared = 0
    for user_id, (email, lessons) in pages.items():
        assert lessons, email
        lms_client = app.test_client()
        path, form = sign_in_form(email, child_logins.get(user_id))
        logged_in = lms_client.post(path, data=form)
        assert logged_in.status_code == 302, email
        bare_client = bare.test_client()
        with bare_client.session_transaction() as session:
            session["_user_id"] = str(user_id)
        for activity_id in lessons:
            theirs = lms_client.get(f"/activity/{activity_id}")
            ours = bare_client.get(f"/activity/{activity_id}")
            assert theirs.status_code == ours.status_code == 200
            lms_page = _normalised(theirs.get_data(as_text=True))
            assert _normalised(ours.get_data(as_text=True)) == lms_page, (email, activity_id)
            seen_classes.update(re.search(r'<body class="([^"]*)"', lms_page).group(1).split())
            compared += 1
            if user_id == english.id:
                assert 'lang="en"' in lms_page and "Log out" in lms_page
            if user_id == thai.id:
                assert "ออกจากระบบ" in lms_page
            if user_id == kid.id:  # the young children's variant
                assert "a11y-" in re.search(r'<body class="([^"]*)"', lms_page).group(1)
            if user_id == bell.id:
                assert re.search(r'href="/notify/inbox/">[^<]*2[^<]*<', lms_page)
    assert compared == sum(len(lessons) for _e, lessons in pages.values())
    # The learner's own choice, and group variants (children, the elderly) for others.
    assert {"a11y-text-larger", "a11y-contrast", "a11y-simple"} <= seen_classes
