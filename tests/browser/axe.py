"""axe-core in a Playwright page: WCAG 2.0/2.1 A and AA checks, violations as plain dicts.

``make install`` puts axe-core under ``.venv/node`` (npm); ``LMS_AXE_JS`` may point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(
    os.environ.get("LMS_AXE_JS")
    or REPO_ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_available() -> bool:
    return AXE_JS.is_file()


def run_axe(page: Page, tags: list[str] | None = None) -> list[dict]:
    """Inject axe into ``page`` (once) and return its violations:
    ``{"id", "impact", "help", "targets": [selector, ...], "summary": first failure}``."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
                summary: v.nodes.length ? v.nodes[0].failureSummary : '',
            }));
        }""",
        tags or WCAG_TAGS,
    )
    return result


def describe(violations: list[dict]) -> str:
    """A readable report for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for target in v["targets"][:5]:
            lines.append(f"    at {target}")
        if v["summary"]:
            lines.append("    " + v["summary"].replace("\n", "\n    "))
    return "\n".join(lines)
