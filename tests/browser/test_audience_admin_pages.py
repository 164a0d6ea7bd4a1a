"""The audience admin pages (groups, organisations, why-page) and the home page's
recommendations pass axe-core at 360 px in Thai and English, fit the width, and the reorder
buttons work from the keyboard."""

from __future__ import annotations

from datetime import date

import pytest

from lms.auth.services import create_user
from lms.extensions import db
from tests.browser.axe import AXE_JS, axe_available, describe, run_axe
from tests.browser.helpers import assert_fits, log_in, new_page, set_language, shot
from tests.conftest import require

pytestmark = pytest.mark.browser

ADMIN = ("admin@example.com", "demo-admin-2569")
PASSWORD = "somsri-password-2569"


@pytest.fixture(scope="module")
def data(shared_live_server) -> dict:
    """An organisation with a member, and a learner who gets a recommendation."""
    from lms_audience import services
    from lms_audience.models import Profile
    from lms_audience.models_org import Organisation, OrgGroup, OrgMember

    from lms.courses import catalog_query

    with shared_live_server.app.app_context():
        learner = create_user("สมศรี ใจดี", "somsri@example.com", PASSWORD, consent=True)
        db.session.add(Profile(user_id=learner.id, birth_date=date(1955, 1, 1), district="5007"))
        org = Organisation(name="โรงเรียนบ้านแม่ริม", groups=[OrgGroup(group_code="youth")])
        db.session.add(org)
        db.session.flush()
        db.session.add(OrgMember(org_id=org.id, user_id=learner.id, note="ป.5/2"))
        course = db.session.scalars(catalog_query()).first()
        services.save_target(course, ["elderly"], None, None, False)
        db.session.commit()
        ids = {"org": org.id, "learner": learner.id}
        db.session.remove()
    return ids


@pytest.fixture
def axe_js():
    require(axe_available(), f"axe-core not found at {AXE_JS} (make install puts it there)")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_admin_pages_pass_axe_at_360(browser, shared_live_server, data, axe_js, screenshots, lang):
    page = new_page(browser, shared_live_server.url, width=360)
    log_in(page, *ADMIN)
    set_language(page, lang)
    paths = (
        "/audience/admin/groups",
        "/audience/admin/groups/youth",
        "/audience/admin/groups/new",
        "/audience/admin/orgs",
        f"/audience/admin/orgs/{data['org']}",
        "/audience/admin/orgs/new",
        "/audience/admin/users?email=nobody@example.com",
        f"/audience/admin/users/{data['learner']}",
    )
    for path in paths:
        page.goto(path)
        violations = run_axe(page)
        assert violations == [], f"{path} ({lang}):\n{describe(violations)}"
        assert_fits(page, 360)
        shot(page, screenshots, f"audience-admin-{lang}-{path}")
    # an error beside its field, still accessible
    page.goto("/audience/admin/groups/new")
    page.fill("#code", "Bad Code!")
    with page.expect_navigation():
        page.click("form:has(#code) button[type=submit]")
    assert page.locator("#code-error").is_visible()
    assert page.locator("#code").get_attribute("aria-invalid") == "true"
    assert run_axe(page) == []
    page.context.close()


def test_reorder_with_the_keyboard(browser, shared_live_server, data):
    page = new_page(browser, shared_live_server.url, width=360)
    log_in(page, *ADMIN)
    set_language(page, "en")
    page.goto("/audience/admin/groups")
    first = page.locator("ol.audience-groups > li").first.get_attribute("id")
    assert first == "group-early_childhood"
    page.get_by_role("button", name="Move Early childhood down").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    ids = page.locator("ol.audience-groups > li").evaluate_all("els => els.map(e => e.id)")
    assert ids[:2] == ["group-youth", first]
    page.get_by_role("button", name="Move Early childhood up").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    ids = page.locator("ol.audience-groups > li").evaluate_all("els => els.map(e => e.id)")
    assert ids[:2] == [first, "group-youth"]
    page.context.close()


@pytest.mark.parametrize("lang", ["th", "en"])
def test_home_recommendations_pass_axe_at_360(
    browser, shared_live_server, data, axe_js, screenshots, lang
):
    page = new_page(browser, shared_live_server.url, width=360)
    log_in(page, "somsri@example.com", PASSWORD)
    set_language(page, lang)
    page.goto("/")
    assert page.locator(".audience-recommended .course-card").count() >= 1
    violations = run_axe(page)
    assert violations == [], f"/ ({lang}):\n{describe(violations)}"
    assert_fits(page, 360)
    shot(page, screenshots, f"audience-recommended-{lang}")
    page.context.close()
