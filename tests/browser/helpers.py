"""Small steps the browser tests share: pages at a width, language, log-in, checks, screenshots."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def new_page(browser: Browser, base_url: str, width: int = 360, height: int = 740) -> Page:
    """A page in a fresh browser context (own cookies) at the given viewport."""
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": height}, locale="th-TH"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def set_language(page: Page, code: str) -> None:
    """Switch the site's language with the footer's switch (saved for a logged-in user)."""
    page.goto(f"/lang/{code}?next=/")
    assert page.locator("html").get_attribute("lang") == code


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator("main").inner_text()


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def assert_fits(page: Page, width: int = 360) -> None:
    """No horizontal scrolling: the page is no wider than the viewport."""
    actual = scroll_width(page)
    assert actual <= width, f"{page.url} is {actual}px wide at a {width}px viewport"


def shot(page: Page, folders: list[Path], name: str) -> None:
    """Save a full-page screenshot under ``name`` into each folder."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    data = page.screenshot(full_page=True)
    for folder in folders:
        (folder / f"{safe}.png").write_bytes(data)


def progress_value(page: Page) -> int:
    """The course progress bar's aria-valuenow on the current page."""
    bar = page.get_by_role("progressbar").first
    return int(bar.get_attribute("aria-valuenow"))
