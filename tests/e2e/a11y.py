"""axe-core, injected by Playwright: every page state a browser test reaches is audited.

`shot()` audits before each screenshot and the `new_page` fixture audits every page still open
when a test ends; a serious or critical violation fails the test. Every audit is appended to
`test-artifacts/axe/audits.jsonl` and the session writes `test-artifacts/axe/summary.json`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.app_process import REPO

AXE_JS = REPO / ".tools" / "node_modules" / "axe-core" / "axe.min.js"  # `make setup-dev`
RESULTS = REPO / "test-artifacts" / "axe"
BLOCKING = ("serious", "critical")

_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 8).map(n => ({target: n.target.join(" "),
                                          html: n.html.slice(0, 160),
                                          summary: (n.failureSummary || "").slice(0, 300)})),
    count: v.nodes.length}));
}"""


def audit(page, where: str) -> list[dict]:
    """The axe violations on `page` as it is now; recorded under `where` (test and step)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text())
    violations = page.evaluate(_RUN)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (RESULTS / "audits.jsonl").open("a") as out:
        out.write(json.dumps({"where": where, "url": page.url, "viewport": page.viewport_size,
                              "violations": violations}) + "\n")
    return violations


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']} {v['id']} ({v['count']} nodes): {v['help']}")
        lines.extend(f"    {n['target']}: {n['html']}\n      {n['summary']}" for n in v["nodes"])
    return "\n".join(lines)


def assert_accessible(page, where: str) -> None:
    found = blocking(audit(page, where))
    assert not found, f"axe found serious/critical violations at {where} ({page.url}):\n" + describe(found)


def write_summary() -> Path | None:
    """Totals over every audit of the session: pages audited and violations by impact and rule."""
    log = RESULTS / "audits.jsonl"
    if not log.exists():
        return None
    audits = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    impacts, rules = Counter(), Counter()
    for entry in audits:
        for v in entry["violations"]:
            impacts[v["impact"]] += 1
            rules[f"{v['impact']} {v['id']}"] += 1
    summary = {"audits": len(audits), "pages": sorted({a["url"].split("?")[0] for a in audits}),
               "violations_by_impact": dict(impacts), "violations_by_rule": dict(rules)}
    path = RESULTS / "summary.json"
    path.write_text(json.dumps(summary, indent=2) + "\n")
    return path
