"""The documentation is checked against the code, so it cannot drift silently.

* docs/hooks.md has one ``### `lms_name(arg, ...)` `` section per hookspec in lms/hookspecs.py,
  with the exact parameter names, and each section has an example code block;
* every setting in config/default.py is named in docs/configuration.md;
* README.md gives the two commands for a fresh machine and links only to docs that exist.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from lms import hookspecs

ROOT = Path(__file__).resolve().parents[2]
HOOKS_MD = ROOT / "docs" / "hooks.md"
CONFIG_MD = ROOT / "docs" / "configuration.md"
DEFAULTS = ROOT / "config" / "default.py"
README = ROOT / "README.md"

# "### `lms_name(app, user)`" — the only heading form a hook section may take.
HOOK_HEADING = re.compile(r"^### `(?P<name>\w+)\((?P<args>[^)]*)\)`\s*$")


def spec_signatures() -> dict[str, list[str]]:
    """Every function in lms.hookspecs carrying pluggy's ``lms`` spec marker → its parameters."""
    return {
        name: list(inspect.signature(func).parameters)
        for name, func in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(func, "lms_spec")
    }


def documented_hooks() -> dict[str, tuple[list[str], str]]:
    """Hook sections of docs/hooks.md: name → (parameters, section text)."""
    sections: dict[str, tuple[list[str], str]] = {}
    current: str | None = None
    lines: list[str] = []
    args: list[str] = []

    def close() -> None:
        if current is not None:
            assert current not in sections, f"docs/hooks.md documents `{current}` twice"
            sections[current] = (args, "\n".join(lines))

    for line in HOOKS_MD.read_text(encoding="utf-8").splitlines():
        match = HOOK_HEADING.match(line)
        if match or line.startswith(("## ", "### ")):
            close()
            current, lines, args = None, [], []
        if match:
            current = match["name"]
            args = [a.strip() for a in match["args"].split(",") if a.strip()]
        elif current is not None:
            lines.append(line)
    close()
    return sections


def test_hook_reference_matches_hookspecs():
    specs = spec_signatures()
    assert specs, "found no hookspecs: is pluggy's marker still HookspecMarker('lms')?"
    docs = documented_hooks()

    problems = []
    for name in sorted(set(specs) - set(docs)):
        problems.append(
            f"missing from docs/hooks.md: add a section headed "
            f"### `{name}({', '.join(specs[name])})` under its family's ## heading"
        )
    for name in sorted(set(docs) - set(specs)):
        problems.append(
            f"docs/hooks.md documents `{name}`, which is not a hookspec in lms/hookspecs.py: "
            f"remove the section or add the hookspec"
        )
    for name in sorted(set(specs) & set(docs)):
        if docs[name][0] != specs[name]:
            problems.append(
                f"signature mismatch for {name}: lms/hookspecs.py has "
                f"({', '.join(specs[name])}), docs/hooks.md has ({', '.join(docs[name][0])}); "
                f"fix the heading to ### `{name}({', '.join(specs[name])})`"
            )
    assert not problems, "docs/hooks.md is out of step with lms/hookspecs.py:\n" + "\n".join(
        problems
    )


def test_every_hook_section_has_an_example():
    missing = [name for name, (_args, text) in documented_hooks().items() if "```" not in text]
    assert not missing, "add an example code block (```python ... ```) to these sections of " + (
        "docs/hooks.md: " + ", ".join(sorted(missing))
    )


def test_heading_parser_reads_the_documented_form():
    assert HOOK_HEADING.match("### `lms_notify_event(app, event, recipients, data)`")
    assert not HOOK_HEADING.match("### lms_notify_event(app, event)")  # no backticks


def default_setting_names() -> list[str]:
    """UPPER_CASE names assigned at the top level of config/default.py."""
    tree = ast.parse(DEFAULTS.read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and re.fullmatch(r"[A-Z][A-Z0-9_]*", target.id):
                names.append(target.id)
    return names


def test_every_default_setting_is_documented():
    names = default_setting_names()
    assert "SECRET_KEY" in names and "DATABASE_URL" in names
    text = CONFIG_MD.read_text(encoding="utf-8")
    missing = [n for n in names if not re.search(rf"(?<![A-Z0-9_]){n}(?![A-Z0-9_])", text)]
    assert not missing, (
        "config/default.py has settings that docs/configuration.md does not mention; add a row "
        "(name, default, LMS_<NAME> variable, meaning) for: " + ", ".join(missing)
    )


def test_readme_gives_the_two_commands():
    text = README.read_text(encoding="utf-8")
    for command in ("make run", "make test"):
        assert command in text, f"README.md must give the fresh-machine command `{command}`"


def test_readme_links_to_docs_that_exist():
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#\s]+)", text)
    assert links, "README.md should link to the guides in docs/"
    broken = [link for link in links if not (ROOT / link).is_file()]
    assert not broken, "README.md links to missing files: " + ", ".join(broken)


# "`lms plugins list`", "`lms init [--admin-email ...`": the command and an optional subcommand.
LMS_COMMAND = re.compile(r"`(?:\.venv/bin/)?lms ([a-z][\w-]*)(?: ([a-z][\w-]*))?")


def cli_help(tmp_path, *args: str) -> str:
    from click.testing import CliRunner

    from lms.cli import main

    env = {
        "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "LMS_CONFIG": str(tmp_path / "none.cfg"),
    }
    result = CliRunner().invoke(main, [*args, "--help"], env=env)
    assert result.exit_code == 0, f"`lms {' '.join(args)} --help` failed:\n{result.output}"
    return result.output


def listed_commands(help_text: str) -> set[str]:
    section = help_text.split("Commands:", 1)[-1] if "Commands:" in help_text else ""
    return {line.split()[0] for line in section.splitlines() if line.strip()}


def test_commands_in_readme_and_deploy_guide_exist(tmp_path):
    top = listed_commands(cli_help(tmp_path))
    assert {"init", "demo", "run"} <= top, top
    problems = []
    for doc in (README, ROOT / "docs" / "deploy.md"):
        for command, sub in set(LMS_COMMAND.findall(doc.read_text(encoding="utf-8"))):
            where = doc.relative_to(ROOT)
            if command not in top:
                problems.append(f"{where} mentions `lms {command}`, which is not a command")
                continue
            subs = listed_commands(cli_help(tmp_path, command)) if sub else set()
            if subs and sub not in subs:  # only groups list subcommands
                problems.append(f"{where} mentions `lms {command} {sub}`, which does not exist")
    assert not problems, "fix these commands in the docs:\n" + "\n".join(sorted(problems))
