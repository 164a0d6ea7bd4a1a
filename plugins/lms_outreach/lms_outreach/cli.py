"""``lms outreach ...``: the fiscal-year report and CSV imports."""

from __future__ import annotations

import json
import sys
import unicodedata

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms.extensions import db


@click.group("outreach")
def outreach_group() -> None:
    """Outreach tracking: yearly report, imports."""


def N_(message: str) -> str:
    """Marks a message for extraction (``pybabel extract -k N_``); translated in ``_label``."""
    return message


def _label(english: str) -> str:
    """``ชั้นเรียนออนไลน์ / Online classes`` (Thai first when the site speaks Thai)."""
    local = _(english)
    return english if local == english else f"{local} / {english}"


SUMMARY = (
    ("online_classes", N_("Online classes")),
    ("online_participants", N_("Online participants")),
    ("onsite_workshops", N_("Onsite workshops")),
    ("onsite_participants", N_("Onsite participants")),
    ("other_events", N_("Other events")),
    ("other_participants", N_("Other event participants")),
    ("total_participants", N_("Total participants")),
    ("unique_participants", N_("Distinct people")),
    ("course_enrolments", N_("Course enrolments")),
    ("course_completions", N_("Course completions")),
    ("reach", N_("Reach")),
    ("impressions", N_("Impressions")),
    ("engagements", N_("Engagements")),
)


def _width(text: str) -> int:
    """Columns on a terminal: Thai vowel and tone marks (category Mn) take no column."""
    return sum(0 if unicodedata.category(ch) == "Mn" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _table(title: str, rows: list[tuple[str, object, object]]) -> list[str]:
    width = max([_width(r[0]) for r in rows] + [10])
    lines = ["", title, "-" * (width + 24)]
    lines += [f"{_pad(name, width)}  {a!s:>10}  {b!s:>10}" for name, a, b in rows]
    return lines


def render_text(report: dict) -> str:
    """The report as a plain bilingual table."""
    from lms_outreach import fiscal
    from lms_outreach.kinds import AUDIENCES
    from lms_outreach.models import District

    fy = report["fiscal_year"]
    first, after = fiscal.fy_dates(fy)
    lines = [
        _label(N_("Outreach report")) + " " + _label(N_("Fiscal year")) + f" {fy}",
        f"{first.isoformat()} – {after.isoformat()} (Asia/Bangkok, " + _("end not included") + ")",
        "",
    ]
    width = max(_width(_label(e)) for _k, e in SUMMARY)
    lines += [f"{_pad(_label(e), width)}  {report[k]:>10,}" for k, e in SUMMARY]
    head = (_label(N_("Participants")), _label(N_("Distinct people")))
    groups = {code: f"{th} / {en}" for code, th, en in AUDIENCES}
    rows = [
        (
            groups.get(k, _label(N_("Not given")) if k == "unknown" else k),
            v["participants"],
            v["unique_participants"],
        )
        for k, v in sorted(report["by_group"].items())
    ]
    lines += _table(
        _label(N_("By audience group")) + f"  ({head[0]} | {head[1]})", rows or [("-", 0, 0)]
    )
    names = {
        c: f"{th} / {en}"
        for c, th, en in db.session.execute(
            db.select(District.code, District.name_th, District.name_en)
        )
    }
    rows = [
        (
            names.get(k, _label(N_("Not given")) if k == "unknown" else k),
            v["participants"],
            v["unique_participants"],
        )
        for k, v in sorted(report["by_district"].items())
    ]
    lines += _table(_label(N_("By district")) + f"  ({head[0]} | {head[1]})", rows or [("-", 0, 0)])
    rows = []
    for key, v in report["by_month"].items():
        year, month = (int(x) for x in key.split("-"))
        rows.append(
            (
                f"{key}  {fiscal.month_label_th(year - fiscal.BE_OFFSET, month)}",
                v["participants"],
                v["unique_participants"],
            )
        )
    lines += _table(_label(N_("By month")) + f"  ({head[0]} | {head[1]})", rows)
    return "\n".join(lines)


@outreach_group.command("report")
@click.option("--fy", "fy", type=int, required=True, help="Fiscal year in the Buddhist Era (2566).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def report_command(fy: int, as_json: bool) -> None:
    """The fiscal-year report: classes, workshops, participants, reach, by group/district/month."""
    from lms_outreach import fiscal, report

    try:
        fiscal.check_fy(fy)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fy") from exc
    data = report.build(fy)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(data))


@outreach_group.group("import")
def import_group() -> None:
    """Import historical activities or social-media reach from CSV (UTF-8)."""


def _run_import(path: str, check, store) -> None:
    with open(path, "rb") as fh:
        data = fh.read()
    result = check(data)
    if not result.ok:
        for line, reason in result.errors:
            click.echo(_("line %(line)d: %(reason)s", line=line, reason=reason), err=True)
        click.echo(
            _("%(count)d bad rows: nothing was imported.", count=len(result.errors)), err=True
        )
        sys.exit(1)
    count = store(result)
    db.session.commit()
    click.echo(_("Imported %(count)d rows.", count=count))


@import_group.command("activities")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_activities(path: str) -> None:
    """Columns: kind,title,date,audience,district,participants."""
    from lms_outreach.importer import check_activities, store_activities

    _run_import(path, check_activities, store_activities)


@import_group.command("reach")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_reach(path: str) -> None:
    """Columns: platform,url,date,reach,impressions,engagements (optional: campaign)."""
    from lms_outreach.importer import check_reach, store_reach

    _run_import(path, check_reach, store_reach)


@outreach_group.group("districts")
def districts_group() -> None:
    """Districts are data: list them, or add another province's."""


@districts_group.command("list")
@click.option("--province", help="Province code (50 = Chiang Mai).")
@with_appcontext
def districts_list(province: str | None) -> None:
    """Code, Thai and English name of each district."""
    from lms_outreach.models import District

    stmt = db.select(District).order_by(District.code)
    if province:
        stmt = stmt.where(District.province_code == province)
    for d in db.session.scalars(stmt):
        click.echo(f"{d.code}\t{d.name_th}\t{d.name_en}\t{d.province_th} / {d.province_en}")


@districts_group.command("add")
@click.argument("code")
@click.argument("name_th")
@click.argument("name_en")
@click.option("--province-code", required=True)
@click.option("--province-th", required=True)
@click.option("--province-en", required=True)
@with_appcontext
def districts_add(code, name_th, name_en, province_code, province_th, province_en) -> None:
    """Add a district, e.g. ``5701 เมืองเชียงราย "Mueang Chiang Rai" --province-code 57 ...``."""
    from lms_outreach.models import District

    if db.session.get(District, code) is not None:
        raise click.ClickException(_("District %(code)s already exists.", code=code))
    db.session.add(
        District(
            code=code,
            name_th=name_th,
            name_en=name_en,
            province_code=province_code,
            province_th=province_th,
            province_en=province_en,
        )
    )
    db.session.commit()
    click.echo(_("District %(code)s added.", code=code))
