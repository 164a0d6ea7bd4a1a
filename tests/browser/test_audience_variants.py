"""The elderly interface variant (large text, high contrast, simple navigation) passes axe-core
at 360 px on the home page and the catalog, in Thai and English; so do the guardian's and the
child's pages (picture tiles)."""

from __future__ import annotations

from datetime import date

import pytest

from lms.auth.services import create_user
from lms.extensions import db
from tests.browser.axe import AXE_JS, axe_available, describe, run_axe
from tests.browser.helpers import assert_fits, log_in, new_page, set_language, shot
from tests.conftest import require

pytestmark = pytest.mark.browser

PASSWORD = "grandma-password-2569"


@pytest.fixture(scope="module")
def grandma(shared_live_server) -> str:
    """An elderly learner (born 1950): the elderly group's variant applies to her."""
    from lms_audience.models import Profile

    with shared_live_server.app.app_context():
        user = create_user("คุณยายบัวคำ", "buakham@example.com", PASSWORD, consent=True)
        db.session.add(Profile(user_id=user.id, birth_date=date(1950, 4, 13), district=""))
        db.session.commit()
        db.session.remove()
    return "buakham@example.com"


@pytest.fixture
def axe_js():
    require(axe_available(), f"axe-core not found at {AXE_JS} (make install puts it there)")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_elderly_variant_passes_axe_at_360(
    browser, shared_live_server, grandma, axe_js, screenshots, lang
):
    page = new_page(browser, shared_live_server.url, width=360)
    log_in(page, grandma, PASSWORD)
    set_language(page, lang)
    for path in ("/", "/courses", "/audience/preferences", "/audience/children/new"):
        page.goto(path)
        classes = page.locator("body").get_attribute("class") or ""
        for cls in ("a11y-text-larger", "a11y-contrast", "a11y-simple"):
            assert cls in classes, (path, classes)
        font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 22, (path, font)  # 137.5 % of the theme's 17 px
        violations = run_axe(page)
        assert violations == [], f"{path} ({lang}):\n{describe(violations)}"
        assert_fits(page, 360)
        shot(page, screenshots, f"elderly-{lang}-{path}")
    page.context.close()


def test_child_sign_in_page_passes_axe_at_360(browser, shared_live_server, axe_js, screenshots):
    page = new_page(browser, shared_live_server.url, width=360)
    page.goto("/audience/child-login")
    page.get_by_label("แมว").first.check()  # a picture tile works with its label
    assert page.get_by_role("radio", name="พระจันทร์").count() == 3  # named, in each choice
    # The pictures are SVG drawings (emoji differ between phones), every one loaded, big.
    pictures = page.locator(".picture-tiles img.pic")
    assert pictures.count() == 3 * 12
    sizes = pictures.evaluate_all(
        "imgs => imgs.map(i => [i.complete && i.naturalWidth > 0, i.getBoundingClientRect().width])"
    )
    assert all(loaded and width >= 48 for loaded, width in sizes), sizes
    for tile in page.locator(".picture-tiles label.tile").all()[:12]:
        assert tile.bounding_box()["height"] >= 48
    violations = run_axe(page)
    assert violations == [], describe(violations)
    assert_fits(page, 360)
    shot(page, screenshots, "child-login")
    page.context.close()
