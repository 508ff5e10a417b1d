"""What the browser tests drive: Debian's Chromium through Playwright, kept on 127.0.0.1.

Playwright's Python wheel carries its own driver; the browser is the system Chromium
(``executable_path``), so nothing is ever downloaded (``playwright install`` is never
run). ``scripts/browser`` installs Debian's chromium and names it in
``CREDLEDGER_TEST_CHROMIUM``; without it, the browser tests skip and say why.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artefacts" / "screenshots"

# Without the background-networking flags Chromium tries to reach its vendor's services
# (and, with no network, waits for them); a new empty profile comes with each launch.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-breakpad",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about"}


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int


PHONE = Viewport("phone", 390, 844)
DESKTOP = Viewport("desktop", 1280, 800)


def find_chromium() -> tuple[str | None, str]:
    """(path of Chromium, "") or (None, why there is none)."""
    reason = os.environ.get("CREDLEDGER_TEST_BROWSER_SKIP")
    if reason:
        return None, f"no browser for the tests: {reason}"
    for candidate in (
        os.environ.get("CREDLEDGER_TEST_CHROMIUM"),
        "/usr/lib/chromium/chromium",
        shutil.which("chromium"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate, ""
    return None, (
        "no Chromium: scripts/browser installs Debian's chromium "
        "(scripts/test runs it; or set CREDLEDGER_TEST_CHROMIUM)"
    )


@dataclass
class RequestLog:
    """Every request the pages of one test made; any to another host is refused."""

    urls: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        url = route.request.url
        self.urls.append(url)
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.offsite.append(url)
            route.abort("blockedbyclient")


def artefact_name(test_name: str, label: str) -> str:
    """A file name from a test's node name (with its parameters) and a label."""
    words = re.findall(r"[A-Za-z0-9_.]+", f"{test_name} {label}")
    return "-".join(words) + ".png"


def screenshot(page: Page, test_name: str, label: str) -> Path:
    """The whole page as a PNG under test-artefacts/screenshots/ (kept for people)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / artefact_name(test_name, label)
    page.screenshot(path=str(path), full_page=True)
    return path
