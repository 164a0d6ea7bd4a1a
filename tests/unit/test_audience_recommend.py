"""The home page and "My learning" recommend courses aimed at the learner's groups."""

from __future__ import annotations

import re
from datetime import date

import pytest
from lms_audience import services
from lms_audience.models import Profile, ProfileGroup

from lms.courses import add_enrolment
from lms.extensions import db


@pytest.fixture
def groups(app):
    services.seed_groups()
    db.session.commit()


def recommended(page: str) -> str:
    start = page.index('class="audience-recommended"')
    return page[start : page.index("</section>", start)]


def test_home_recommends_courses_for_the_learners_groups(groups, client, login, f):
    teacher = f.user("educator")
    for_elderly = f.course(teacher, title="Smartphone for grandparents")
    for_youth = f.course(teacher, title="Coding club")
    only_70_plus = f.course(teacher, title="Health after seventy")
    taken = f.course(teacher, title="Herbal garden")
    hidden = f.course(teacher, title="Draft for elderly", published=False)
    services.save_target(for_elderly, ["elderly"], None, None, False)
    services.save_target(for_youth, ["youth"], None, None, False)
    services.save_target(only_70_plus, ["elderly"], 70, None, False)
    services.save_target(taken, ["elderly"], None, None, False)
    services.save_target(hidden, ["elderly"], None, None, False)
    grandmother = f.user()
    db.session.add(Profile(user_id=grandmother.id, birth_date=date(1960, 1, 1), district=""))
    add_enrolment(grandmother, taken, "learner")
    db.session.commit()

    assert "Recommended for you" not in client.get("/").text  # nobody signed in
    page = login(grandmother).get("/").text
    assert "แนะนำสำหรับคุณ" in page and "หลักสูตรสำหรับผู้สูงอายุ" in page
    section = recommended(page)
    assert "Smartphone for grandparents" in section
    assert "Coding club" not in section  # another group
    assert "Health after seventy" not in section  # outside the age range
    assert "Herbal garden" not in section  # already enrolled
    assert "Draft for elderly" not in section  # not published
    assert 'href="/courses?audience=elderly"' in section
    client.get("/lang/en")
    my = client.get("/my").text
    assert "Recommended for you" in my and "Smartphone for grandparents" in my

    pupil = f.user()
    profile = Profile(user_id=pupil.id, district="")
    profile.chosen = [ProfileGroup(group_code="youth"), ProfileGroup(group_code="elderly")]
    db.session.add(profile)
    db.session.commit()
    page = login(pupil).get("/").text
    section = recommended(page)
    assert "Coding club" in section and "Smartphone for grandparents" in section
    assert "Health after seventy" in section  # no birth date: the age range is not applied
    assert "Courses for Youth, Elderly" in section

    nobody = f.user()
    assert "audience-recommended" not in login(nobody).get("/").text  # no group: no section


def test_catalog_pager_keeps_the_audience_filter(make_app):
    app = make_app(CATALOG_PAGE_SIZE=2)
    with app.app_context():
        from tests import factories as f

        services.seed_groups()
        teacher = f.user("educator")
        for i in range(5):
            course = f.course(teacher, title=f"Elderly course {i}", lessons=0)
            services.save_target(course, ["elderly"], None, None, False)
        for i in range(3):
            f.course(teacher, title=f"Other course {i}", lessons=0)
        db.session.commit()
        client = app.test_client()
        client.get("/lang/en")
        page = client.get("/courses?audience=elderly&sort=title").text
        assert "Page 1 of 3" in page
        nxt = re.search(r'<a href="([^"]+)" rel="next">', page).group(1).replace("&amp;", "&")
        assert "audience=elderly" in nxt and "sort=title" in nxt and "page=2" in nxt
        second = client.get(nxt).text
        assert "Page 2 of 3" in second
        assert "Elderly course 2" in second and "Other course" not in second
        prev = re.search(r'<a href="([^"]+)" rel="prev">', second).group(1)
        assert "audience=elderly" in prev
        last = client.get(nxt.replace("page=2", "page=3")).text
        assert "Elderly course 4" in last and "Other course" not in last
