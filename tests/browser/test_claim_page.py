"""The claim page in a real browser, as a learner opens the link the institution sent
(issue 15): readable at phone and desktop width, usable by keyboard alone, passing the
accessibility scan, loading nothing from elsewhere; a guarded claim's code form says
what is wrong with a wrong code.

Elements are found by role, label and form field name, never by CSS class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ..ledger_server import Live, add_school
from .accessibility import assert_accessible
from .conftest import Shoot
from .keyboard import assert_focus_visible, tab_through, tab_to

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def offered(live: Live, **claim: Any) -> dict[str, Any]:
    school = add_school(live.ledger, "Hogeschool Leeuwarden")
    r = httpx.post(
        f"{live.url}/v1/credentials",
        json={
            "achievement_id": str(school.achievement),
            "recipient": {"email": "learner@example.nl"},
            "claim": claim or True,
        },
        headers={"Authorization": f"Bearer {school.token}"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return dict(r.json()["claim"])


def test_the_claim_page_offers_the_wallet_links(live: Live, page: Page, shoot: Shoot) -> None:
    claim = offered(live)
    page.goto(claim["url"])
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Your credential is ready for your wallet"
    )
    assert page.get_by_role("img", name="QR code of this offer, for a wallet").is_visible()
    assert (
        page.get_by_role("link", name="Open in your wallet").get_attribute("href")
        == (claim["offer"])
    )
    lcw = page.get_by_role("link", name="Open in the Learner Credential Wallet")
    assert (lcw.get_attribute("href") or "").startswith("https://lcw.app/mobile?request=")
    shoot(page, "open")
    assert_accessible(page)
    assert_focus_visible(tab_through(page))


def test_a_guarded_claim_asks_for_its_code_by_keyboard(
    live: Live, page: Page, shoot: Shoot
) -> None:
    claim = offered(live, tx_code=True)
    page.goto(claim["url"])
    field = page.get_by_label("Transaction code")
    tab_to(page, field)
    page.keyboard.insert_text("not-the-code")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text().startswith("That is not the code")
    shoot(page, "wrong-code")
    assert_accessible(page)
    tab_to(page, page.get_by_label("Transaction code"))
    page.keyboard.insert_text(claim["tx_code"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    download = page.get_by_role("link", name="Download the credential")
    download.wait_for()
    assert "/credential?p=" in (download.get_attribute("href") or "")
    shoot(page, "code-given")
    assert_accessible(page)


def test_the_claim_page_in_dutch(live: Live, open_page: Any, shoot: Shoot) -> None:
    claim = offered(live)
    page = open_page(locale="nl-NL")
    page.goto(claim["url"])
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("link", name="Openen in je wallet").is_visible()
    shoot(page, "nl")
    assert_accessible(page)
