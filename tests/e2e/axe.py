"""The accessibility check of QUALITY.md U1: axe-core (vendored, zhichi/static/vendor/axe-core/)
run in the page a browser test has open, failing on serious or critical violations.

How axe gets into the page. ``page.add_script_tag(path=...)`` puts the file's text into an inline
``<script>``, which our Content-Security-Policy (``script-src 'self'``, nothing inline) refuses:
Playwright raises, and Chromium logs the refusal as a console error, which fails the test by
itself (tests/e2e/conftest.py). A context with ``bypass_csp=True`` would load it, but switches the
policy off for the whole page, hiding the very CSP violations the browser tests are there to
catch, and needs a context of its own. ``page.evaluate`` of the file's text runs through the
DevTools protocol, which the page's CSP does not govern: axe loads into the page the test is
looking at, the policy stays on for everything else, and nothing is logged (axe itself needs no
``eval``). The file is never served to a page by the application.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_DIR = Path(__file__).resolve().parents[2] / "zhichi" / "static" / "vendor" / "axe-core"
DEFAULT_IMPACTS = ("serious", "critical")

# the violations only (no passes, no incomplete), each with what the report needs: the nodes'
# CSS selectors (a list per node: the way in through frames or shadow roots) and axe's own words
# on what to fix
_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    help_url: v.helpUrl,
    targets: v.nodes.map(n => n.target.flat().join(' ')),
    summaries: v.nodes.map(n => n.failureSummary || ''),
  }));
}"""


@cache
def _source() -> str:
    return (AXE_DIR / "axe.min.js").read_text(encoding="utf-8")


@cache
def version() -> str:
    return (AXE_DIR / "VERSION").read_text(encoding="ascii").strip()


def violations(page, *, impacts: tuple[str, ...] = DEFAULT_IMPACTS) -> list[dict]:
    """axe-core's violations in ``page`` as it is now, of the given impacts ("minor",
    "moderate", "serious", "critical"), in axe's order: dicts with ``id``, ``impact``, ``help``,
    ``help_url``, ``targets`` (one CSS selector per offending node) and ``summaries`` (axe's
    "Fix any of the following" per node). Loads axe into the page first when it is not there
    (a navigation drops it)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    found = page.evaluate(_RUN)
    return [v for v in found if v["impact"] in impacts]


def describe(found: list[dict]) -> str:
    """The violations as a readable list: impact, rule, what to do, and where."""
    lines = []
    for v in found:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['help_url']})")
        for target, summary in zip(v["targets"], v["summaries"], strict=True):
            lines.append(f"    at {target}")
            lines.extend(f"      {line.strip()}" for line in summary.splitlines() if line.strip())
    return "\n".join(lines)


def assert_accessible(page, what: str, *, impacts: tuple[str, ...] = DEFAULT_IMPACTS) -> None:
    """Fail (``AssertionError``) when axe finds violations of ``impacts`` in ``page``, listing
    each with where it is and how to fix it; ``what`` names the page in the message."""
    found = violations(page, impacts=impacts)
    if found:
        raise AssertionError(
            f"{what}: {len(found)} accessibility violation(s) of impact {' or '.join(impacts)} "
            f"(axe-core {version()}, {page.url}):\n{describe(found)}"
        )
