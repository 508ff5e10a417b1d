"""The browser rig itself: Chromium loads the ledger's pages from 127.0.0.1 alone, takes
screenshots, and its accessibility and keyboard checks catch what they should.

The small pages are served by tests/loopback.py, as a site would serve them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator

import pytest

from ..ledger_server import Live
from ..loopback import Listener, Route, listening
from .accessibility import AXE, AXE_SHA256, assert_accessible, axe_violations, describe
from .conftest import OpenPage, Shoot
from .keyboard import assert_focus_visible, tab_through, tab_to
from .rig import DESKTOP, REPO, RequestLog, Viewport

pytestmark = pytest.mark.browser

GOOD = """<!doctype html><html lang="en"><head><title>A tidy page</title></head>
<body><main><h1>A tidy page</h1><p><a href="#one">One link</a></p>
<label for="q">Search</label> <input id="q" name="q"> <button>Go</button></main></body></html>"""
BAD = """<!doctype html><html><head></head>
<body><img src="/nothing.png"><button></button><a href="#"></a></body></html>"""
NO_FOCUS = GOOD.replace("<head>", "<head><style>:focus { outline: none }</style>")
OWN_FOCUS = GOOD.replace(
    "<head>",
    "<head><style>:focus { outline: none } :focus-visible { background: #ffd400 }</style>",
)


@pytest.fixture
def site() -> Iterator[Listener]:
    with listening() as server:
        yield server


def serve_html(site: Listener, path: str, html: str) -> str:
    site.routes[path] = Route(200, html.encode(), {"Content-Type": "text/html; charset=utf-8"})
    return f"{site.origin}{path}"


def test_the_vendored_axe_core_is_the_published_file() -> None:
    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256
    sri = "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert sri in (AXE.parent / "README.md").read_text("utf-8")
    assert (AXE.parent / "LICENSE").read_text("utf-8").startswith("Mozilla Public License")


def test_the_api_docs_come_from_this_server_alone(
    live: Live, open_page: OpenPage, viewport: Viewport, request_log: RequestLog, shoot: Shoot
) -> None:
    page = open_page(viewport)
    page.goto(f"{live.url}/docs")
    page.get_by_role("heading", name="credledger").first.wait_for()
    page.wait_for_load_state("networkidle")
    shot = shoot(page, "docs")
    assert shot.stat().st_size > 0
    assert f"{live.url}/docs/assets/swagger-ui-bundle.js" in request_log.urls
    assert f"{live.url}/openapi.json" in request_log.urls
    assert request_log.offsite == []


def test_the_api_docs_findings_are_written_down(live: Live, open_page: OpenPage) -> None:
    """Swagger UI is not ours to fix: its findings are kept in test-artefacts/axe/docs.json
    (and shown with -rA); the test holds that the scan ran and found what it reports."""
    page = open_page(DESKTOP)
    page.goto(f"{live.url}/docs")
    page.get_by_role("heading", name="credledger").first.wait_for()
    violations = axe_violations(page)
    out = REPO / "test-artefacts" / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / "docs.json").write_text(json.dumps(violations, indent=1), "utf-8")
    print(describe(violations) or "no violations")
    assert all(v["impact"] in {"minor", "moderate", "serious", "critical"} for v in violations)


def test_the_scan_fails_on_serious_or_critical_violations_and_names_them(
    site: Listener, open_page: OpenPage
) -> None:
    page = open_page()
    page.goto(serve_html(site, "/bad", BAD))
    with pytest.raises(AssertionError) as failed:
        assert_accessible(page)
    for rule in ("image-alt", "button-name", "html-has-lang", "document-title", "link-name"):
        assert rule in str(failed.value)


def test_the_scan_passes_a_tidy_page(site: Listener, open_page: OpenPage) -> None:
    page = open_page()
    page.goto(serve_html(site, "/good", GOOD))
    assert_accessible(page)


def test_the_scan_runs_under_a_strict_content_security_policy(
    site: Listener, open_page: OpenPage
) -> None:
    """The ledger's pages allow no inline script; the scan must run there all the same."""
    site.routes["/strict"] = Route(
        200,
        GOOD.encode(),
        {"Content-Type": "text/html", "Content-Security-Policy": "default-src 'none'"},
    )
    page = open_page()
    page.goto(f"{site.origin}/strict")
    assert_accessible(page)


def test_a_request_to_another_host_is_refused_and_recorded(
    site: Listener, open_page: OpenPage, request_log: RequestLog
) -> None:
    html = GOOD.replace("</body>", '<script src="https://cdn.example.test/x.js"></script></body>')
    page = open_page()
    page.goto(serve_html(site, "/cdn", html))
    assert request_log.offsite == ["https://cdn.example.test/x.js"]
    request_log.offsite.clear()  # seen; the fixture would fail the test on it


def test_tab_reaches_every_control_and_focus_shows(site: Listener, open_page: OpenPage) -> None:
    page = open_page()
    page.goto(serve_html(site, "/good", GOOD))
    stops = tab_through(page)
    assert [s.tag for s in stops] == ["a", "input", "button"]
    assert stops[1].name == "Search"
    assert_focus_visible(stops)


def test_focus_hidden_by_the_page_is_caught(site: Listener, open_page: OpenPage) -> None:
    page = open_page()
    page.goto(serve_html(site, "/no-focus", NO_FOCUS))
    with pytest.raises(AssertionError, match="focus cannot be seen"):
        assert_focus_visible(tab_through(page))


def test_focus_shown_the_page_s_own_way_counts(site: Listener, open_page: OpenPage) -> None:
    page = open_page()
    page.goto(serve_html(site, "/own-focus", OWN_FOCUS))
    stops = tab_through(page)
    assert {s.shown_by for s in stops} == {"pixels"}
    assert_focus_visible(stops)


def test_tab_to_a_control_counts_the_presses(site: Listener, open_page: OpenPage) -> None:
    page = open_page()
    page.goto(serve_html(site, "/good", GOOD))
    assert tab_to(page, page.get_by_role("button", name="Go")) == 3
    page.keyboard.type("x")  # typing on a button types nothing anywhere
    assert page.get_by_label("Search").input_value() == ""


def test_the_landing_page_if_there_is_one(
    live: Live, open_page: OpenPage, viewport: Viewport, request_log: RequestLog, shoot: Shoot
) -> None:
    page = open_page(viewport)
    answer = page.goto(f"{live.url}/")
    assert answer is not None
    if answer.status == 404:
        pytest.skip("GET / answers 404: no landing page yet (issue 14)")
    assert answer.status == 200
    shoot(page, "landing")
    assert_accessible(page)
    assert_focus_visible(tab_through(page))
    assert request_log.offsite == []
