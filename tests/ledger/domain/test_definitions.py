"""Achievement definitions follow the Dutch edubadges variants and name every broken rule."""

from __future__ import annotations

from typing import Any

import pytest
from credledger.ledger.domain.definitions import validate_definition
from credledger.ledger.domain.errors import DefinitionInvalidError

from ...http_helpers import microcredential_definition


def microcredential(**changes: Any) -> dict[str, Any]:
    return microcredential_definition(**{"valid_for_days": None, **changes})


def fields_named(exc: DefinitionInvalidError) -> set[str]:
    return {str(e.loc[0]) for e in exc.errors}


def test_a_complete_microcredential_is_accepted() -> None:
    assert validate_definition(microcredential())["variant"] == "microcredential"


@pytest.mark.parametrize(
    "missing",
    [
        "participation",
        "assessment",
        "supervision",
        "identity_checked",
        "eqf_level",
        "quality_assurance",
        "language",
        "learning_outcomes",
        "criteria",
    ],
)
def test_a_microcredential_lacking_a_required_element_is_refused_naming_it(missing: str) -> None:
    with pytest.raises(DefinitionInvalidError) as caught:
        validate_definition(microcredential(**{missing: None}))
    assert missing in fields_named(caught.value)


def test_a_microcredential_needs_a_study_load() -> None:
    with pytest.raises(DefinitionInvalidError) as caught:
        validate_definition(microcredential(ects=None))
    assert "ects" in fields_named(caught.value)


@pytest.mark.parametrize("ects", [2.5, 30.5, 3.25, "four", True])
def test_microcredential_ects_must_be_3_to_30_in_half_steps(ects: object) -> None:
    with pytest.raises(DefinitionInvalidError) as caught:
        validate_definition(microcredential(ects=ects))
    assert fields_named(caught.value) == {"ects"}


def test_sbu_may_replace_ects_but_not_accompany_it() -> None:
    assert validate_definition(microcredential(ects=None, sbu=240))["sbu"] == 240
    with pytest.raises(DefinitionInvalidError) as caught:
        validate_definition(microcredential(sbu=240))
    assert "sbu" in fields_named(caught.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("participation", "in the pub"),
        ("assessment", "vibes"),
        ("supervision", "none"),
        ("variant", "nano"),
        ("eqf_level", 9),
        ("identity_checked", "yes"),
    ],
)
def test_values_outside_the_profile_are_refused(field: str, value: object) -> None:
    with pytest.raises(DefinitionInvalidError) as caught:
        validate_definition(microcredential(**{field: value}))
    assert field in fields_named(caught.value)


def test_an_extracurricular_badge_needs_no_study_load_or_alignment() -> None:
    definition = microcredential(
        variant="extracurricular",
        ects=None,
        eqf_level=None,
        quality_assurance=None,
        participation=None,
        assessment=None,
        supervision=None,
        identity_checked=None,
    )
    assert validate_definition(definition)["variant"] == "extracurricular"


def test_a_regular_badge_needs_its_programme_code_and_one_alignment() -> None:
    definition = microcredential(variant="regular", eqf_level=None, quality_assurance=None)
    with pytest.raises(DefinitionInvalidError) as caught:
        validate_definition(definition)
    assert {"education_program_identifier", "eqf_level"} <= fields_named(caught.value)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(DefinitionInvalidError) as caught:
        validate_definition(microcredential(colour="blue"))
    assert fields_named(caught.value) == {"colour"}


def test_every_broken_rule_is_reported_at_once() -> None:
    with pytest.raises(DefinitionInvalidError) as caught:
        validate_definition(microcredential(name=None, assessment=None, eqf_level=0))
    assert {"name", "assessment", "eqf_level"} <= fields_named(caught.value)
