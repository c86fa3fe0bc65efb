"""axe-core in the browser tests: the accessibility violations of the page a test is on.

axe-core comes from npm, pinned in package.json / package-lock.json (`make node_modules`,
which `make test` runs when npm is on PATH). Without it the checks skip on a laptop and
fail in CI (LEADFLOW_REQUIRE_SERVICES=1), like the other outside parts in tests/conftest.py.

    violations = axe_violations(page)
    assert not violations, format_violations(violations, page.url)
"""

import functools
from pathlib import Path

from tests.conftest import require

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# axe's default rule set: every rule that is not experimental, i.e. WCAG 2.0, 2.1 and 2.2
# A/AA plus best practice (landmarks, one <h1>, heading order...). A runOnly list of tags
# would be no faster (colour contrast is most of the time) and would silently drop the
# rules of a WCAG version left out of it. The page's iframes are not entered: each one
# (the hosted capture form) is a page of its own and is checked at its own address, and
# axe would otherwise wait for an answer from frames it was not injected into.
# resultTypes: only violations get their nodes' details (passes are not serialised).
_RUN = """async ([impacts]) => {
    const results = await window.axe.run(document, {
        resultTypes: ["violations"],
        iframes: false,
        elementRef: false,
    });
    return results.violations
        .filter((v) => impacts.includes(v.impact))
        .map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            helpUrl: v.helpUrl,
            tags: v.tags,
            nodes: v.nodes.map((n) => ({
                target: n.target,
                html: n.html,
                summary: n.failureSummary,
            })),
        }));
}"""


@functools.cache
def _axe_source() -> str:
    # A trailing `;` ends the last statement; Playwright takes a string that does not look
    # like a function for an expression and runs it as it is.
    return AXE_JS.read_text() + "\n;"


def require_axe() -> None:
    require(AXE_JS.exists(), "needs axe-core in node_modules/: run `make node_modules` (with npm)")


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """The axe-core violations of these impacts on the page as it is now, with their nodes.

    Each: {"id", "impact", "help", "helpUrl", "tags", "nodes": [{"target", "html", "summary"}]}.
    axe is injected once per document (again only after a navigation).
    """
    require_axe()
    # Not page.add_script_tag(): it inlines the file as a <script> without our nonce, and
    # the CSP (script-src 'self' 'nonce-…') blocks it and logs a violation, the very thing
    # the browser tests look for. Nor bypass_csp=True: it would switch off the CSP that
    # these tests check. page.evaluate() runs through the DevTools protocol, which the
    # page's CSP does not govern, and adds nothing to the document.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(_RUN, [list(impacts)])


def format_violations(violations: list[dict], where: str = "", *, selectors: int = 3) -> str:
    """One readable block per violation for an assertion message: rule, impact, help, nodes."""
    if not violations:
        return "no accessibility violations"
    lines = [f"{len(violations)} accessibility violation(s)" + (f" on {where}" if where else "") + ":"]
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} [{len(nodes)} node(s)]")
        for node in nodes[:selectors]:
            summary = " ".join((node.get("summary") or "").split())
            lines.append(f"    {' >> '.join(node['target'])}" + (f"  — {summary[:160]}" if summary else ""))
        if len(nodes) > selectors:
            lines.append(f"    … and {len(nodes) - selectors} more")
        lines.append(f"    {violation['helpUrl']}")
    return "\n".join(lines)


def format_pages(found: dict[str, list[dict]], *, pages: int = 3) -> str:
    """The violations of many pages ({url: axe_violations(...)}), each told once with the pages it is on.

    A fault in the base template would otherwise be repeated for every page crawled.
    """
    where: dict[str, list[str]] = {}
    told: dict[str, dict] = {}
    for url, violations in found.items():
        for violation in violations:
            key = f"{violation['id']} {[node['target'] for node in violation['nodes']]}"
            told.setdefault(key, violation)
            where.setdefault(key, []).append(url)
    blocks = []
    for key, violation in told.items():
        urls = where[key]
        on = ", ".join(urls[:pages]) + (f" and {len(urls) - pages} more page(s)" if len(urls) > pages else "")
        blocks.append(format_violations([violation], on))
    return "\n\n".join(blocks) if blocks else "no accessibility violations"
