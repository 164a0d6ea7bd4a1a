"""``lms themes``: list the installed themes, scaffold a child theme, check a theme.

``lms themes check NAME`` exits 1 with one message a line when the manifest is invalid, the
parent is missing, a template does not compile, a ``parent:`` reference leads nowhere, or an
overridden template drops blocks the template it replaces defines.
"""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from jinja2 import Environment, TemplateError, TemplateNotFound, TemplateSyntaxError, nodes

from lms.theme_manifest import NAME_RE, validate
from lms.theming import CORE_TEMPLATES, ChainLoader, discover_themes, theme_chain

TEMPLATE_SUFFIXES = (".html", ".txt", ".xml", ".jinja", ".j2")


def _blocks(env: Environment, source: str) -> set[str]:
    return {b.name for b in env.parse(source).find_all(nodes.Block)}


def _references(ast: nodes.Template) -> list[str]:
    refs = []
    for node in ast.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        if isinstance(node.template, nodes.Const) and isinstance(node.template.value, str):
            refs.append(node.template.value)
    return refs


def check_theme(app: Flask, name: str) -> list[str]:
    """Every problem of theme ``name`` as a message; ``[]`` when it is fine."""
    themes = discover_themes(app)  # read from disk now, not what the running site cached
    theme = themes.get(name)
    if theme is None:
        return [f"{name}: no such theme (looked in {app.config.get('THEMES_DIR')} and packages)"]
    errors = [f"theme.toml: {e}" for e in theme.errors]
    errors += [
        f"theme.toml: {e}" for e in validate(theme.manifest, theme.path) if "screenshot" in e
    ]
    state = app.extensions["lms"]
    folders = [t.templates for t in theme_chain(themes, name)]
    folders += [folder for _plugin, folder in state.template_dirs] + [CORE_TEMPLATES]
    loader = ChainLoader(folders)
    env = app.jinja_env
    for dirpath, _dirs, files in sorted(os.walk(theme.templates)):
        for filename in sorted(files):
            if not filename.endswith(TEMPLATE_SUFFIXES):
                continue
            rel = os.path.relpath(os.path.join(dirpath, filename), theme.templates)
            rel = rel.replace(os.sep, "/")
            where = f"templates/{rel}"
            source, path, _ = loader.get_source(env, rel)
            try:
                ast = env.parse(source, rel, path)
                env.compile(source, rel, path)
            except TemplateSyntaxError as exc:
                errors.append(f"{where}, line {exc.lineno}: {exc.message}")
                continue
            except TemplateError as exc:
                errors.append(f"{where}: {exc}")
                continue
            for ref in _references(ast):
                try:
                    loader.get_source(env, ref)
                except TemplateNotFound:
                    shown = ref.split(":", 1)[1] if ref.startswith("@") else ref
                    errors.append(f"{where}: {shown!r} is not found further down the chain")
            found = loader._find(rel, 1)
            if found is None:
                continue  # a new template, not an override
            extends_parent = any(
                isinstance(n.template, nodes.Const) and n.template.value == f"@1:{rel}"
                for n in ast.find_all(nodes.Extends)
            )
            if extends_parent:
                continue
            with open(found[1], encoding="utf-8") as fh:
                required = _blocks(env, fh.read())
            missing = sorted(required - {b.name for b in ast.find_all(nodes.Block)})
            if missing:
                errors.append(
                    f"{where}: drops blocks that the template it overrides defines: "
                    f'{", ".join(missing)} (add them, or extend "parent:{rel}")'
                )
    return errors


MANIFEST = """name = "{name}"
version = "0.1.0"
description = "{name}: a child theme of {parent}."
parent = "{parent}"
# screenshot = "screenshot.png"   # a 360 px wide picture of the home page, for the gallery

# Settings admins can change without editing files (see docs/themes.md). Redeclaring one of the
# parent's settings changes its default.
[settings]
accent = {{ type = "color", default = "#0b5cad", label = "Accent colour", css = "--accent" }}
"""

BASE = """{{#- Overrides base.html: everything not overridden here comes from the parent theme. -#}}
{{% extends "parent:base.html" %}}
{{% block head %}}{{{{ super() }}}}
<link rel="stylesheet" href="{{{{ theme_url('{name}.css') }}}}">
{{%- endblock %}}
{{% block footer %}}
{{{{ super() }}}}
<p>{{{{ _("Theme") }}}}: {name}</p>
{{% endblock %}}
"""

CSS = """/* {name}: loaded after the parent theme's stylesheet; colours are custom properties. */
:root {{
  --accent: #0b5cad;
}}
"""


def scaffold(root: str, name: str, parent: str) -> str:
    folder = os.path.join(root, name)
    os.makedirs(os.path.join(folder, "templates"))
    os.makedirs(os.path.join(folder, "static"))
    files = {
        "theme.toml": MANIFEST.format(name=name, parent=parent),
        "templates/base.html": BASE.format(name=name),
        f"static/{name}.css": CSS.format(name=name),
    }
    for rel, text in files.items():
        with open(os.path.join(folder, *rel.split("/")), "w", encoding="utf-8") as fh:
            fh.write(text)
    return folder


@click.group("themes")
def themes_group() -> None:
    """List, create and check themes."""


@themes_group.command("list")
@with_appcontext
def themes_list() -> None:
    """Every installed theme: name, version, parent, whether it is the configured one."""
    themes = discover_themes(current_app)
    active = current_app.extensions["lms"].theme
    for theme in sorted(themes.values(), key=lambda t: t.name):
        mark = "*" if theme.name == active else " "
        state = "ok" if theme.ok else "INVALID"
        version = theme.manifest.get("version", "-")
        click.echo(f"{mark} {theme.name:<20} {version:<8} {theme.parent or '-':<14} {state}")
        for err in theme.errors:
            click.echo(f"    ! {err}")


@themes_group.command("new")
@click.argument("name")
@click.option("--parent", default="default", show_default=True, help="The theme to extend.")
@with_appcontext
def themes_new(name: str, parent: str) -> None:
    """Scaffold a child theme NAME in THEMES_DIR: manifest, base.html override, stylesheet."""
    if not NAME_RE.match(name):
        raise click.UsageError("NAME: lower-case letters, digits and _, starting with a letter")
    themes = discover_themes(current_app)
    if parent not in themes:
        raise click.UsageError(f"--parent: no theme called {parent!r}")
    if name in themes:
        raise click.UsageError(f"a theme called {name!r} already exists")
    root = current_app.config["THEMES_DIR"]
    if os.path.exists(os.path.join(root, name)):
        raise click.UsageError(f"{os.path.join(root, name)} already exists")
    folder = scaffold(root, name, parent)
    click.echo(f"Created {folder}")
    click.echo(f"Next: edit it, then run `lms themes check {name}`.")


@themes_group.command("templates")
@click.argument("name", default="default")
@with_appcontext
def themes_templates(name: str) -> None:
    """Every template theme NAME can override: where it comes from, what it extends, blocks."""
    themes = discover_themes(current_app)
    if name not in themes:
        raise click.UsageError(f"no theme called {name!r}")
    state = current_app.extensions["lms"]
    folders = [t.templates for t in theme_chain(themes, name)]
    folders += [folder for _plugin, folder in state.template_dirs] + [CORE_TEMPLATES]
    loader = ChainLoader(folders)
    env = current_app.jinja_env
    for rel in loader.list_templates():
        if not rel.endswith(TEMPLATE_SUFFIXES):
            continue
        source, path, _ = loader.get_source(env, rel)
        try:
            ast = env.parse(source)
        except TemplateSyntaxError as exc:
            click.echo(f"{rel:<40} ! line {exc.lineno}: {exc.message}")
            continue
        parents = [
            "parent:" + ref.split(":", 1)[1] if ref.startswith("@") else ref
            for ref in _references(ast)[:1]
        ]
        blocks = sorted({b.name for b in ast.find_all(nodes.Block)})
        origin = os.path.relpath(os.path.dirname(path.removesuffix(rel)))
        extends = f" extends {parents[0]}" if ast.find(nodes.Extends) and parents else ""
        click.echo(f"{rel:<40} [{origin}]{extends}  blocks: {', '.join(blocks) or '-'}")


@themes_group.command("check")
@click.argument("name")
@with_appcontext
def themes_check(name: str) -> None:
    """Check theme NAME; exit 1 listing every problem."""
    errors = check_theme(current_app, name)
    for err in errors:
        click.echo(f"{name}: {err}", err=True)
    if errors:
        raise SystemExit(1)
    click.echo(f"{name}: ok")
