"""The migrations build the whole schema on an empty PostgreSQL database, and take it down."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from lms import create_app
from lms.extensions import db
from tests.conftest import app_config

pytestmark = pytest.mark.service

CORE_TABLES = {"user", "role", "course", "section", "activity", "enrolment"}


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _branches() -> dict[str, set[str]]:
    """Each branch label (core and one per plugin) with the revisions that carry it."""
    config = current_app.extensions["migrate"].migrate.get_config()
    branches: dict[str, set[str]] = {}
    for rev in ScriptDirectory.from_config(config).walk_revisions():
        for label in rev.branch_labels:
            branches.setdefault(label, set()).add(rev.revision)
    return branches


def _app_tables() -> set[str]:
    """The model tables of this app: the core's and its loaded plugins'. (Models a test imported
    for a plugin this app did not load stay in the shared metadata: ``lms_<other>_...``.)"""
    loaded = [name for name, info in current_app.extensions["lms"].plugins.infos.items() if info.ok]
    return {
        t
        for t in db.metadata.tables
        if not t.startswith("lms_") or any(t.startswith(name + "_") for name in loaded)
    }


def _plugin_tables() -> dict[str, set[str]]:
    """The tables each installed (loaded) plugin declares: named ``<plugin>_...``, each table
    going to the longest such name (``lms_notify_inapp_message`` is lms_notify_inapp's)."""
    infos = current_app.extensions["lms"].plugins.infos
    names = sorted((n for n, info in infos.items() if info.ok and n != "core"), key=len)
    owned: dict[str, set[str]] = {name: set() for name in names}
    for table in db.metadata.tables:
        owners = [name for name in names if table.startswith(name + "_")]
        if owners:
            owned[owners[-1]].add(table)
    return owned


def test_migrations_upgrade_and_downgrade_an_empty_postgresql_database(tmp_path, empty_pg_database):
    app = create_app(app_config(tmp_path, DATABASE_URL=empty_pg_database))
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        assert _tables() == set()

        upgrade(revision="heads")

        tables = _tables()
        assert tables >= CORE_TABLES
        plugin_tables = _plugin_tables()
        assert plugin_tables.get("lms_page"), "the first-party page plugin has its table"
        for plugin, expected in plugin_tables.items():
            assert expected <= tables, f"{plugin}: missing {sorted(expected - tables)}"
        expected = _app_tables()
        assert expected <= tables  # every model has its table

        def ours(obj, name, type_, reflected, compare_to) -> bool:
            return type_ != "table" or reflected or name in expected

        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": ours})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], diff
        with db.engine.connect() as conn:
            heads = {r for (r,) in conn.execute(text("SELECT version_num FROM alembic_version"))}
        branches = _branches()
        assert "core" in branches
        # Every revision of every branch is applied. (Not "one row per branch": Alembic leaves
        # out a head that another branch's revision depends on, e.g. core_0002 for lms_file.)
        script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
        applied = {r.revision for r in script.iterate_revisions(tuple(heads), "base")}
        assert applied == {r.revision for r in script.walk_revisions()}

        # Each plugin branch comes off on its own and leaves the core working ...
        for label in sorted(set(branches) - {"core"}):
            downgrade(revision=f"{label}@base")
            left = _tables()
            assert not plugin_tables.get(label, set()) & left, f"{label} left tables behind"
            assert left >= CORE_TABLES
        # ... then the core goes too, and nothing is left but Alembic's own table.
        downgrade(revision="core@base")
        assert _tables() == set()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0

        # And up again: the downgrades left nothing that stops a second upgrade.
        upgrade(revision="heads")
        assert _tables() >= expected
        db.session.remove()
        db.engine.dispose()
