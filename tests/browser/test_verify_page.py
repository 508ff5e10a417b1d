"""The verify page in a real browser, as an employer uses it (issue 14, point 4).

The page's contract, and nothing more, is what these tests rely on: ``GET /verify`` is a
form with the fields ``credential`` (pasted text), ``file`` (an upload) and
``challenge``; posting it answers the result page, whose verdict element carries
``data-verdict="valid|invalid|undecided"``; the language follows Accept-Language, and a
link with ``hreflang`` switches it. Elements are found by role, label, form field name
and ``data-verdict``, never by CSS class, so the pages are free in their markup.

Until ``/verify`` exists, these tests skip.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from credledger.crypto.data_integrity import add_proof
from credledger.crypto.keys import Ed25519KeyPair
from credledger.ledger.credentials.signing import document_loader
from credledger.ledger.domain.acts import Act

from ..foreign_issuer import CREATED, di_credential, did_key
from ..ledger_server import Live, School, add_school, award, signed_credential
from ..loopback import Listener, listening
from .accessibility import assert_accessible
from .conftest import OpenPage, Shoot
from .keyboard import assert_focus_visible, tab_through, tab_to
from .rig import DESKTOP

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page, Request

pytestmark = pytest.mark.browser

SCHOOL = "Hogeschool Leeuwarden"
FOREIGN = Ed25519KeyPair.from_seed(bytes(range(40, 72)))
HOLDER = Ed25519KeyPair.from_seed(bytes(range(80, 112)))
CHALLENGE = "c-2026-employer-7"
VC2 = "https://www.w3.org/ns/credentials/v2"


@dataclass
class Material:
    """Credentials made once for the module, each as an employer would receive it."""

    school: School
    valid: dict[str, Any]
    revoked: dict[str, Any]
    suspended: dict[str, Any]
    unreachable_status: dict[str, Any]
    presentation: dict[str, Any]
    bundle: dict[str, Any]


@pytest.fixture(scope="module")
def foreign_lists() -> Iterator[Listener]:
    """A foreign issuer's host whose status lists cannot be read (every path is 404)."""
    with listening() as server:
        yield server


@pytest.fixture(scope="module", autouse=True)
def verify_page_is_there(live: Live) -> None:
    answer = httpx.get(f"{live.url}/verify", timeout=10)
    if answer.status_code == 404:
        pytest.skip("GET /verify answers 404: the verify page (issue 14) is not here yet")


@pytest.fixture(scope="module")
def material(live: Live, foreign_lists: Listener) -> Material:
    ledger = live.ledger
    school = add_school(ledger, SCHOOL, suspendable=True)
    valid = award(ledger, school, "anna@example.org")
    revoked = award(ledger, school, "bram@example.org")
    suspended = award(ledger, school, "cato@example.org")
    acting = Act(str(school.issuer))
    ledger.change_status(acting, revoked, "revoke", "issued in error")
    ledger.change_status(acting, suspended, "suspend", "under investigation")
    did, vm = did_key(FOREIGN)
    lists = f"{foreign_lists.origin}/lists/1"
    unreachable = di_credential(
        FOREIGN,
        vm,
        did,
        credentialStatus={
            "id": f"{lists}#7",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": lists,
        },
    )
    return Material(
        school,
        signed_credential(ledger, valid),
        signed_credential(ledger, revoked),
        signed_credential(ledger, suspended),
        unreachable,
        presentation(signed_credential(ledger, valid), live.url),
        ledger.proof_bundle(valid),
    )


def presentation(vc: dict[str, Any], ledger_url: str) -> dict[str, Any]:
    """``vc`` presented by its holder, signed for :data:`CHALLENGE` (the ledger's own
    context, at ``ledger_url``, is one the credential uses)."""
    holder, vm = did_key(HOLDER)
    vp = {
        "@context": [VC2],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [vc],
    }
    return add_proof(
        vp,
        HOLDER,
        vm,
        proof_purpose="authentication",
        created=CREATED,
        loader=document_loader(ledger_url),
        challenge=CHALLENGE,
    )


def baked_png(credential: dict[str, Any]) -> bytes:
    """A 1x1 PNG with the credential in an ``openbadgecredential`` iTXt chunk (OB 3.0
    baking), made here so the test does not trust the page's own reader to make it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    itxt = b"openbadgecredential\0\0\0\0\0" + json.dumps(credential).encode("utf-8")
    pixels = zlib.compress(b"\x00\xff")
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"iTXt", itxt),
            chunk(b"IDAT", pixels),
            chunk(b"IEND", b""),
        ]
    )


def one_byte_changed(vc: dict[str, Any]) -> str:
    """The credential's JSON with one letter of its achievement's name changed."""
    text = json.dumps(vc, indent=1)
    name = "Data Literacy for Teachers"
    assert name in text
    return text.replace(name, name.replace("Teachers", "Teachert"), 1)


def open_form(page: Page, live: Live) -> Locator:
    """The verify page; returns its form (the one with the ``credential`` field)."""
    page.goto(f"{live.url}/verify")
    form = page.locator("form").filter(has=page.locator("[name=credential]"))
    form.wait_for()
    return form


def submit_button(form: Locator) -> Locator:
    """The form's submit button (a file input, too, has the role button)."""
    return form.locator("button:not([type=button]):not([type=reset]), input[type=submit]").first


def verdict(page: Page) -> Locator:
    """The result's verdict element, once the result page is there."""
    element = page.locator("[data-verdict]")
    element.wait_for()
    assert element.count() == 1
    return element


def verdict_box(page: Page) -> str:
    """The text of the innermost section (or article, div) around the verdict: where the
    page says why, as distinct from the details every result page shows."""
    around = page.locator("section, article, div").filter(has=page.locator("[data-verdict]"))
    return around.last.inner_text()


def check_text(page: Page, live: Live, text: str, challenge: str | None = None) -> Locator:
    """Paste ``text`` into the form (and a challenge), press its button, return the verdict."""
    form = open_form(page, live)
    form.locator("[name=credential]").fill(text)
    if challenge is not None:
        form.locator("[name=challenge]").fill(challenge)
    submit_button(form).click()
    return verdict(page)


def check_file(page: Page, live: Live, name: str, data: bytes, mime: str) -> Locator:
    form = open_form(page, live)
    form.locator("[name=file]").set_input_files({"name": name, "mimeType": mime, "buffer": data})
    submit_button(form).click()
    return verdict(page)


def main_text(page: Page) -> str:
    return page.get_by_role("main").inner_text()


def names_the_date(text: str, day: datetime) -> bool:
    """Whether ``text`` gives ``day`` as 2026-12-02 or as 2 December 2026 (or Dutch)."""
    months = {
        "en": "January February March April May June July August September October "
        "November December",
        "nl": "januari februari maart april mei juni juli augustus september oktober "
        "november december",
    }
    spellings = [day.strftime("%Y-%m-%d"), f"{day.day}-{day.month}-{day.year}"]
    for names in months.values():
        month = names.split()[day.month - 1]
        spellings.append(f"{day.day} {month} {day.year}")
    return any(s.lower() in text.lower() for s in spellings)


def test_an_employer_pastes_a_valid_credential_and_sees_valid(
    live: Live, material: Material, page: Page, shoot: Shoot
) -> None:
    shown = check_text(page, live, json.dumps(material.valid, indent=2))
    assert shown.get_attribute("data-verdict") == "valid"
    assert re.search(r"\bvalid\b", shown.inner_text(), re.IGNORECASE)
    text = main_text(page)
    assert SCHOOL in text
    assert re.search(r"ECTS\D{0,40}\b4\b", text), "the ECTS (4) are not shown"
    shoot(page, "valid")


def test_a_revoked_credential_is_not_valid_and_says_revoked_and_when(
    live: Live, material: Material, page: Page, shoot: Shoot
) -> None:
    shown = check_text(page, live, json.dumps(material.revoked))
    assert shown.get_attribute("data-verdict") == "invalid"
    said = [line for line in verdict_box(page).splitlines() if "revoked" in line.lower()]
    assert said, "the verdict does not say revoked"
    today = datetime.now(UTC)
    assert any(names_the_date(line, today) for line in said), f"no date with it: {said}"
    shoot(page, "revoked")


def test_a_suspended_credential_is_not_valid_and_says_suspended(
    live: Live, material: Material, open_page: OpenPage, shoot: Shoot
) -> None:
    page = open_page(DESKTOP)
    shown = check_text(page, live, json.dumps(material.suspended))
    assert shown.get_attribute("data-verdict") == "invalid"
    assert "suspended" in verdict_box(page).lower()
    shoot(page, "suspended")


def test_one_changed_byte_is_not_valid_for_its_signature(
    live: Live, material: Material, open_page: OpenPage, shoot: Shoot
) -> None:
    page = open_page(DESKTOP)
    shown = check_text(page, live, one_byte_changed(material.valid))
    assert shown.get_attribute("data-verdict") == "invalid"
    assert "signature" in verdict_box(page).lower()
    shoot(page, "changed-byte")


def test_an_unreadable_status_list_could_not_be_checked(
    live: Live, material: Material, page: Page, shoot: Shoot
) -> None:
    shown = check_text(page, live, json.dumps(material.unreachable_status))
    assert shown.get_attribute("data-verdict") == "undecided"
    assert "could not be checked" in shown.inner_text().lower()
    assert "status" in verdict_box(page).lower()
    shoot(page, "undecided")


def test_a_presentation_for_another_challenge_is_not_valid(
    live: Live, material: Material, open_page: OpenPage, shoot: Shoot
) -> None:
    page = open_page(DESKTOP)
    text = json.dumps(material.presentation)
    right = check_text(page, live, text, challenge=CHALLENGE)
    assert right.get_attribute("data-verdict") == "valid"
    shoot(page, "right-challenge")
    wrong = check_text(page, live, text, challenge="a-challenge-never-given")
    assert wrong.get_attribute("data-verdict") == "invalid"
    assert "challenge" in verdict_box(page).lower()
    shoot(page, "wrong-challenge")


def test_an_uploaded_proof_bundle_is_checked(
    live: Live, material: Material, open_page: OpenPage, shoot: Shoot
) -> None:
    page = open_page(DESKTOP)
    data = json.dumps(material.bundle).encode()
    shown = check_file(page, live, "proof-bundle.json", data, "application/json")
    assert shown.get_attribute("data-verdict") == "valid"
    assert SCHOOL in main_text(page)
    shoot(page, "bundle")


def test_an_uploaded_baked_png_is_checked(
    live: Live, material: Material, open_page: OpenPage, shoot: Shoot
) -> None:
    page = open_page(DESKTOP)
    shown = check_file(page, live, "badge.png", baked_png(material.valid), "image/png")
    assert shown.get_attribute("data-verdict") == "valid"
    assert SCHOOL in main_text(page)
    shoot(page, "baked-png")


def test_the_page_speaks_dutch_or_english_and_switches(
    live: Live, material: Material, open_page: OpenPage, shoot: Shoot
) -> None:
    english = open_page(DESKTOP, locale="en-GB")
    english.goto(f"{live.url}/verify")
    assert english.locator("html").get_attribute("lang") == "en"
    dutch = open_page(DESKTOP, locale="nl-NL")
    dutch.goto(f"{live.url}/verify")
    assert dutch.locator("html").get_attribute("lang") == "nl"
    heading = english.get_by_role("heading", level=1).inner_text()
    assert dutch.get_by_role("heading", level=1).inner_text() != heading
    shoot(dutch, "nl")
    dutch.locator("a[hreflang=en]").click()
    dutch.wait_for_url(re.compile(r"/verify"))
    assert dutch.locator("html").get_attribute("lang") == "en"
    assert dutch.get_by_role("heading", level=1).inner_text() == heading
    shoot(dutch, "switched-to-en")
    dutch.locator("a[hreflang=nl]").click()
    assert dutch.locator("html").get_attribute("lang") == "nl"
    shown = check_text(dutch, live, json.dumps(material.valid))
    assert shown.get_attribute("data-verdict") == "valid"
    assert dutch.locator("html").get_attribute("lang") == "nl"
    shoot(dutch, "nl-valid")


def test_keyboard_alone_checks_a_credential(
    live: Live, material: Material, page: Page, shoot: Shoot
) -> None:
    page.goto(f"{live.url}/verify")
    stops = tab_through(page)
    assert_focus_visible(stops)
    page.goto(f"{live.url}/verify")
    form = page.locator("form").filter(has=page.locator("[name=credential]"))
    tab_to(page, form.locator("[name=credential]"))
    page.keyboard.insert_text(json.dumps(material.valid))  # as a paste would
    tab_to(page, submit_button(form))
    shoot(page, "keyboard-before-enter")
    page.keyboard.press("Enter")
    assert verdict(page).get_attribute("data-verdict") == "valid"
    assert_focus_visible(tab_through(page))


@pytest.mark.parametrize("case", ["form", "valid", "revoked", "undecided", "unreadable"])
def test_the_pages_pass_the_accessibility_scan(
    live: Live, material: Material, page: Page, shoot: Shoot, case: str
) -> None:
    texts = {
        "valid": json.dumps(material.valid),
        "revoked": json.dumps(material.revoked),
        "undecided": json.dumps(material.unreachable_status),
        "unreadable": "this is no credential",
    }
    if case == "form":
        open_form(page, live)
    else:
        check_text(page, live, texts[case])
    shoot(page, f"axe-{case}")
    assert_accessible(page)


def test_the_verify_page_s_first_load_is_at_most_100_kb(live: Live, open_page: OpenPage) -> None:
    """Issue 14, point 5: everything the first visit fetches, headers and bodies, as sent."""
    page = open_page(DESKTOP)
    answers: list[Request] = []
    page.on("requestfinished", lambda request: answers.append(request))
    page.goto(f"{live.url}/verify")
    page.wait_for_load_state("networkidle")
    sizes = {r.url: r.sizes() for r in answers}
    total = sum(s["responseHeadersSize"] + s["responseBodySize"] for s in sizes.values())
    assert f"{live.url}/verify" in sizes
    assert total <= 100 * 1024, {url: s["responseBodySize"] for url, s in sizes.items()}
