"""``lms quiz import``, ``lms quiz export`` and ``lms quiz close-overdue``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.extensions import db
from lms.models import Course


@click.group("quiz")
def quiz_group() -> None:
    """Quizzes: import and export question banks (GIFT or Moodle XML), close overdue attempts."""


def _format(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    return "xml" if path.lower().endswith(".xml") else "gift"


@quiz_group.command("import")
@click.argument("course_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["gift", "xml"]), default=None)
@click.option("--category", default=None, help="Put every question in this category.")
@with_appcontext
def import_command(course_id: int, file: str, fmt: str | None, category: str | None) -> None:
    """Import FILE into the question bank of COURSE_ID. Nothing is imported on any error."""
    from lms_quiz.bank import import_text
    from lms_quiz.gift import ImportErrors

    if db.session.get(Course, course_id) is None:
        raise click.ClickException(f"no course {course_id}")
    try:
        counts = import_text(course_id, Path(file).read_bytes(), _format(file, fmt), category)
    except ImportErrors as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(exc.errors)} error(s): nothing imported") from exc
    db.session.commit()
    for qtype, n in sorted(counts.items()):
        click.echo(f"{qtype}: {n}")
    click.echo(f"total: {sum(counts.values())}")


@quiz_group.command("export")
@click.argument("course_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--format", "fmt", type=click.Choice(["gift", "xml"]), default=None)
@with_appcontext
def export_command(course_id: int, file: str, fmt: str | None) -> None:
    """Write the question bank of COURSE_ID to FILE."""
    from lms_quiz.bank import export_text

    if db.session.get(Course, course_id) is None:
        raise click.ClickException(f"no course {course_id}")
    try:
        text = export_text(course_id, _format(file, fmt))
    except ValueError as exc:  # a question type that cannot be written in this format
        raise click.ClickException(str(exc)) from exc
    Path(file).write_text(text, encoding="utf-8")
    click.echo(f"wrote {file}")


@quiz_group.command("close-overdue")
@with_appcontext
def close_overdue_command() -> None:
    """Apply each quiz's overdue rule to attempts still open after deadline + grace
    (what the periodic task lms_quiz.close_overdue does; safe to run at any time)."""
    from lms_quiz.attempts import close_overdue

    counts = close_overdue()
    click.echo(
        f"closed {sum(counts.values())} overdue attempts: {counts['graded']} graded, "
        f"{counts['submitted']} waiting for a teacher, {counts['abandoned']} not counted"
    )
