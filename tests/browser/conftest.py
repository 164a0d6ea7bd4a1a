"""A live LMS server with the demo data, and Debian's chromium driven by Playwright.

Both skip without their tools (Playwright, /usr/bin/chromium, axe-core) except under
``CI=true``, where a missing tool fails the run (``tests.conftest.require``).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from lms import create_app
from lms.extensions import db
from tests.conftest import app_config, require

CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@dataclass
class LiveServer:
    app: Flask
    url: str
    server: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def start_live_server(folder: Path) -> LiveServer:
    """Serve a fresh LMS on 127.0.0.1 (a free port): a SQLite file migrated to every head, with
    the demo users and courses. CSRF is on, as in production."""
    from flask_migrate import upgrade

    from lms.demo import load_demo

    config = app_config(
        folder,
        DATABASE_URL=f"sqlite:///{folder}/live.db",
        TESTING=False,
        WTF_CSRF_ENABLED=True,
        SERVER_NAME=None,
    )
    app = create_app(config)
    with app.app_context():
        upgrade(revision="heads")
        load_demo()
        db.session.remove()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="lms-live-server", daemon=True)
    thread.start()
    return LiveServer(app, f"http://127.0.0.1:{server.server_port}", server, thread)


@pytest.fixture
def live_server(tmp_path) -> Iterator[LiveServer]:
    """A live server of its own for one test (tests that change data)."""
    server = start_live_server(tmp_path)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """One live server for a whole module of tests that only read (or add their own users)."""
    server = start_live_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright's sync API, one per test session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        sync_playwright = None
    require(sync_playwright is not None, "Playwright for Python is not installed")
    found = Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None
    require(found, f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshots(tmp_path) -> list[Path]:
    """Folders screenshots go to: the test's tmp_path, and $LMS_SCREENSHOTS when set."""
    folders = [tmp_path / "screenshots"]
    if os.environ.get("LMS_SCREENSHOTS"):
        folders.append(Path(os.environ["LMS_SCREENSHOTS"]))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders
