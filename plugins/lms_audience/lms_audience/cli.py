"""``lms audience list`` and ``lms audience import FILE.csv``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.extensions import db


@click.group("audience")
def audience_group() -> None:
    """Audience groups: member counts and bulk enrolment by CSV."""


@audience_group.command("list")
@with_appcontext
def list_command() -> None:
    """Print each audience group with its member count (by the rules, today)."""
    from lms_audience.services import member_counts

    for group, count in member_counts():
        retired = " (retired)" if group.retired else ""
        click.echo(f"{group.code}\t{count}\t{group.name_en} / {group.name_th}{retired}")


@audience_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(file: str) -> None:
    """Enrol learners from FILE (columns email,name,course_id,group[,organisation]).
    All rows or none."""
    from lms_audience.importer import ImportErrors, import_csv

    try:
        text = Path(file).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException("the file is not UTF-8 text") from exc
    try:
        result = import_csv(text)
    except ImportErrors as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(exc.errors)} error(s): nothing imported") from exc
    db.session.commit()
    click.echo(
        f"rows: {result.rows}, accounts created: {result.users_created}, "
        f"enrolments: {result.enrolments}, groups added: {result.groups_added}"
        + (f", memberships added: {result.memberships}" if result.memberships else "")
    )
