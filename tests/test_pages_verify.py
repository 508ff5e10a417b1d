"""The verify page: a person pastes, uploads or addresses a credential and reads a verdict."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from .pages_helpers import Pages, open_pages, text, verdict


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[Pages]:
    opened = open_pages(tmp_path / "data")
    with opened.client:
        yield opened
    opened.ledger.close()


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
