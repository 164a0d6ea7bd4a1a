"""The quiz plugin: question bank, question types (through ``lms_question_types``), timed
attempts that never lose an answer, manual grading, a gradebook, GIFT and Moodle XML."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms_quiz.content import QuizType

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent


def _schedule(app) -> None:
    """Register the overdue sweep with the app's Celery beat schedule
    (every ``QUIZ_CLOSE_OVERDUE_SECONDS``, default 60; 0 switches it off)."""
    celery_app = app.extensions.get("celery")
    seconds = float(app.config.get("QUIZ_CLOSE_OVERDUE_SECONDS", 60))
    if celery_app is None or seconds <= 0:
        return
    celery_app.conf.beat_schedule["lms-quiz-close-overdue"] = {
        "task": "lms_quiz.close_overdue",
        "schedule": seconds,
    }


@hookimpl
def lms_load_models(app):
    from lms_quiz import models, tasks  # noqa: F401

    _schedule(app)


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_static(app):
    return str(HERE / "static")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")


@hookimpl
def lms_load_blueprints(app):
    from lms_quiz.views import bp
    from lms_quiz.views_teach import bp as teach_bp

    return [bp, teach_bp]


@hookimpl
def lms_load_cli(app, group):
    from lms_quiz.cli import quiz_group

    group.add_command(quiz_group)


@hookimpl
def lms_content_types(app):
    return [QuizType()]


@hookimpl
def lms_question_types(app):
    from lms_quiz.qtypes import builtin_types

    return builtin_types()


@hookimpl
def lms_participation_kinds(app):
    return [("quiz_attempt", _l("Quiz attempt"))]


@hookimpl
def lms_user_export(app, user):
    """PDPA access: the person's quiz attempts with their answers and marks."""
    from lms_quiz.personal import export_attempts

    return ("quiz_attempts", export_attempts(user.id))


@hookimpl
def lms_user_erase(app, user):
    """PDPA erasure: free-text answers and comments may hold personal data; marks stay."""
    from lms_quiz.personal import erase_free_text

    erase_free_text(user.id)


@hookimpl
def lms_bench_generate(app, site):
    """Benchmark data: question banks, a quiz per section, graded attempts (see bench.py)."""
    from lms_quiz.bench import generate

    return generate(site)
