"""The catalogue, an achievement's page and an institution's profile, for people."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from credledger.ledger.domain.acts import Act

from ...http_helpers import microcredential_definition
from .helpers import Pages, open_pages, text


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[Pages]:
    opened = open_pages(tmp_path / "data")
    definition = microcredential_definition(
        name="Welding Basics", description="Safe welding in the workshop.", eqf_level=4, ects=3
    )
    opened.ledger.define_achievement(Act(str(opened.school.issuer)), definition)
    with opened.client:
        yield opened
    opened.ledger.close()


def test_the_catalogue_finds_an_achievement_by_a_word(pages: Pages) -> None:
    page = pages.client.get("/catalogue", params={"q": "welding"})
    assert page.status_code == 200
    words = text(page.text)
    assert "Welding Basics" in words
    assert "Data Literacy for Teachers" not in words


def test_the_catalogue_filters_by_eqf_level(pages: Pages) -> None:
    words = text(pages.client.get("/catalogue", params={"eqf": "6"}).text)
    assert "Data Literacy for Teachers" in words
    assert "Welding Basics" not in words


def test_the_catalogue_filters_by_an_ects_range(pages: Pages) -> None:
    words = text(pages.client.get("/catalogue", params={"ects_min": "3.5"}).text)
    assert "Data Literacy for Teachers" in words
    assert "Welding Basics" not in words


def test_unreadable_filters_are_ignored_not_errors(pages: Pages) -> None:
    page = pages.client.get("/catalogue", params={"eqf": "x", "ects_min": "NaN", "variant": "?"})
    assert page.status_code == 200
    assert "Welding Basics" in text(page.text)


def test_an_achievement_page_shows_its_standard_elements(pages: Pages) -> None:
    achievement = pages.school.achievement
    page = pages.client.get(f"/catalogue/{achievement}")
    assert page.status_code == 200
    words = text(page.text)
    for shown in ("Study load (ECTS) 4", "EQF level 6", "Cleans a data set", "Hogeschool Zuid"):
        assert shown in words
    assert f'href="/issuers/{pages.school.issuer}"' in page.text


def test_an_institution_page_shows_its_identity_keys_and_achievements(pages: Pages) -> None:
    page = pages.client.get(f"/issuers/{pages.school.issuer}")
    assert page.status_code == 200
    words = text(page.text)
    assert "Hogeschool Zuid" in words
    assert "did:web:ledger.example.test" in words
    assert "in force" in words
    assert "Welding Basics" in words


def test_an_unknown_institution_or_achievement_is_a_404_page(pages: Pages) -> None:
    for path in ("/issuers/00000000-0000-4000-8000-000000000000", "/catalogue/not-a-uuid"):
        page = pages.client.get(path)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")


def test_the_catalogue_in_dutch(pages: Pages) -> None:
    page = pages.client.get("/catalogue", headers={"Accept-Language": "nl"})
    assert "Catalogus" in text(page.text)
