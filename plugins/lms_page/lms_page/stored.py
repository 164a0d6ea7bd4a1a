"""A page's HTML, rendered and sanitised once when it is saved, not on every view.

Rendering a lesson's Markdown and sanitising it costs about a millisecond of CPU (3.7 million
instructions for a 1,400-character lesson), more than the rest of the lesson view's Python
work put together. Each process keeps the HTML of its 512 most recent texts (lms/html.py), but
a site whose learners read thousands of different lessons misses that memo on most views. So
the page keeps its HTML beside its source, with the rendering it was made with
(:data:`lms.html.RENDER_VERSION`: the libraries' versions and the sanitiser's rules). A view
shows the stored HTML while that version matches; after an upgrade changed either, it renders
from the source as before, until ``lms page store-html`` (or the next save) stores it again.
"""

from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext
from markupsafe import Markup
from sqlalchemy import or_, select, update
from sqlalchemy.exc import DBAPIError

from lms.extensions import db
from lms.html import RENDER_VERSION, markdown, sanitize


def render(fmt: str, body: str) -> Markup:
    """``body`` as sanitised HTML: Markdown rendered, pasted HTML cleaned."""
    return markdown(body) if fmt == "markdown" else sanitize(body)


def html_of(page: Any) -> Markup:
    """The page's sanitised HTML: as stored while the rendering is the same, else rendered."""
    if page.html is not None and page.html_version == RENDER_VERSION:
        return Markup(page.html)
    return render(page.format, page.body)


def store(page: Any) -> None:
    """Store the HTML of ``page``'s current source (call after setting its body or format)."""
    page.html = str(render(page.format, page.body or ""))
    page.html_version = RENDER_VERSION


def store_all(batch: int = 500, only_stale: bool = True, commit: bool = True) -> int:
    """Store the HTML of every page whose stored HTML is missing or from another rendering
    (``only_stale=False``: of every page). Commits per batch unless ``commit`` is false;
    returns the number stored."""
    from lms_page.models import Page

    stale = or_(Page.html.is_(None), Page.html_version.is_distinct_from(RENDER_VERSION))
    done, after = 0, -1
    while True:
        query = select(Page.activity_id, Page.format, Page.body).where(Page.activity_id > after)
        rows = db.session.execute(
            (query.where(stale) if only_stale else query).order_by(Page.activity_id).limit(batch)
        ).all()
        if not rows:
            return done
        db.session.execute(
            update(Page),
            [
                {
                    "activity_id": r.activity_id,
                    "html": str(render(r.format, r.body or "")),
                    "html_version": RENDER_VERSION,
                }
                for r in rows
            ],
        )
        if commit:
            db.session.commit()
        done += len(rows)
        after = rows[-1].activity_id


@click.group("page")
def page_group() -> None:
    """Text pages."""


@page_group.command("store-html")
@click.option("--all", "every", is_flag=True, help="Every page, not only those out of date.")
@with_appcontext
def store_html_command(every: bool) -> None:
    """Render and store the HTML of pages saved before an upgrade changed the rendering."""
    try:
        n = store_all(only_stale=not every)
    except DBAPIError as exc:  # the page table or its html columns are not there yet
        db.session.rollback()
        raise click.ClickException(
            f"The pages cannot be read ({type(exc.orig).__name__}): run `lms init` first, "
            "which brings the database up to date."
        ) from exc
    click.echo(f"Stored the HTML of {n:,} pages.")
