"""An accessibility scan with axe-core (vendored in vendor/axe-core), as a test assertion.

The script is evaluated through the DevTools protocol, so a page's own
Content-Security-Policy (which rightly allows no inline script) does not keep it out.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, f"{AXE} is not the vendored file"
    return data.decode("utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (every impact)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    results: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
    )
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per rule and one per offending element (its selector and axe's summary)."""
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical axe-core violation, listing each."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core found on {page.url}:\n{describe(blocking)}"
