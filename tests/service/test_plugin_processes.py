"""Switching a plugin off reaches every process on its next request, without a restart.

Two separate servers share one database: ``lms run`` and gunicorn with two workers (three
processes). An admin switches a plugin off through the first; the second stops serving it
on the next request, and serves it again once it is switched back on. Runs on a SQLite file,
and on PostgreSQL when it is reachable (a service test).
"""

import os
import sys

import pytest

from tests.plugin_web import REPO, Browser, Server, lms

ADMIN, PASSWORD = "admin@example.com", "a long admin password"


def run_two_processes(tmp_path, database_url: str) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO),
        "LMS_DATABASE_URL": database_url,
        "LMS_SECRET_KEY": "two-processes",
        "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
        "LMS_REDIS_URL": "",
        "LMS_EXTRA_PLUGINS": "good=tests.plugins.good",
    }
    lms(sys.executable, env, "init", "--admin-email", ADMIN, "--admin-password", PASSWORD)
    first = Server(sys.executable, env, tmp_path / "first.log")
    try:
        second = Server(sys.executable, env, tmp_path / "second.log", gunicorn_workers=2)
    except BaseException:
        first.stop()
        raise
    try:
        admin, visitor = Browser(first.url), Browser(second.url)
        for _ in range(4):  # whichever worker answers
            assert visitor.get("/good") == 200
            assert visitor.text == "good plugin says hello"
        assert visitor.get("/") == 200 and "Good plugin" in visitor.text

        admin.login(ADMIN, PASSWORD)
        assert admin.submit("/admin/plugins/good/switch?enable=0", "/switch") == 200
        assert "good is switched off for the site" in admin.text

        for _ in range(4):  # the very next requests, on every worker of the other server
            assert visitor.get("/good") == 404
        assert visitor.get("/") == 200 and "Good plugin" not in visitor.text

        assert admin.submit("/admin/plugins/good/switch?enable=1", "/switch") == 200
        for _ in range(4):
            assert visitor.get("/good") == 200
    finally:
        first.stop()
        second.stop()


def test_switching_off_reaches_another_process_sqlite(tmp_path):
    run_two_processes(tmp_path, f"sqlite:///{tmp_path}/shared.db")


@pytest.mark.service
def test_switching_off_reaches_another_process_postgresql(tmp_path, empty_pg_database):
    run_two_processes(tmp_path, empty_pg_database)
