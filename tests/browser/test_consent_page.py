"""The "privacy notice has changed" page in a real browser at 360 px: someone who agreed to an
older version lands on it after logging in, it passes axe-core, and agreeing takes them where
they were going."""

from __future__ import annotations

import pytest

from lms.auth.services import create_user
from lms.extensions import db
from tests.browser.axe import AXE_JS, axe_available, describe, run_axe
from tests.browser.helpers import assert_fits, log_in, new_page, shot
from tests.conftest import require

pytestmark = pytest.mark.browser

PASSWORD = "consent-again-2569"


@pytest.fixture
def axe_js():
    require(axe_available(), f"axe-core not found at {AXE_JS} (make install puts it there)")


def test_an_old_consent_is_asked_again_and_the_page_is_accessible(
    browser, shared_live_server, axe_js, screenshots
):
    with shared_live_server.app.app_context():
        user = create_user("คุณสมศรี", "old-consent@example.com", PASSWORD, consent=True)
        user.consent_version = "0"  # agreed to a notice the site has since replaced
        db.session.commit()
        db.session.remove()
    page = new_page(browser, shared_live_server.url, width=360)
    log_in(page, "old-consent@example.com", PASSWORD)
    assert "/privacy/consent" in page.url, page.url
    assert page.get_by_role("heading", name="ประกาศความเป็นส่วนตัวมีการเปลี่ยนแปลง").count() == 1
    violations = run_axe(page)
    assert violations == [], describe(violations)
    assert_fits(page, 360)
    shot(page, screenshots, "consent-again-360")
    page.get_by_role("button", name="ยินยอมและไปต่อ").click()  # without the tick: refused
    page.wait_for_load_state()
    assert "/privacy/consent" in page.url
    assert page.locator(".error").count() > 0
    assert run_axe(page) == []  # the error state too
    page.get_by_label("ฉันได้อ่านประกาศความเป็นส่วนตัวฉบับใหม่แล้ว", exact=False).check()
    page.get_by_role("button", name="ยินยอมและไปต่อ").click()
    page.wait_for_load_state()
    assert "/privacy/consent" not in page.url, page.url
    with shared_live_server.app.app_context():
        from lms.auth.services import find_by_email

        assert find_by_email("old-consent@example.com").consent_version == "1"
        db.session.remove()
    page.context.close()
