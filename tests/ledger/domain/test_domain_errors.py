"""Domain errors name what went wrong in the ledger's words; the API and the CLI each map
every one of them through one table; field paths are the command's own, with no
transport prefix (the API adds ``body`` itself)."""

from __future__ import annotations

import io
import tokenize
from typing import Any

import pytest
from credledger.api.problems import PROBLEM_TYPES, from_ledger_error, problem_type_of
from credledger.cli.errors import (
    FAILURES,
    answer_error,
    command_error,
    failure_of,
    failure_of_answer,
)
from credledger.ledger.credentials.request_checks import (
    check_evidence,
    check_given_credential,
    check_reason,
    check_result,
    cryptosuite_option,
)
from credledger.ledger.domain import errors
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.definitions import validate_definition
from credledger.ledger.domain.errors import (
    DefinitionInvalidError,
    FieldError,
    InvalidInputError,
    LedgerError,
    RequestInvalidError,
)
from credledger.ledger.domain.recipients import parse_recipient
from credledger.ledger.domain.results import check_result_field, fit_result
from credledger.ledger.store.vault import SubjectErasedError

from ...conftest import REPO
from ...http_helpers import microcredential_definition

ALSO_MAPPED = (SubjectErasedError,)
"""Errors outside LedgerError that both tables answer too."""


def every_ledger_error() -> list[type[Exception]]:
    found: list[type[Exception]] = []
    todo: list[type[Exception]] = [LedgerError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted({*found, *ALSO_MAPPED}, key=lambda cls: cls.__name__)


ERRORS = every_ledger_error()


# -- one table each, and total ---------------------------------------------------------------


@pytest.mark.parametrize("error", ERRORS, ids=lambda cls: cls.__name__)
def test_the_api_table_names_every_domain_error(error: type[Exception]) -> None:
    assert error in PROBLEM_TYPES, f"api/problems.py PROBLEM_TYPES has no entry for {error}"


@pytest.mark.parametrize("error", ERRORS, ids=lambda cls: cls.__name__)
def test_the_cli_table_names_every_domain_error(error: type[Exception]) -> None:
    assert error in FAILURES, f"cli/errors.py FAILURES has no entry for {error}"


@pytest.mark.parametrize("error", ERRORS, ids=lambda cls: cls.__name__)
def test_both_modes_of_the_cli_say_what_the_server_answers(error: type[Exception]) -> None:
    """Local mode reports the status the server answers; remote mode finds the same entry
    by the problem type the server names."""
    answered = PROBLEM_TYPES[error]
    failure = FAILURES[error]
    assert (failure.status, failure.problem) == (answered.status, answered.slug)
    assert failure_of_answer(PROBLEM_BASE_URI + answered.slug, answered.status) == failure


PROBLEM_BASE_URI = "https://credledger.org/problems/"


def test_the_problem_types_stay_as_documented() -> None:
    """The public problem types and their statuses (docs/, clients rely on them)."""
    assert {
        (kind.slug, kind.status, kind.title) for kind in PROBLEM_TYPES.values()
    } == {
        ("bad-request", 400, "Bad request"),
        ("out-of-range", 400, "Bad request"),
        ("invalid-proof", 400, "Bad request"),
        ("invalid-nonce", 400, "Bad request"),
        ("forbidden", 403, "Forbidden"),
        ("not-found", 404, "Not found"),
        ("conflict", 409, "Conflict"),
        ("already-revoked", 409, "Conflict"),
        ("not-suspendable", 409, "Conflict"),
        ("achievement-archived", 409, "Conflict"),
        ("erased", 410, "Gone"),
        ("claim-closed", 410, "Gone"),
        ("claim-used", 410, "Gone"),
        ("claim-expired", 410, "Gone"),
        ("claim-withdrawn", 410, "Gone"),
        ("not-deliverable", 409, "Conflict"),
        ("tx-code-required", 403, "Forbidden"),
        ("tx-code-mismatch", 403, "Forbidden"),
        ("tx-code-locked", 429, "Too many requests"),
        ("holder-not-authenticated", 403, "Forbidden"),
        ("invalid-token", 401, "Authentication required"),
        ("unsupported-holder", 422, "Validation failed"),
        ("validation", 422, "Validation failed"),
        ("invalid-definition", 422, "Validation failed"),
        ("idempotency-key-reused", 422, "Validation failed"),
        ("credential-not-verified", 422, "Validation failed"),
        ("not-an-achievement-credential", 422, "Validation failed"),
        ("credential-invalid", 422, "Validation failed"),
        ("credential-undecided", 422, "Validation failed"),
        ("not-yet-anchored", 503, "Service unavailable"),
    }  # fmt: skip


def test_docs_api_md_names_every_problem_type() -> None:
    documented = (REPO / "docs" / "api.md").read_text("utf-8")
    for kind in PROBLEM_TYPES.values():
        assert f"`{kind.slug}`" in documented, kind.slug


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (errors.UnknownIssuerError("no issuer x"), 404, "not-found"),
        (errors.NotYourCredentialError("only the issuer"), 403, "forbidden"),
        (errors.AlreadyRevokedError("revoked"), 409, "already-revoked"),
        (errors.InvalidTransitionError("suspended"), 409, "conflict"),
        (errors.CredentialIdTakenError("taken"), 409, "conflict"),
        (errors.IdempotencyKeyReusedError("reused"), 422, "idempotency-key-reused"),
        (errors.PresentedCredentialUndecidedError(["undecided"]), 422, "credential-undecided"),
    ],
)
def test_an_error_is_answered_by_its_entry(error: Exception, status: int, slug: str) -> None:
    assert (problem_type_of(error).status, problem_type_of(error).slug) == (status, slug)
    assert command_error(error).status == status


def test_a_new_kind_of_error_is_answered_as_its_nearest_ancestor() -> None:
    class UnknownPageError(errors.NotKnownError):
        pass

    assert problem_type_of(UnknownPageError("no page")).status == 404
    assert failure_of(UnknownPageError("no page")).status == 404


def test_the_cli_entries_that_share_a_problem_type_agree() -> None:
    """Remote mode finds an entry by the problem type alone: it must be one answer."""
    by_problem: dict[str, set[Any]] = {}
    for failure in FAILURES.values():
        by_problem.setdefault(failure.problem, set()).add(failure)
    assert {slug: len(found) for slug, found in by_problem.items() if len(found) > 1} == {}


# -- field paths carry no transport prefix ---------------------------------------------------


def refusal(call: Any, *args: Any) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        call(*args)
    return caught.value


def paths_of(error: InvalidInputError) -> list[tuple[str | int, ...]]:
    assert error.errors
    return [e.loc for e in error.errors]


def _checked_result_field(value: Any) -> None:
    found: list[FieldError] = []
    check_result_field(value, found)
    raise RequestInvalidError(found)


REFUSALS = {
    "definition": (validate_definition, {"name": "Partial", "variant": "microcredential"}),
    "not a definition": (validate_definition, ["a list"]),
    "recipient": (parse_recipient, {"email": "nobody"}),
    "result": (check_result, {"value": True}),
    "evidence": (check_evidence, [{"narrative": ""}]),
    "reason": (check_reason, ""),
    "cryptosuite": (cryptosuite_option, {"cryptosuite": "rsa"}),
    "result kind": (_checked_result_field, "marks"),
    "fit": (fit_result, {"result": {"type": "status"}}, "8.5"),
    "given credential": (check_given_credential, {"proof": {}}, None, "did:web:x"),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_the_ledgers_field_paths_are_relative_to_the_commands_input(name: str) -> None:
    call, *args = REFUSALS[name]
    for loc in paths_of(refusal(call, *args)):
        assert "body" not in loc, loc


def test_the_api_puts_the_ledgers_paths_in_the_body() -> None:
    error = refusal(parse_recipient, {"email": "nobody"})
    problem = from_ledger_error(error)
    assert problem.errors == [{"loc": ["body", "recipient", "email"], "msg": error.errors[0].msg}]
    assert problem.detail == f"body.recipient.email: {error.errors[0].msg}"
    whole = from_ledger_error(refusal(validate_definition, ["a list"]))
    assert whole.errors is not None
    assert whole.errors[0]["loc"] == ["body"]


def test_the_cli_names_the_ledgers_paths_as_they_are() -> None:
    said = command_error(refusal(parse_recipient, {"email": "nobody"}))
    assert [p.loc for p in said.errors] == ["recipient.email"]
    assert "body" not in said.detail


def test_the_cli_names_the_servers_paths_without_the_body() -> None:
    said = answer_error(
        {
            "type": PROBLEM_BASE_URI + "validation",
            "detail": "body.recipient.email: is not an email address",
            "errors": [{"loc": ["body", "recipient", "email"], "msg": "is not an email address"}],
        },
        422,
    )
    assert said.detail == "recipient.email: is not an email address"
    assert [p.loc for p in said.errors] == ["recipient.email"]
    assert said.hint == FAILURES[RequestInvalidError].hint


def test_use_cases_refuse_naming_fields_without_a_transport_prefix(ledger: Any) -> None:
    issuer = ledger.register_issuer(Act(ADMIN), "School").issuer
    act = Act(str(issuer.id))
    with pytest.raises(DefinitionInvalidError) as undefined:
        ledger.define_achievement(act, {"name": "Partial", "variant": "microcredential"})
    achievement = ledger.define_achievement(act, microcredential_definition())
    with pytest.raises(RequestInvalidError) as unawarded:
        ledger.issue_credential(act, achievement.id, {"email": "nobody"})
    with pytest.raises(RequestInvalidError) as unsigned:
        ledger.given.issue(act, issuer.id, {"proof": {}}, None)
    for refused in (undefined.value, unawarded.value, unsigned.value):
        assert all("body" not in e.loc for e in refused.errors), refused.errors


LEFT_IN_APPLICATION = 0
"""ledger/application.py named ``"body"`` in its field paths until it was split into
ledger/services/ (issue 12); none is left."""


def test_the_ledger_source_names_no_transport_in_field_paths() -> None:
    named = [
        f"{path.relative_to(REPO)}:{token.start[0]}"
        for path in sorted((REPO / "ledger").rglob("*.py"))
        for token in tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline)
        if token.type == tokenize.STRING and token.string in ('"body"', "'body'")
    ]
    assert len(named) <= LEFT_IN_APPLICATION, named


def test_no_http_status_names_the_ledgers_errors() -> None:
    named = {cls.__name__ for cls in ERRORS}
    for status_word in ("NotFound", "Forbidden", "Conflict", "BadRequest", "Unprocessable"):
        assert not [name for name in named if status_word in name]
