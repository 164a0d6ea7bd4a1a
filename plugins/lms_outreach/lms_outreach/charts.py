"""Server-rendered SVG charts: no JavaScript, no library, nothing fetched from the internet.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(``aria-labelledby``); the page shows the same numbers in a table next to it, which is what
screen readers and printouts rely on. Colours come from CSS classes (``dashboard.css``), so
themes (high contrast) restyle them. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 360  # the viewBox width: the charts scale to the column, drawn for a phone first


def _fmt(n: int) -> str:
    return f"{n:,}"


def _open(chart_id: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMidYMid meet" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def describe(items: Sequence[tuple[str, int]]) -> str:
    """``label: value; ...`` for the chart's ``<desc>``."""
    return "; ".join(f"{label}: {_fmt(value)}" for label, value in items)


def columns(chart_id: str, title: str, items: Sequence[tuple[str, int]]) -> Markup:
    """A column chart (the 12 months): short labels under the columns, values above them."""
    height, top, bottom, left = 200, 18, 24, 4
    plot = height - top - bottom
    slot = (WIDTH - 2 * left) / max(len(items), 1)
    peak = max([v for _l, v in items] + [1])
    parts = _open(chart_id, title, describe(items), height)
    parts.append(
        f'<line class="chart-axis" x1="{left}" y1="{height - bottom}" '
        f'x2="{WIDTH - left}" y2="{height - bottom}"/>'
    )
    for i, (label, value) in enumerate(items):
        h = round(plot * value / peak, 1)
        x = round(left + i * slot + slot * 0.15, 1)
        w = round(slot * 0.7, 1)
        y = round(height - bottom - h, 1)
        cx = round(left + i * slot + slot / 2, 1)
        parts.append(f'<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}"/>')
        if value:
            parts.append(
                f'<text class="chart-value" x="{cx}" y="{round(y - 3, 1)}" '
                f'text-anchor="middle">{escape(_compact(value))}</text>'
            )
        parts.append(
            f'<text class="chart-label" x="{cx}" y="{height - 8}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(chart_id: str, title: str, items: Sequence[tuple[str, int]]) -> Markup:
    """A horizontal bar chart (groups, districts): the label above each bar, the value after it."""
    row = 34
    height = max(len(items), 1) * row + 4
    peak = max([v for _l, v in items] + [1])
    room = WIDTH - 70  # space left for the value after the longest bar
    parts = _open(chart_id, title, describe(items), height)
    for i, (label, value) in enumerate(items):
        y = i * row
        w = round(room * value / peak, 1)
        parts.append(f'<text class="chart-label" x="2" y="{y + 12}">{escape(label)}</text>')
        parts.append(
            f'<rect class="chart-bar" x="2" y="{y + 16}" width="{max(w, 1)}" height="14"/>'
        )
        parts.append(
            f'<text class="chart-value" x="{round(w + 8, 1)}" y="{y + 28}">'
            f"{escape(_fmt(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _compact(n: int) -> str:
    """``1234`` -> ``1.2k`` above the columns (the table has the exact figure)."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 10_000:
        return f"{n // 1000}k"
    if n >= 1000:
        return f"{n / 1000:.1f}k"
    return str(n)
