"""The verify page names the institutions here that recognised exactly the credential shown."""

from __future__ import annotations

import json
from typing import Any

from credledger.ledger.domain.acts import Act

from ...ledger_server import add_school
from .helpers import Pages, text, verdict


def paste(pages: Pages, document: dict[str, Any]) -> str:
    answer = pages.client.post("/verify", data={"credential": json.dumps(document)})
    assert answer.status_code == 200, answer.text
    return answer.text


def recognise(pages: Pages, vc: dict[str, Any], name: str, decision: str, **terms: Any) -> Any:
    institution = add_school(pages.ledger, name)
    return institution, pages.ledger.recognise(
        Act(str(institution.issuer)), vc, decision, terms.get("ects"), terms.get("exemption")
    )


def test_a_recognition_here_is_shown_with_its_credits(pages: Pages) -> None:
    _, vc = pages.award()
    institution, _ = recognise(pages, vc, "Universiteit Oost", "recognised", ects=4)
    html = paste(pages, vc)
    assert verdict(html) == "valid"
    words = text(html)
    assert "Recognised by institutions in this ledger" in words
    assert "Universiteit Oost" in words
    assert "4 ECTS" in words
    assert f'href="/issuers/{institution.issuer}"' in html


def test_a_recognition_is_shown_in_dutch(pages: Pages) -> None:
    _, vc = pages.award()
    recognise(pages, vc, "Universiteit Oost", "recognised", ects=4, exemption="INF-101")
    answer = pages.client.post(
        "/verify", data={"credential": json.dumps(vc)}, headers={"Accept-Language": "nl"}
    )
    words = text(answer.text)
    assert "Erkend door instellingen in dit register" in words
    assert "4 EC" in words
    assert "vrijstelling voor INF-101" in words


def test_a_rejection_is_not_shown(pages: Pages) -> None:
    _, vc = pages.award()
    recognise(pages, vc, "Universiteit Oost", "rejected")
    html = paste(pages, vc)
    assert "data-recognition" not in html
    assert "Universiteit Oost" not in text(html)


def test_a_withdrawn_recognition_is_not_shown(pages: Pages) -> None:
    _, vc = pages.award()
    institution, recognition = recognise(pages, vc, "Universiteit Oost", "recognised", ects=4)
    pages.ledger.recognitions.withdraw(Act(str(institution.issuer)), recognition.id, "mistake")
    html = paste(pages, vc)
    assert "data-recognition" not in html


def test_a_copy_that_differs_from_the_recognised_one_learns_nothing(pages: Pages) -> None:
    _, vc = pages.award()
    recognise(pages, vc, "Universiteit Oost", "recognised", ects=4)
    changed = json.loads(json.dumps(vc))
    changed["name"] = "Another name under the same id"
    html = paste(pages, changed)
    assert verdict(html) == "invalid"
    assert "Universiteit Oost" not in text(html)
