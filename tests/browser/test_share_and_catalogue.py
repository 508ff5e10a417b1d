"""A learner's share link and the catalogue, in a real browser (issue 14, points 2-4).

The contract relied on: a share link ``<base>/c/<token>`` opens the result page (verdict
in ``data-verdict``) with a QR code (an image named for the link), links to download
the credential and its proof bundle; ending the sharing makes the link a 404 page; the
catalogue is a search form (field ``q``) whose results link to each achievement's page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from credledger.ledger.domain.acts import Act

from ..ledger_server import Live, School, add_school, award, signed_credential
from .accessibility import assert_accessible
from .conftest import OpenPage, Shoot
from .keyboard import tab_to
from .rig import DESKTOP

if TYPE_CHECKING:
    from uuid import UUID

    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

SCHOOL = "Hogeschool Leeuwarden"
ACHIEVEMENT = "Data Literacy for Teachers"


@dataclass
class Shared:
    school: School
    credential_id: UUID
    credential: dict[str, Any]


@pytest.fixture(scope="module")
def shared(live: Live) -> Shared:
    school = add_school(live.ledger, SCHOOL)
    credential_id = award(live.ledger, school, "dana@example.org")
    live.ledger.proof_bundle(credential_id)  # lists published, a checkpoint made
    return Shared(school, credential_id, signed_credential(live.ledger, credential_id))


def new_link(live: Live, shared: Shared) -> str:
    token = live.ledger.sharing.share(Act(str(shared.school.issuer)), shared.credential_id)
    return f"{live.url}/c/{token}"


def test_a_share_link_opens_the_verified_credential_with_its_qr_code(
    live: Live, shared: Shared, page: Page, shoot: Shoot
) -> None:
    page.goto(new_link(live, shared))
    verdict = page.locator("[data-verdict]")
    verdict.wait_for()
    assert verdict.get_attribute("data-verdict") == "valid"
    assert SCHOOL in page.get_by_role("main").inner_text()
    qr = page.get_by_role("img", name="QR code of this link")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 100  # large enough to scan from a screen
    shoot(page, "share-link")


def test_the_link_downloads_the_credential_and_its_proof_bundle(
    live: Live, shared: Shared, open_page: OpenPage
) -> None:
    page = open_page(DESKTOP)
    page.goto(new_link(live, shared))
    for name, check in (
        ("Download the credential (JSON)", lambda d: d == shared.credential),
        ("Download the proof bundle", lambda d: d["credential"] == shared.credential),
    ):
        with page.expect_download() as info:
            page.get_by_role("link", name=name).click()
        path = info.value.path()
        assert check(json.loads(path.read_text())), name


def test_an_ended_link_opens_nothing(
    live: Live, shared: Shared, open_page: OpenPage, shoot: Shoot
) -> None:
    page = open_page(DESKTOP)
    link = new_link(live, shared)
    assert page.goto(link).status == 200  # type: ignore[union-attr]
    live.ledger.sharing.unshare(Act(str(shared.school.issuer)), shared.credential_id)
    answer = page.goto(link)
    assert answer is not None
    assert answer.status == 404
    assert page.locator("[data-verdict]").count() == 0
    assert "opens nothing" in page.get_by_role("main").inner_text()
    shoot(page, "ended")


def test_the_shared_page_passes_the_accessibility_scan(
    live: Live, shared: Shared, page: Page
) -> None:
    page.goto(new_link(live, shared))
    page.locator("[data-verdict]").wait_for()
    assert_accessible(page)


def test_the_catalogue_search_finds_the_achievement_by_keyboard(
    live: Live, shared: Shared, open_page: OpenPage, shoot: Shoot
) -> None:
    page = open_page(DESKTOP)
    page.goto(f"{live.url}/catalogue")
    field = page.locator("[name=q]")
    tab_to(page, field)
    page.keyboard.type("literacy")
    page.keyboard.press("Enter")
    page.wait_for_url("**/catalogue?*q=literacy*")
    result = page.get_by_role("link", name=ACHIEVEMENT).first
    result.wait_for()
    shoot(page, "catalogue")
    result.click()
    page.wait_for_url("**/catalogue/*")
    text = page.get_by_role("main").inner_text()
    assert ACHIEVEMENT in text
    assert "ECTS" in text
    assert_accessible(page)
