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


def _filter_lines(report: dict) -> list[str]:
    """``Audience group: ผู้สูงอายุ / Elderly`` for each filter that is set."""
    from lms_outreach.kinds import AUDIENCES, known_kinds
    from lms_outreach.models import District

    f = report.get("filters") or {}
    lines = []
    if f.get("audience"):
        groups = {code: f"{th} / {en}" for code, th, en in AUDIENCES}
        name = groups.get(f["audience"], f["audience"])
        lines.append(_label(N_("Audience group")) + ": " + _not_given(f["audience"], name))
    if f.get("district"):
        d = db.session.get(District, f["district"])
        name = f"{f['district']} {d.name_th} / {d.name_en}" if d else f["district"]
        lines.append(_label(N_("District")) + ": " + _not_given(f["district"], name))
    if f.get("kind"):
        label = known_kinds().get(f["kind"], f["kind"])
        lines.append(_label(N_("Activity kind")) + f": {f['kind']} ({label})")
    return lines


def _not_given(code: str, name: str) -> str:
    from lms_outreach.report import UNKNOWN

    return _label(N_("Not given")) if code == UNKNOWN else name


def render_text(report: dict) -> str:
    """The report as a plain bilingual table."""
    from datetime import date, timedelta

    from lms.i18n import format_thai_date
    from lms_outreach import fiscal
    from lms_outreach.kinds import AUDIENCES
    from lms_outreach.models import District

    fy = report["fiscal_year"]
    period = report["period"]
    first = date.fromisoformat(period["start"])
    last = date.fromisoformat(period["end_exclusive"]) - timedelta(days=1)  # inclusive
    lines = [
        _label(N_("Outreach report")) + " " + _label(N_("Fiscal year")) + f" {fy}",
        # Thai dates in the Buddhist Era, then the same days in ISO (CE) form.
        f"{format_thai_date(first)} – {format_thai_date(last)} / "
        f"{first.isoformat()} – {last.isoformat()} (Asia/Bangkok)",
        *_filter_lines(report),
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


def _check_code(value: str | None, known: list[str], option: str, message: str) -> str | None:
    """``value`` when it is one of ``known`` (an empty value: no filter), else a usage error
    (exit code 2) that names the value and the codes there are."""
    if not value:
        return None
    if value not in known:
        raise click.BadParameter(
            _(message, value=repr(value), codes=", ".join(known)), param_hint=option
        )
    return value


def _check_date(value: str | None, option: str):
    """A ``YYYY-MM-DD`` date, CE or BE year, read as the dashboard's date fields read it."""
    from lms_outreach import fiscal

    if not value:
        return None
    try:
        return fiscal.parse_local_date(value)
    except ValueError:
        raise click.BadParameter(
            _(
                "%(value)s is not a date: use YYYY-MM-DD with a Christian Era (2023) or "
                "Buddhist Era (2566) year.",
                value=repr(value),
            ),
            param_hint=option,
        ) from None


def report_filters(group, district, kind, start, end):
    """The command's filter options as :class:`lms_outreach.report.Filters`, each checked
    against the dashboard's choices (:func:`lms_outreach.dashboard.filter_codes`)."""
    from lms_outreach import dashboard, report

    codes = dashboard.filter_codes()
    first = _check_date(start, "--from")
    last = _check_date(end, "--to")
    if first and last and last < first:
        raise click.BadParameter(
            _(
                "%(end)s is before the start date %(start)s.",
                end=repr(end),
                start=repr(start),
            ),
            param_hint="--to",
        )
    return report.Filters(
        audience=_check_code(
            group,
            codes["audience"],
            "--group",
            N_("%(value)s is not an audience group code; use one of: %(codes)s."),
        ),
        district=_check_code(
            district,
            codes["district"],
            "--district",
            N_("%(value)s is not a district code; use one of: %(codes)s."),
        ),
        kind=_check_code(
            kind,
            codes["kind"],
            "--kind",
            N_("%(value)s is not an activity kind; use one of: %(codes)s."),
        ),
        start=first,
        end=last,
    )


@outreach_group.command("report")
@click.option("--fy", "fy", type=int, required=True, help="Fiscal year in the Buddhist Era (2566).")
@click.option(
    "--group",
    "group",
    metavar="CODE",
    help="Audience group code (early_childhood, youth, general_public, staff, elderly; "
    "'unknown' = not given).",
)
@click.option(
    "--district",
    "district",
    metavar="CODE",
    help="District code (5001; 'lms outreach districts list'; 'unknown' = not given).",
)
@click.option(
    "--kind",
    "kind",
    metavar="KIND",
    help="Participation kind (online_class, onsite_workshop, event, course_enrolment, "
    "course_completion, or one a plugin adds).",
)
@click.option(
    "--from",
    "start",
    metavar="YYYY-MM-DD",
    help="First day, included (Asia/Bangkok; CE 2023-01-15 or BE 2566-01-15).",
)
@click.option(
    "--to",
    "end",
    metavar="YYYY-MM-DD",
    help="Last day, included (Asia/Bangkok; CE or BE year). The range is clipped to the year.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--csv", "as_csv", is_flag=True, help="Print the dashboard's CSV export (Thai, UTF-8 + BOM)."
)
@click.option(
    "--xlsx",
    "xlsx",
    metavar="FILE",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the dashboard's Excel export (Thai) to FILE.",
)
@with_appcontext
def report_command(
    fy: int,
    group: str | None,
    district: str | None,
    kind: str | None,
    start: str | None,
    end: str | None,
    as_json: bool,
    as_csv: bool,
    xlsx: str | None,
) -> None:
    """The fiscal-year report: classes, workshops, participants, reach, by group/district/month.

    The filters are the dashboard's: --group, --district and --kind narrow every event figure;
    reach posts have none of them, so only --from/--to narrow reach and impressions.
    """
    from lms_outreach import fiscal, report

    try:
        fiscal.check_fy(fy)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fy") from exc
    if sum((as_json, as_csv, xlsx is not None)) > 1:
        raise click.UsageError(_("Choose one of --json, --csv and --xlsx."))
    filters = report_filters(group, district, kind, start, end)
    if as_csv or xlsx:
        from flask_babel import force_locale

        from lms_outreach import dashboard, exports

        with force_locale("th"):  # the exports are Thai, as on the dashboard
            data = dashboard.dashboard_data(fy, filters)
            if as_csv:
                click.echo(exports.to_csv(data), nl=False)
                return
            body = exports.to_xlsx(data)
        with open(xlsx, "wb") as fh:
            fh.write(body)
        click.echo(_("Wrote %(path)s.", path=xlsx), err=True)
        return
    data = report.build(fy, filters)
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
