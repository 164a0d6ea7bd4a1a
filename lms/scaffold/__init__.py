"""``lms plugins new``: write a working, tested plugin package to start from.

The files come from ``lms/scaffold/templates``; ``__NAME__`` and friends are replaced.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from lms.plugins import normalise_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
KINDS = ("content", "question", "channel", "audience-rule", "report")
HOOKS = {
    "content": "lms_content_types",
    "question": "lms_question_types",
    "channel": "lms_notify_channels",
    "audience-rule": "lms_audience_rules",
    "report": "lms_report_stats",
}
KIND_TESTS = {
    "content": """
assert NAME in [t.key for t in call("lms_content_types", app=app)]
ct = app.extensions["lms"].content.get(NAME)
assert ct is not None and ct.plugin == NAME
assert ct.form_class() is not None
html = ct.render(type("A", (), {"id": -1})(), None)
assert f'class="{NAME}"' in html
""",
    "question": """
[q] = [q for q in call("lms_question_types", app=app) if q.key == NAME]
assert q.grade({"answer": "Chiang Mai"}, " chiang mai ") == 1.0
assert q.grade({"answer": "Chiang Mai"}, "Lampang") == 0.0
assert "Where?" in q.render({"text": "Where?"})
""",
    "channel": """
from __NAME__.models import LogEntry

[ch] = [c for c in call("lms_notify_channels", app=app) if c.key == NAME]
ch.send(type("D", (), {"subject": "Welcome"})())
assert "Welcome" in db.session.scalars(db.select(LogEntry.message)).one()
""",
    "audience-rule": """
from datetime import date

[rule] = [r for r in call("lms_audience_rules", app=app) if r.code == NAME]
teacher = type("U", (), {"id": 1, "email": "Teacher@School.ac.th"})()
found = rule.evaluate(teacher, None, date(2026, 11, 25))
assert [code for code, reason in found] == ["staff"] and all(r for _c, r in found)
assert rule.evaluate(type("U", (), {"id": 2, "email": "a@example.com"})(), None, date.today()) == []
""",
    "report": """
from __NAME__.models import LogEntry

db.session.add(LogEntry(message="one"))
rows = call("lms_report_stats", app=app, start=None, end=None)
assert {"metric": NAME + "_entries", "value": 1} in rows
""",
}


class ScaffoldError(ValueError):
    """The name or kind cannot make a plugin."""


def plugin_name(name: str) -> str:
    """A valid plugin (and Python package) name, or :class:`ScaffoldError`."""
    norm = normalise_name(name)
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,40}", norm) or norm in ("lms", "core"):
        raise ScaffoldError(
            f"{name!r} is not a usable plugin name: use letters, digits and _ (lms_quiz_poll)"
        )
    return norm


def new_plugin(name: str, kind: str, dest: Path, author: str = "") -> Path:
    """Write the plugin package ``<dest>/<name>``; return its folder."""
    name = plugin_name(name)
    if kind not in KINDS:
        raise ScaffoldError(f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
    root = Path(dest) / name
    if root.exists() and any(root.iterdir()):
        raise ScaffoldError(f"{root} exists and is not empty")
    title = name.replace("_", " ").strip().capitalize()
    values = {
        "__DIST__": name.replace("_", "-"),
        "__CLASS__": "".join(part.capitalize() for part in name.split("_")),
        "__TITLE__": title,
        "__KIND__": kind,
        "__AUTHOR__": author or "Plugin author",
        "__HOOK__": HOOKS[kind],
        "__KIND_TEST__": textwrap.indent(KIND_TESTS[kind].strip("\n"), " " * 8),
        "__NAME__": name,  # last: the others may contain it
    }
    flavour = "content" if kind == "content" else "log"
    module = _read(f"kinds/{kind}.py")
    if kind != "content":
        module += _read("kinds/common_tail.py")
    files = {
        "setup.cfg": _read("setup.cfg"),
        "pyproject.toml": _read("pyproject.toml"),
        "README.md": _read("README.md"),
        f"{name}/__init__.py": module,
        f"{name}/models.py": _read(f"models_{flavour}.py"),
        f"{name}/migrations/{name}_0001_initial.py": _read(f"migration_{flavour}.py"),
        f"{name}/templates/{name}/view.html": _read("view.html"),
        f"tests/test_{name}.py": _read("test_plugin.py"),
    }
    for rel, text in files.items():
        for key, value in values.items():
            text = text.replace(key, value)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _read(rel: str) -> str:
    return (TEMPLATES / f"{rel}.tmpl").read_text(encoding="utf-8")
