"""Results follow the definition: it declares the result, the achievement publishes it as
its ResultDescription, and an award whose result does not fit is refused."""

from __future__ import annotations

from typing import Any

import pytest
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.errors import DefinitionInvalidError, RequestInvalidError

from ...http_helpers import microcredential_definition


def school_with(ledger: Any, result: Any) -> tuple[str, Any]:
    school = ledger.register_issuer(Act(ADMIN), "Hogeschool")
    actor = str(school.issuer.id)
    definition = microcredential_definition(result=result)
    return actor, ledger.define_achievement(Act(actor), definition)


def issue(ledger: Any, actor: str, achievement: Any, value: str) -> dict[str, Any]:
    vc: dict[str, Any] = ledger.issue_credential(
        Act(actor), achievement.id, {"email": "learner@example.nl"}, result={"value": value}
    ).vc
    return vc


def result_of(vc: dict[str, Any]) -> dict[str, Any]:
    return dict(vc["credentialSubject"]["result"][0])


def refused_value(ledger: Any, actor: str, achievement: Any, value: str) -> str:
    before = ledger.read_model.db["credentials"].count
    with pytest.raises(RequestInvalidError) as caught:
        issue(ledger, actor, achievement, value)
    assert ledger.read_model.db["credentials"].count == before
    (error,) = caught.value.errors
    assert error.loc[-2:] == ("result", "value")
    return error.msg


def test_a_status_result_signs_no_grade(ledger: Any) -> None:
    actor, achievement = school_with(ledger, None)
    assert "Completed" in refused_value(ledger, actor, achievement, "8.5")
    assert result_of(issue(ledger, actor, achievement, "completed"))["value"] == "Completed"


def test_the_default_result_description_is_unchanged(ledger: Any) -> None:
    _, achievement = school_with(ledger, None)
    (description,) = ledger.achievement_document(achievement)["resultDescription"]
    assert description["resultType"] == "Status"
    assert description["allowedValue"] == ["Completed"]


def test_a_grade_is_a_dutch_grade_from_1_to_10(ledger: Any) -> None:
    actor, achievement = school_with(ledger, "grade")
    (description,) = ledger.achievement_document(achievement)["resultDescription"]
    assert (description["valueMin"], description["valueMax"]) == ("1", "10")
    assert result_of(issue(ledger, actor, achievement, "7,5"))["value"] == "7.5"
    for wrong in ("11", "0.5", "8.55", "good", "NaN"):
        assert "1 to 10" in refused_value(ledger, actor, achievement, wrong)


def test_a_pass_mark_refuses_lower_results(ledger: Any) -> None:
    actor, achievement = school_with(ledger, {"type": "percentage", "pass_mark": 55})
    (description,) = ledger.achievement_document(achievement)["resultDescription"]
    assert description["requiredValue"] == "55"
    assert result_of(issue(ledger, actor, achievement, "85%"))["value"] == "85"
    assert "pass mark" in refused_value(ledger, actor, achievement, "54.5")


def test_fail_earns_no_pass_fail_credential(ledger: Any) -> None:
    actor, achievement = school_with(ledger, "pass_fail")
    assert result_of(issue(ledger, actor, achievement, "pass"))["value"] == "Pass"
    assert "Fail" in refused_value(ledger, actor, achievement, "Fail")


@pytest.mark.parametrize(
    ("result", "field"),
    [("letters", "type"), ({"type": "status", "pass_mark": 5}, "pass_mark"),
     ({"type": "grade", "pass_mark": 12}, "pass_mark"), ({"type": "grade", "scale": 10}, "scale")],
)  # fmt: skip
def test_a_definition_with_an_impossible_result_is_refused_naming_it(
    ledger: Any, result: Any, field: str
) -> None:
    school = ledger.register_issuer(Act(ADMIN), "Hogeschool")
    with pytest.raises(DefinitionInvalidError) as caught:
        ledger.define_achievement(
            Act(str(school.issuer.id)), microcredential_definition(result=result)
        )
    assert [e.loc[-1] for e in caught.value.errors] == [field]
