"""A site made by ``lms bench generate --size XS`` in a SQLite file, for the tests that run
bench/ code on it (that code opens the database by its URL, so the file has to be a real one)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from lms.extensions import db
from lms.models import Activity, Enrolment


def generate_xs(make_app, tmp_path: Path) -> tuple[Flask, str]:
    """An app on a new SQLite file holding the XS site, and that file's database URL."""
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    app = make_app(DATABASE_URL=url)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["bench", "generate", "--size", "XS"])
        assert result.exit_code == 0, result.output
    return app, url


def learners_lessons(user_id: int, n: int) -> list[int]:
    """The first ``n`` text lessons of the courses a learner is enrolled in (in an app
    context)."""
    courses = select(Enrolment.course_id).where(
        Enrolment.user_id == user_id, Enrolment.role == "learner"
    )
    return list(
        db.session.scalars(
            select(Activity.id)
            .where(Activity.course_id.in_(courses), Activity.content_type == "page")
            .order_by(Activity.id)
            .limit(n)
        )
    )
