"""The migrations (core and each plugin's branch) build the same schema as the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from lms import create_app
from lms.extensions import db
from tests.conftest import app_config


def test_upgrade_heads_from_empty_matches_models(tmp_path):
    app = create_app(app_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/m.db"))
    with app.app_context():
        upgrade(revision="heads")
        tables = set(inspect(db.engine).get_table_names())
        assert {
            "user",
            "course",
            "activity",
            "enrolment",
            "lms_page_page",
            "alembic_version",
        } <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []
        db.engine.dispose()


def test_lms_init_and_demo_commands(tmp_path):
    app = create_app(app_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/cli.db"))
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["init", "--admin-email", "root@example.com", "--admin-password", "a long password"]
    )
    assert result.exit_code == 0, result.output
    assert "Administrator root@example.com created" in result.output
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "learner@example.com" in result.output
    again = runner.invoke(args=["demo"])  # idempotent
    assert again.exit_code == 0
    with app.app_context():
        from lms.models import Course

        assert db.session.scalar(db.select(db.func.count(Course.id))) == 3
    result = runner.invoke(args=["plugins", "list"])
    assert "lms_page" in result.output and "enabled" in result.output
    with app.app_context():
        db.engine.dispose()


def test_init_refuses_short_admin_password(tmp_path):
    app = create_app(app_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/s.db"))
    result = app.test_cli_runner().invoke(
        args=["init", "--admin-email", "a@example.com", "--admin-password", "x"]
    )
    assert result.exit_code != 0
    with app.app_context():
        db.engine.dispose()
