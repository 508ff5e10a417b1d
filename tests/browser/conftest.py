"""Fixtures for the browser tests: Debian's Chromium, pages at phone and desktop width
that may reach 127.0.0.1 only, screenshots kept as test artefacts, a live ledger.

Every page comes from a fresh browser context (its own cookies and storage). Requests
to any other host are refused and fail the test: the pages must bundle what they use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ..ledger_server import Live, live_ledger
from .rig import CHROMIUM_ARGS, DESKTOP, PHONE, RequestLog, Viewport, find_chromium, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

OpenPage = Callable[..., "Page"]
Shoot = Callable[["Page", str], Path]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium, driven by Playwright (one per test module: Playwright's
    synchronous API keeps an event loop on this thread, which the other tests' own
    ``asyncio.run`` must not meet)."""
    executable, reason = find_chromium()
    if executable is None:
        pytest.skip(reason)
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is in the [dev] extra (scripts/setup)"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def request_log() -> RequestLog:
    """Every URL this test's pages asked for; ``offsite`` the ones that were refused."""
    return RequestLog()


@pytest.fixture
def open_page(chromium: Browser, request_log: RequestLog) -> Iterator[OpenPage]:
    """Opens a page: ``open_page(viewport=DESKTOP, locale="en-GB")``.

    The locale sets both ``navigator.language`` and the Accept-Language header.
    """
    contexts = []

    def open_(viewport: Viewport = DESKTOP, locale: str = "en-GB") -> Page:
        context = chromium.new_context(
            viewport={"width": viewport.width, "height": viewport.height},
            locale=locale,
            service_workers="block",  # so every request passes the route below
        )
        context.set_default_timeout(15_000)
        context.route("**/*", request_log.route)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()
    assert not request_log.offsite, f"requests left 127.0.0.1: {request_log.offsite}"


@pytest.fixture(params=[PHONE, DESKTOP], ids=lambda v: v.name)
def viewport(request: pytest.FixtureRequest) -> Viewport:
    """Both widths: a test that takes this fixture runs at phone and at desktop width."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def page(open_page: OpenPage, viewport: Viewport) -> Page:
    """An English page at the test's viewport."""
    return open_page(viewport)


@pytest.fixture
def shoot(request: pytest.FixtureRequest) -> Shoot:
    """``shoot(page, label)``: a full-page screenshot in test-artefacts/screenshots/."""
    return lambda page, label: screenshot(page, request.node.name, label)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A ledger served on 127.0.0.1 for the module's tests (its base URL is that address).

    Its guarded fetcher may reach 127.0.0.1, where the tests' foreign issuers live.
    """
    with live_ledger(tmp_path_factory.mktemp("ledger") / "data", allow_private_fetch=True) as it:
        yield it
