"""The verify page: a person pastes, uploads or addresses a credential and reads a verdict."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ...foreign_issuer import di_credential, did_key
from ...ledger_server import add_school, award, signed_credential
from ...loopback import listening
from .documents import (
    FOREIGN,
    OB3,
    baked_png,
    baked_svg,
    endorsed_credential,
    foreign_credential,
    png_chunks,
    presentation,
)
from .helpers import Pages, open_pages, text, verdict


def paste(pages: Pages, document: object, **fields: str) -> str:
    body = document if isinstance(document, str) else json.dumps(document)
    answer = pages.client.post("/verify", data={"credential": body, **fields})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_verify_page_has_a_labelled_form_without_scripts(pages: Pages) -> None:
    page = pages.client.get("/verify")
    assert page.status_code == 200
    assert '<label for="credential">' in page.text
    assert 'name="file"' in page.text
    assert "<script" not in page.text


def test_a_genuine_credential_pasted_is_valid(pages: Pages) -> None:
    _, vc = pages.award()
    html = paste(pages, vc)
    assert verdict(html) == "valid"
    words = text(html)
    assert "Hogeschool Zuid" in words
    assert "Study load (ECTS) 4" in words
    assert "EQF level 6" in words
    assert "eddsa-rdfc-2022" in words
    assert "Yes: an institution registered here" in words
    assert f'href="/issuers/{pages.school.issuer}"' in html


def test_a_revoked_credential_is_not_valid_and_says_revoked(pages: Pages) -> None:
    credential_id, vc = pages.award()
    pages.change(credential_id, "revoke")
    html = paste(pages, vc)
    assert verdict(html) == "invalid"
    assert re.search(r"revoked on \d{4}-\d\d-\d\d", text(html))


def test_a_suspended_credential_is_not_valid_and_says_suspended(pages: Pages) -> None:
    credential_id, vc = pages.award()
    pages.change(credential_id, "suspend")
    html = paste(pages, vc)
    assert verdict(html) == "invalid"
    assert re.search(r"suspended on \d{4}-\d\d-\d\d", text(html))


def test_one_changed_byte_fails_the_signature(pages: Pages) -> None:
    _, vc = pages.award()
    vc["credentialSubject"]["achievement"]["ECTS"] = 5
    html = paste(pages, vc)
    assert verdict(html) == "invalid"
    assert "the signature does not match" in text(html)


def test_a_foreign_status_list_that_cannot_be_read_leaves_it_undecided(pages: Pages) -> None:
    with listening() as foreign:  # answers 404 for every list
        vc = foreign_credential(f"{foreign.origin}/lists/1")
        html = paste(pages, vc)
    assert verdict(html) == "undecided"
    assert "the issuer's status list could not be read" in text(html)


def test_a_credential_with_no_proof_is_never_valid(pages: Pages) -> None:
    _, vc = pages.award()
    vc.pop("proof")
    assert verdict(paste(pages, vc)) == "invalid"


def test_text_that_is_no_json_is_answered_as_unreadable(pages: Pages) -> None:
    html = paste(pages, "this is not a credential")
    assert verdict(html) == "invalid"
    assert "could not be read as a credential" in text(html)


def test_a_json_file_uploaded_is_checked(pages: Pages) -> None:
    _, vc = pages.award()
    files = {"file": ("badge.json", json.dumps(vc).encode(), "application/json")}
    answer = pages.client.post("/verify", files=files)
    assert verdict(answer.text) == "valid"


def test_a_baked_png_uploaded_is_checked(pages: Pages) -> None:
    _, vc = pages.award()
    files = {"file": ("badge.png", baked_png(json.dumps(vc)), "image/png")}
    answer = pages.client.post("/verify", files=files)
    assert verdict(answer.text) == "valid"


def test_a_baked_png_with_a_compressed_credential_is_checked(pages: Pages) -> None:
    _, vc = pages.award()
    files = {"file": ("badge.png", baked_png(json.dumps(vc), compressed=True), "image/png")}
    assert verdict(pages.client.post("/verify", files=files).text) == "valid"


def test_a_baked_svg_uploaded_is_checked(pages: Pages) -> None:
    _, vc = pages.award()
    files = {"file": ("badge.svg", baked_svg(json.dumps(vc)), "image/svg+xml")}
    answer = pages.client.post("/verify", files=files)
    assert verdict(answer.text) == "valid"


def test_an_svg_declaring_entities_is_not_parsed(pages: Pages) -> None:
    svg = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'
    )
    answer = pages.client.post("/verify", files={"file": ("badge.svg", svg, "image/svg+xml")})
    assert verdict(answer.text) == "invalid"
    assert "root:" not in answer.text


def test_a_png_without_a_credential_says_so(pages: Pages) -> None:
    files = {"file": ("plain.png", png_chunks([]), "image/png")}
    answer = pages.client.post("/verify", files=files)
    assert verdict(answer.text) == "invalid"
    assert "holds no Open Badges credential" in text(answer.text)


def test_a_credential_at_a_url_is_fetched_and_checked(pages: Pages) -> None:
    _, vc = pages.award()
    with listening() as wallet:
        url = wallet.serve_json("/badge.json", vc)
        answer = pages.client.get("/verify", params={"url": url})
    assert verdict(answer.text) == "valid"


def test_a_url_on_a_private_address_is_not_fetched(tmp_path: Path) -> None:
    guarded = open_pages(tmp_path / "guarded", allow_private=False)
    with guarded.client, listening() as internal:
        answer = guarded.client.get("/verify", params={"url": f"{internal.origin}/x"})
        assert internal.connections == 0
    guarded.ledger.close()
    assert verdict(answer.text) == "undecided"


def test_a_presentation_with_the_wrong_challenge_is_not_valid(pages: Pages) -> None:
    _, vc = pages.award()
    vp = presentation(vc, challenge="right-challenge")
    html = paste(pages, vp, challenge="wrong-challenge")
    assert verdict(html) == "invalid"
    assert "Signed the presentation: No" in text(html)


def test_a_presentation_with_the_right_challenge_is_valid(pages: Pages) -> None:
    _, vc = pages.award()
    html = paste(pages, presentation(vc, challenge="c-42"), challenge="c-42")
    assert verdict(html) == "valid"
    assert "Yes, for the challenge given" in text(html)
    assert "Holder: did:key:" in text(html)


def test_a_proof_bundle_pasted_is_checked_with_its_log_proof(pages: Pages) -> None:
    _, vc = pages.award()
    bundle = pages.ledger.proofs.holder_bundle(vc)
    html = paste(pages, bundle)
    assert verdict(html) == "valid"
    words = text(html)
    assert "Checked: a proof bundle" in words
    assert "included in the log's signed checkpoint" in words


def test_a_credential_naming_this_ledger_but_not_in_its_log_is_not_valid(pages: Pages) -> None:
    _, vc = pages.award()
    other = open_pages(pages.ledger.settings.data_dir.parent / "other")
    try:
        # same base URL, another ledger: its issuer and log are not this one's
        with other.client:
            html = other.client.post("/verify", data={"credential": json.dumps(vc)}).text
    finally:
        other.ledger.close()
    assert verdict(html) != "valid"


def test_the_holder_may_download_the_proof_bundle_of_the_credential_presented(
    pages: Pages,
) -> None:
    _, vc = pages.award()
    html = paste(pages, vc)
    assert 'action="/verify/bundle"' in html
    answer = pages.client.post("/verify/bundle", data={"credential": json.dumps(vc)})
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.json()["credential"] == vc


def test_no_bundle_is_given_for_a_changed_credential(pages: Pages) -> None:
    _, vc = pages.award()
    vc["name"] = "changed"
    answer = pages.client.post("/verify/bundle", data={"credential": json.dumps(vc)})
    assert answer.status_code == 404
    assert "leaf" not in answer.text


def test_the_result_has_a_check_again_button_and_the_time_checked(pages: Pages) -> None:
    _, vc = pages.award()
    html = paste(pages, vc)
    assert "Check again" in html
    assert "Checked at" in html


def test_an_endorsement_carried_is_verified_in_turn(pages: Pages) -> None:
    html = paste(pages, endorsed_credential("A solid programme"))
    assert 'data-endorsement-verdict="valid"' in html
    assert "No: issued elsewhere" in text(html)
    assert "A solid programme" in text(html)


def test_a_changed_endorsement_is_shown_not_valid(pages: Pages) -> None:
    vc = endorsed_credential("A solid programme")
    inner = json.loads(json.dumps(vc["endorsement"][0]))
    inner["credentialSubject"]["endorsementComment"] = "The best programme ever"
    # signed anew around the changed endorsement: only the endorsement fails
    did, vm = did_key(FOREIGN)
    html = paste(pages, di_credential(FOREIGN, vm, did, contexts=(OB3,), endorsement=[inner]))
    assert verdict(html) == "valid"
    assert 'data-endorsement-verdict="invalid"' in html


def test_an_institution_here_with_a_did_key_is_known(pages: Pages) -> None:
    school = add_school(pages.ledger, "Academie Noord", did_method="key")
    credential_id = award(pages.ledger, school, "eva@example.org")
    pages.ledger.proof_bundle(credential_id)
    html = paste(pages, signed_credential(pages.ledger, credential_id))
    assert verdict(html) == "valid"
    words = text(html)
    assert "in the identifier itself (did:key)" in words
    assert "Yes: an institution registered here" in words


def test_an_svg_in_another_encoding_is_not_parsed(pages: Pages) -> None:
    svg = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE svg []><svg/>'.encode("utf-16")
    answer = pages.client.post("/verify", files={"file": ("badge.svg", svg, "image/svg+xml")})
    assert verdict(answer.text) == "invalid"
