"""Open Badges 3.0 documents rendered from the ledger's state (unsigned).

Profiles, achievements and credentials are derived data: the events hold the facts,
these functions give them their OB 3.0 / VC 2.0 shape. The Dutch edubadges extension
terms are defined in credledger's own JSON-LD context (bundled, and served by the
server at ``{base_url}/contexts/edubadges/v1``), because SURF's published context is
invalid JSON-LD.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from credledger.ledger.domain.results import result_description

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_ENDORSEMENT_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
EDUBADGES_SCHEMA_BASE = (
    "https://raw.githubusercontent.com/educredentials/obv3-examples/refs/heads/main/schemas/"
)
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"
LOG_KEY_TYPE = "ext:transparencyLogKey"
RECIPIENT_TYPES = {"email": "emailAddress", "eduid": "ext:eduID", "did": "identifier"}


OPEN_BADGE_TYPES = frozenset(
    {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"}
)


def is_open_badge(document: dict[str, Any]) -> bool:
    """Whether a credential is an OB 3.0 one (its schema wants ``proof`` as an array)."""
    types = document.get("type")
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    return any(t in OPEN_BADGE_TYPES for t in names)


def extension_context_url(base_url: str) -> str:
    return f"{base_url}/contexts/edubadges/v1"


def rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def achievement_url(base_url: str, achievement_id: UUID) -> str:
    return f"{base_url}/v1/achievements/{achievement_id}"


def issuer_url(base_url: str, issuer_id: UUID) -> str:
    return f"{base_url}/v1/issuers/{issuer_id}"


def issuer_profile(
    base_url: str,
    issuer_id: UUID,
    did: str,
    name: str,
    url: str | None,
    email: str | None,
    *,
    with_context: bool = True,
    log_key: str | None = None,
) -> dict[str, Any]:
    """The issuer's OB 3.0 Profile; its id is the DID that signs, so verifiers find the key.

    ``log_key``: the C2SP verifier key of the transparency log its credentials are in
    (its name is the log's origin); signed into every credential, it is the issuer
    vouching for that log, so a proof bundle from any other log fails."""
    profile: dict[str, Any] = {}
    if with_context:
        profile["@context"] = [VC_V2, OB_V3]
    profile.update({"id": did, "type": ["Profile"], "name": name})
    if url:
        profile["url"] = url
    if email:
        profile["email"] = email
    profile["otherIdentifier"] = [
        {
            "type": "IdentifierEntry",
            "identifier": issuer_url(base_url, issuer_id),
            "identifierType": "systemId",
        }
    ]
    if log_key is not None:
        profile["otherIdentifier"].append(
            {"type": "IdentifierEntry", "identifier": log_key, "identifierType": LOG_KEY_TYPE}
        )
    return profile


def _number(value: Any) -> int | float:
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def achievement_document(
    base_url: str,
    achievement_id: UUID,
    definition: dict[str, Any],
    creator: dict[str, Any],
    *,
    with_context: bool = True,
) -> dict[str, Any]:
    """The OB 3.0 Achievement for a definition, with the edubadges extension terms."""
    d = definition
    doc: dict[str, Any] = {}
    if with_context:
        doc["@context"] = [VC_V2, OB_V3, extension_context_url(base_url)]
    url = achievement_url(base_url, achievement_id)
    doc.update(
        {
            "id": url,
            "type": ["Achievement", "EducredentialAchievement"],
            "name": d["name"],
            "description": d["description"],
            "criteria": {"narrative": d["criteria"]},
            "achievementType": "MicroCredential" if d["variant"] == "microcredential" else "Badge",
            "creator": creator,
            "inLanguage": d["language"],
            "image": {"id": _image_url(d, url), "type": "Image"},
            "learningOutcome": list(d["learning_outcomes"]),
            "resultDescription": [result_description(d, url)],
        }
    )
    if "ects" in d:
        doc["ECTS"] = _number(d["ects"])
        doc["creditsAvailable"] = _number(d["ects"])
    if "sbu" in d:
        doc["SBU"] = d["sbu"]
    alignment = _alignment(d, url)
    if alignment:
        doc["alignment"] = alignment
    doc.update(_extension_terms(d))
    return doc


def _alignment(d: dict[str, Any], url: str) -> list[dict[str, Any]]:
    """Quality assurance and EQF level, as OB 3.0 alignments."""
    alignment: list[dict[str, Any]] = []
    qa = d.get("quality_assurance")
    if qa:
        entry: dict[str, Any] = {
            "type": ["Alignment"],
            "targetType": "ext:QualityAssurance",
            "targetName": qa["name"],
            "targetUrl": qa.get("url") or f"{url}#quality-assurance",
        }
        if qa.get("description"):
            entry["targetDescription"] = qa["description"]
        alignment.append(entry)
    if "eqf_level" in d:
        alignment.append(
            {
                "type": ["Alignment"],
                "targetType": "ext:EQF",
                "targetName": f"EQF level {d['eqf_level']}",
                "targetCode": str(d["eqf_level"]),
                "targetFramework": "European Qualifications Framework",
                "targetUrl": f"http://data.europa.eu/snb/eqf/{d['eqf_level']}",
            }
        )
    return alignment


def _extension_terms(d: dict[str, Any]) -> dict[str, Any]:
    """The edubadges extension terms a definition gives (in the document's order)."""
    doc: dict[str, Any] = {}
    for source, term in (
        ("participation", "participationType"),
        ("assessment", "assessmentType"),
        ("supervision", "supervisionType"),
        ("identity_checked", "identityChecked"),
        ("education_program_identifier", "educationProgramIdentifier"),
    ):
        if source in d:
            doc[term] = d[source]
    if "prerequisites" in d:
        prereq = d["prerequisites"]
        doc["prerequisites"] = prereq if isinstance(prereq, str) else "; ".join(prereq)
    if d.get("tags"):
        doc["tag"] = list(d["tags"])
    return doc


def _image_url(definition: dict[str, Any], url: str) -> str:
    """An image elsewhere keeps its URL; one carried in the definition (or none: a drawn
    badge) is served at the achievement's ``/image`` (api/routes_images.py)."""
    image = definition.get("image")
    if isinstance(image, str) and image.startswith(("https://", "http://")):
        return image
    return f"{url}/image"


def edubadges_schema_ids(definition: dict[str, Any]) -> list[str]:
    """The edubadges profile schemas a credential of this definition should satisfy."""
    variant = definition["variant"]
    ids = [f"{EDUBADGES_SCHEMA_BASE}{variant}.json"]
    if variant != "extracurricular":
        unit = "ects" if "ects" in definition else "sbu"
        ids.append(f"{EDUBADGES_SCHEMA_BASE}{variant}_{unit}.json")
    return ids


def identity_object(kind: str, identity: str, salt: str) -> dict[str, Any]:
    """OB 3.0 IdentityObject: the recipient as a salted SHA-256 hash, never in the clear."""
    digest = hashlib.sha256((identity + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": RECIPIENT_TYPES[kind],
        "hashed": True,
        "salt": salt,
    }


def achievement_credential(
    *,
    base_url: str,
    credential_id: UUID,
    issuer: dict[str, Any],
    achievement: dict[str, Any],
    definition: dict[str, Any],
    recipient_kind: str,
    recipient: str,
    recipient_salt: str,
    awarded_at: datetime,
    valid_from: datetime,
    valid_until: datetime | None,
    evidence: list[dict[str, Any]],
    result_value: str | None,
    credential_status: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential (VC 2.0 + OB 3.0.3) for one award."""
    subject = _achievement_subject(
        recipient_kind, recipient, recipient_salt, achievement, result_value
    )
    vc: dict[str, Any] = {
        "@context": [VC_V2, OB_V3, OB_EXTENSIONS, extension_context_url(base_url)],
        "id": f"urn:uuid:{credential_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer,
        "name": achievement["name"],
        "validFrom": rfc3339(valid_from),
    }
    if valid_until is not None:
        vc["validUntil"] = rfc3339(valid_until)
    vc["awardedDate"] = rfc3339(awarded_at)
    vc["credentialSubject"] = subject
    if evidence:
        vc["evidence"] = [
            {
                "type": ["Evidence"],
                **({"id": e["url"]} if e.get("url") else {}),
                "narrative": e["narrative"],
            }
            for e in evidence
        ]
    vc["credentialSchema"] = [
        {"id": schema, "type": SCHEMA_VALIDATOR}
        for schema in [OB_SCHEMA, *edubadges_schema_ids(definition)]
    ]
    if credential_status:
        # OB 3.0 defines one credentialStatus object; an array only for suspendable awards.
        vc["credentialStatus"] = (
            credential_status[0] if len(credential_status) == 1 else credential_status
        )
    return vc


def _achievement_subject(
    recipient_kind: str,
    recipient: str,
    recipient_salt: str,
    achievement: dict[str, Any],
    result_value: str | None,
) -> dict[str, Any]:
    """The AchievementSubject: the hashed recipient (a DID as its id), the achievement,
    and the result."""
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if recipient_kind == "did":
        subject["id"] = recipient
    subject["identifier"] = [identity_object(recipient_kind, recipient, recipient_salt)]
    subject["achievement"] = achievement
    result: dict[str, Any] = {
        "type": ["Result"],
        "resultDescription": achievement["resultDescription"][0]["id"],
        "status": "Completed",
    }
    if result_value is not None:
        result["value"] = result_value
    subject["result"] = [result]
    return subject


def endorsement_credential(
    *,
    base_url: str,
    endorsement_id: UUID,
    endorser: dict[str, Any],
    subject_id: str,
    comment: str,
    issued_at: datetime,
    credential_status: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An unsigned OB 3.0 EndorsementCredential (with its revocation entry, so that a
    withdrawal is visible to every verifier)."""
    vc: dict[str, Any] = {
        "@context": [VC_V2, OB_V3, OB_EXTENSIONS],
        "id": f"urn:uuid:{endorsement_id}",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": endorser,
        "name": f"Endorsement by {endorser.get('name', endorser['id'])}",
        "validFrom": rfc3339(issued_at),
        "credentialSubject": {
            "id": subject_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
        "credentialSchema": [{"id": OB_ENDORSEMENT_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }
    if credential_status:
        vc["credentialStatus"] = credential_status[0]
    return vc
