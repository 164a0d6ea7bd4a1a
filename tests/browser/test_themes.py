"""Each shipped theme in a real browser: screenshots at 360 and 1280 px, no horizontal
scrolling, axe-core with zero WCAG A/AA violations; the admin's theme pages too.

``LMS_UPDATE_THEME_SCREENSHOTS=1`` also writes each theme's 360 px home page to
``themes/<name>/screenshot.png`` (the picture the admin gallery shows).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lms import theme_settings as ts
from lms.demo import DEMO_USERS
from lms.extensions import db
from tests.browser.axe import AXE_JS, axe_available, describe, run_axe
from tests.browser.helpers import assert_fits, log_in, new_page, shot
from tests.conftest import require

pytestmark = pytest.mark.browser

THEMES_DIR = Path(__file__).resolve().parents[2] / "themes"
SHIPPED = ["default", "high_contrast", "provincial"]
DEMO = {role: (email, password) for role, _name, email, password, _roles in DEMO_USERS}
PAGES = ["/", "/courses", "/login", "/signup"]


def activate(server, name: str) -> None:
    with server.app.app_context():
        ts.put(ts.CORE, ts.ACTIVE, name)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def axe_js():
    require(axe_available(), f"axe-core not found at {AXE_JS} (make install puts it there)")


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("theme", SHIPPED)
def test_shipped_theme_renders_fits_and_passes_axe(
    browser, shared_live_server, axe_js, screenshots, theme, width
):
    activate(shared_live_server, theme)
    page = new_page(browser, shared_live_server.url, width=width, height=800)
    problems = {}
    try:
        for path in PAGES:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            assert_fits(page, width)
            violations = run_axe(page)
            if violations:
                problems[path] = describe(violations)
        page.goto("/")
        stylesheets = page.evaluate("[...document.styleSheets].map(s => s.href || '')")
        if theme == "high_contrast":
            assert any("/themes/high_contrast/static/theme.css" in s for s in stylesheets)
            size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert size >= 22, "large text: at least 22 px"
        elif theme == "provincial":
            assert any("/themes/provincial/static/provincial.css" in s for s in stylesheets)
            assert page.locator(".org-footer address").is_visible()
            logo = page.locator("img.brand-logo")
            assert logo.is_visible() and logo.evaluate("i => i.naturalWidth") > 0
        else:
            assert any("/themes/default/static/theme.css" in s for s in stylesheets)
        shot(page, screenshots, f"theme-{theme}-{width}")
        if width == 360 and os.environ.get("LMS_UPDATE_THEME_SCREENSHOTS") == "1":
            (THEMES_DIR / theme / "screenshot.png").write_bytes(page.screenshot())
    finally:
        page.context.close()
        activate(shared_live_server, "default")
    report = "\n".join(f"{path}:\n{text}" for path, text in problems.items())
    assert not problems, f"axe found WCAG problems in {theme} at {width}px:\n{report}"


@pytest.mark.parametrize("width", [360, 1280])
def test_admin_gallery_settings_and_preview_banner_pass_axe(
    browser, shared_live_server, axe_js, screenshots, width
):
    page = new_page(browser, shared_live_server.url, width=width, height=800)
    problems = {}
    try:
        log_in(page, *DEMO["admin"])
        for path in ("/admin/themes", "/admin/themes/provincial/settings"):
            assert page.goto(path).status == 200
            assert_fits(page, width)
            if violations := run_axe(page):
                problems[path] = describe(violations)
        page.goto("/admin/themes")
        shot(page, screenshots, f"theme-gallery-{width}")
        page.locator("#theme-high_contrast form[action$='/preview'] button").click()
        page.wait_for_load_state()
        banner = page.locator(".theme-preview-banner")
        assert banner.is_visible()
        assert_fits(page, width)
        if violations := run_axe(page):
            problems["preview"] = describe(violations)
        shot(page, screenshots, f"theme-preview-{width}")
        banner.locator("form[action$='/preview/stop'] button").click()
        page.wait_for_load_state()
        assert page.locator(".theme-preview-banner").count() == 0
    finally:
        page.context.close()
    report = "\n".join(f"{path}:\n{text}" for path, text in problems.items())
    assert not problems, f"axe found WCAG problems ({width}px):\n{report}"
