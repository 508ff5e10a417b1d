"""Issued credentials validate against the Open Badges 3.0 JSON schemas and the matching
SURF edubadges profile schemas (SURF's are not vendored: those tests skip without them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from credledger.ledger.acts import ADMIN, Act

from .edubadges_material import EdubadgesMaterial
from .http_helpers import microcredential_definition

VARIANTS = {
    "microcredential": {},
    "regular": {"education_program_identifier": 34567, "eqf_level": 6, "ects": 15},
    "extracurricular": {
        "ects": None,
        "eqf_level": None,
        "quality_assurance": None,
        "participation": None,
        "assessment": None,
        "supervision": None,
        "identity_checked": None,
    },
    "microcredential_sbu": {"ects": None, "sbu": 240},
}


def read_schema(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text("utf-8")))


def ob3_schema(test_data: Path, name: str) -> dict[str, Any]:
    return read_schema(test_data / "schemas" / "ob3" / name)


def validate(document: dict[str, Any], schema_doc: dict[str, Any]) -> None:
    validator_class = jsonschema.validators.validator_for(schema_doc)
    validator = validator_class(schema_doc, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def validate_ob3(vc: dict[str, Any], ob3: dict[str, Any]) -> None:
    """The whole credential against the OB 3.0 schema, with one documented exception.

    OB 3.0 allows at most one credentialStatus (an object); credledger gives every
    credential two BitstringStatusListEntry entries (revocation and suspension, as VC
    2.0 and Bitstring Status List allow). Each entry must satisfy the schema's
    CredentialStatus definition, and the credential must satisfy the schema with the
    revocation entry alone.
    """
    entries = vc["credentialStatus"]
    assert isinstance(entries, list) and len(entries) == 2
    for entry in entries:
        definition = {"$schema": ob3["$schema"], "$defs": ob3["$defs"]}
        validate(entry, {**definition, "$ref": "#/$defs/CredentialStatus"})
    single = {**vc, "credentialStatus": entries[0]}
    validate(single, ob3)


def issue(ledger: Any, name: str) -> dict[str, Any]:
    variant = name.split("_")[0]
    school = ledger.register_issuer(Act(ADMIN), "Hogeschool", "https://hs.example.nl")
    actor = str(school.issuer.id)
    definition = microcredential_definition(variant=variant, **VARIANTS[name])
    achievement = ledger.define_achievement(Act(actor), definition)
    vc: dict[str, Any] = ledger.issue_credential(
        Act(actor),
        achievement.id,
        {"email": "learner@example.nl"},
        evidence=[{"narrative": "Portfolio", "url": "https://hs.example.nl/p/1"}],
        result={"value": "8"},
    ).vc
    return vc


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_issued_credentials_satisfy_the_ob3_schema(ledger: Any, test_data: Path, name: str) -> None:
    vc = issue(ledger, name)
    validate_ob3(vc, ob3_schema(test_data, "ob_v3p0_achievementcredential_schema.json"))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_issued_credentials_satisfy_their_edubadges_schemas(
    ledger: Any, edubadges: EdubadgesMaterial, name: str
) -> None:
    vc = issue(ledger, name)
    for entry in vc["credentialSchema"]:
        if "edubadges" in entry["id"] or "educredentials" in entry["id"]:
            file = entry["id"].rsplit("/", 1)[1]
            validate(vc, read_schema(edubadges.schema(file)))
    assert any(e["id"].endswith(f"{name.split('_')[0]}.json") for e in vc["credentialSchema"])


def test_endorsements_satisfy_the_ob3_endorsement_schema(ledger: Any, test_data: Path) -> None:
    school = ledger.register_issuer(Act(ADMIN), "Hogeschool")
    other = ledger.register_issuer(Act(ADMIN), "Universiteit")
    achievement = ledger.define_achievement(
        Act(str(school.issuer.id)), microcredential_definition()
    )
    _, document = ledger.endorse(Act(str(other.issuer.id)), str(achievement.id), "Well designed")
    validate(document, ob3_schema(test_data, "ob_v3p0_endorsementcredential_schema.json"))
