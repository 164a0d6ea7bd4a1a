"""A rule made by ``lms plugins new NAME --kind audience-rule`` works with the audience
plugin: it has the real rule interface (``evaluate``), puts people in a group and says why."""

from __future__ import annotations

import sys
from datetime import date

import pytest
from lms_audience import rules, services

from lms.extensions import db
from lms.scaffold import new_plugin

NAME = "lms_school_rule"


@pytest.fixture
def forget_plugin():
    """The scaffolded plugin's model joins the shared metadata: take it out afterwards, so
    later tests (the migration comparison) do not see its table."""
    yield
    table = db.metadata.tables.get(f"{NAME}_log")
    if table is not None:
        db.metadata.remove(table)
    for module in [m for m in sys.modules if m == NAME or m.startswith(NAME + ".")]:
        del sys.modules[module]


def test_a_scaffolded_rule_puts_people_in_groups_with_a_reason(
    make_app, tmp_path, monkeypatch, forget_plugin
):
    name = NAME
    new_plugin(name, "audience-rule", tmp_path / "src")
    monkeypatch.syspath_prepend(str(tmp_path / "src" / name))
    app = make_app(EXTRA_PLUGINS=[f"{name}={name}"])
    with app.app_context():
        from tests import factories as f

        info = app.extensions["lms"].plugins.infos[name]
        assert info.ok, info.errors
        services.seed_groups()
        teacher = f.user(email="kru.malee@school.ac.th")
        other = f.user(email="malee@example.com")
        db.session.commit()
        today = date(2026, 11, 25)
        rule = next(r for r in rules.all_rules() if r.code == name)
        assert hasattr(rule, "evaluate") and not hasattr(rule, "groups_for")
        assert rules.groups_for(teacher, today) == ["staff"]
        assert rules.groups_for(other, today) == []
        assert rules.explain(teacher, None, today) == {"staff": ["Email address of a school"]}
        from lms import plugins

        assert plugins.call("lms_audience_groups_for", user=teacher) == ["staff"]
