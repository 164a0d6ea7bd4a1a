"""The ``lms plugins ...`` commands that change plugins: enable, disable, migrate, install,
upgrade, remove and new (the logic is in :mod:`lms.lifecycle` and :mod:`lms.scaffold`)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms import lifecycle
from lms.extensions import db


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


@click.command("enable")
@click.argument("name")
@with_appcontext
def enable_command(name: str) -> None:
    """Switch a plugin on for the site (every process sees it on its next request)."""
    lifecycle.set_enabled(name, True)
    db.session.commit()
    click.echo(f"{name} is switched on.")


@click.command("disable")
@click.argument("name")
@with_appcontext
def disable_command(name: str) -> None:
    """Switch a plugin off for the site (its data is kept)."""
    try:
        lifecycle.set_enabled(name, False)
    except lifecycle.LifecycleError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"{name} is switched off.")


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Upgrade the core's and every plugin's migration branch to its newest revision."""
    from flask_migrate import upgrade

    upgrade(revision="heads")
    click.echo("Database is up to date.")


@click.command("install")
@click.argument("source")
@click.option("--enable", is_flag=True, help="Switch it on at once (default: installed off).")
@click.option("--no-migrate", is_flag=True, help="Do not create its tables now.")
@with_appcontext
def install_command(source: str, enable: bool, no_migrate: bool) -> None:
    """Install a plugin from a wheel, an sdist or a package name.

    The package must register an ``lms.plugins`` entry point and declare a compatible
    ``LMS_PLUGIN_API``; otherwise it is uninstalled again. Restart the web processes after.
    """
    try:
        check = lifecycle.install(source, enable=enable, migrate=not no_migrate)
    except lifecycle.LifecycleError as exc:
        _fail(exc)
    names = ", ".join(p["name"] for p in check.plugins)
    state = "on" if enable else "off (lms plugins enable NAME)"
    click.echo(f"Installed {check.package} {check.version}: plugin {names}, switched {state}.")
    click.echo("Restart the web and worker processes to load it.")


@click.command("upgrade")
@click.argument("name")
@click.argument("source", required=False)
@click.option("--find-links", help="A folder of wheels to look in (pip --find-links).")
@with_appcontext
def upgrade_command(name: str, source: str | None, find_links: str | None) -> None:
    """Upgrade a plugin (from SOURCE, a wheel or sdist, or the package index) and migrate."""
    try:
        check = lifecycle.upgrade(name, source, find_links)
    except lifecycle.LifecycleError as exc:
        _fail(exc)
    click.echo(f"{check.package} is now {check.version}; its migrations ran.")
    click.echo("Restart the web and worker processes to load it.")


@click.command("remove")
@click.argument("name")
@click.option("--keep-data", is_flag=True, help="Keep its tables and settings.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def remove_command(name: str, keep_data: bool, yes: bool) -> None:
    """Remove a plugin: drop its tables (unless --keep-data) and uninstall its package."""
    if not keep_data and not yes:
        click.confirm(f"Drop every table of {name} and uninstall it?", abort=True)
    try:
        package = lifecycle.remove(name, keep_data=keep_data)
    except lifecycle.LifecycleError as exc:
        _fail(exc)
    kept = "its data is kept" if keep_data else "its tables are dropped"
    click.echo(f"Removed {package}: {kept}. Restart the web and worker processes.")


@click.command("new")
@click.argument("name")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["content", "question", "channel", "audience-rule", "report"]),
)
@click.option("--dir", "dest", default=".", type=click.Path(file_okay=False), show_default=True)
@click.option("--author", default="", help="Author name for setup.cfg.")
def new_command(name: str, kind: str, dest: str, author: str) -> None:
    """Write a new plugin package to start from: entry point, hook, template, migration, test."""
    from lms.scaffold import ScaffoldError, new_plugin

    try:
        root = new_plugin(name, kind, Path(dest), author=author)
    except ScaffoldError as exc:
        _fail(exc)
    click.echo(f"Wrote {root}. Next: cd {root} && pip install -e . && pytest")


def add_commands(group: click.Group) -> None:
    """Add the lifecycle commands to the ``lms plugins`` group."""
    for command in (
        enable_command,
        disable_command,
        migrate_command,
        install_command,
        upgrade_command,
        remove_command,
        new_command,
    ):
        group.add_command(command)
