"""The ``lms`` command: a Flask CLI group with the LMS's own commands.

``lms init``, ``lms demo``, ``lms run`` (Flask's), ``lms plugins list``; plugins add theirs
through ``lms_load_cli``.
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from lms.extensions import db


def _create_app():
    from lms import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Manage the LMS: set up the database, load demo data, serve the site, list plugins."""


def init_database() -> None:
    """Create or upgrade every table: the core's migrations and each plugin's branch."""
    from flask_migrate import upgrade

    upgrade(revision="heads")


@click.command("init")
@click.option("--admin-email", help="Email of the administrator to create.")
@click.option("--admin-password", help="Password of the administrator to create.")
@click.option("--admin-name", default="Administrator", show_default=True)
@with_appcontext
def init_command(admin_email: str | None, admin_password: str | None, admin_name: str) -> None:
    """Create or upgrade the database, and create the first administrator."""
    from lms.auth.services import AccountError, create_user, find_by_email

    init_database()
    click.echo("Database is up to date.")
    if not admin_email and sys.stdin.isatty():
        admin_email = click.prompt(
            "Administrator email (empty to skip)", default="", show_default=False
        )
    if not admin_email:
        return
    user = find_by_email(admin_email)
    if user is not None:
        user.add_role("admin")
        db.session.commit()
        click.echo(f"{admin_email} is an administrator.")
        return
    if not admin_password:
        if not sys.stdin.isatty():
            raise click.UsageError("--admin-password is required when not run in a terminal")
        admin_password = click.prompt(
            "Administrator password", hide_input=True, confirmation_prompt=True
        )
    min_length = int(current_app.config.get("PASSWORD_MIN_LENGTH", 8))
    if len(admin_password) < min_length:
        raise click.BadParameter(
            f"use at least {min_length} characters", param_hint="--admin-password"
        )
    try:
        create_user(
            admin_name, admin_email, admin_password, roles=("admin", "educator"), consent=True
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Administrator {admin_email} created.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo courses in Thai and English and a user of each role; print the logins."""
    from lms.demo import load_demo

    logins = load_demo()
    click.echo("Demo logins (email / password):")
    for role, email, password in logins:
        click.echo(f"  {role:<18} {email:<28} {password}")


@click.group("plugins")
def plugins_group() -> None:
    """Inspect the plugins this site found."""


@plugins_group.command("list")
@with_appcontext
def plugins_list() -> None:
    """Every discovered plugin, its version, state and the hooks it implements."""
    state = current_app.extensions["lms"]
    disabled = state.disabled_now()
    for info in sorted(state.plugins.infos.values(), key=lambda i: i.name):
        if info.errors:
            status = "error"
        elif info.disabled_by_config or info.name in disabled:
            status = "disabled"
        else:
            status = "enabled"
        click.echo(f"{info.name:<24} {info.version or '-':<10} {status:<9} {', '.join(info.hooks)}")
        for err in info.errors:
            click.echo(f"    ! {err}")
        for warning in info.warnings:
            click.echo(f"    ? {warning}")


def init_app(app) -> None:
    """Add the core commands to the application's command group (``lms ...``)."""
    for command in (init_command, demo_command, plugins_group):
        app.cli.add_command(command)
    from lms.plugin_admin import add_commands as add_plugin_commands  # install, remove, new ...

    add_plugin_commands(plugins_group)
    from lms.packages import register_cli as register_course_cli

    register_course_cli(app)
    from lms.benchmark import register_cli as register_bench_cli

    register_bench_cli(app)
    from lms.tasks import init_cli as register_celery_cli

    register_celery_cli(app)
    from lms.theme_cli import themes_group  # lms themes list | new | check

    app.cli.add_command(themes_group)
