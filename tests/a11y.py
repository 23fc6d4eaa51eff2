"""axe-core in the browser tests: the accessibility rules every page must pass.

``tests/vendor/axe.min.js`` is axe-core (MPL-2.0, see ``axe-core.LICENSE``),
copied from the npm package so the suite needs nothing beside the repository.
It is evaluated through the DevTools protocol, so the pages' Content-Security-Policy
stays as strict as in production.
"""

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"


def axe_violations(page) -> list[str]:
    """Run axe-core on ``page`` as it is now; return one line per violation and node."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, help: v.help,
            nodes: v.nodes.map(n => n.target.join(" ") + " :: " + (n.failureSummary || "")
                .replace(/\\s+/g, " ").slice(0, 200))}));
    }""")
    return [f"{v['id']} ({v['help']}): {node}" for v in result for node in v["nodes"]]
