"""Checks of what a request asks for, before anything is prepared or recorded.

Pure functions: each returns the normalised value or raises RequestInvalidError
naming every field that is wrong.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any
from uuid import UUID

from credledger.ledger.credentials.vc_data_model import data_model_violations
from credledger.ledger.domain.errors import (
    CredentialIdTakenError,
    FieldError,
    RequestInvalidError,
)
from credledger.ledger.domain.status_lists import PURPOSES

MAX_EXACT_INTEGER = 2**53 - 1


def cryptosuite_option(options: Any) -> str:
    wanted = (options or {}).get("cryptosuite", "eddsa-rdfc-2022")
    if wanted not in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        raise RequestInvalidError(
            [
                FieldError(
                    ("options", "cryptosuite"),
                    "must be 'eddsa-rdfc-2022' or 'eddsa-jcs-2022'",
                )
            ]
        )
    return str(wanted)


def refuse_held_vc_id(vc_id: Any, held: Callable[[UUID], bool]) -> None:
    """A VC API credential may not take the id of a credential the ledger holds
    (``urn:uuid:`` + one of its credential ids): two credentials would answer to one id,
    and status updates by ``credentialId`` would reach the wrong one."""
    if not isinstance(vc_id, str):
        return
    taken = uuid_of(vc_id) if vc_id.startswith("urn:uuid:") else None
    if taken is not None and held(taken):
        raise CredentialIdTakenError(f"the ledger already holds a credential with id {vc_id}")


def uuid_of(vc_id: str) -> UUID | None:
    try:
        return UUID(vc_id.removeprefix("urn:uuid:"))
    except ValueError:
        return None


def check_given_credential(
    credential: Any, options: Any, issuer_did: str
) -> tuple[dict[str, Any], list[str]]:
    """Check a VC API issue request; return the document to sign and the status purposes."""
    errors: list[FieldError] = []
    if not isinstance(credential, dict):
        raise RequestInvalidError([FieldError(("credential",), "must be an object")])
    if options is not None and not isinstance(options, dict):
        raise RequestInvalidError([FieldError(("options",), "must be an object")])
    document = json.loads(json.dumps(credential))
    _check_given_document(document, issuer_did, errors)
    purposes: list[str] = []
    wanted = (options or {}).get("credentialStatus")
    if wanted is not None and "credentialStatus" in document:
        errors.append(
            FieldError(
                ("options", "credentialStatus"),
                "the credential already has a credentialStatus; ask for one or give one",
            )
        )
    elif wanted is not None:
        purposes = _status_purposes(wanted, errors)
    reported = {e.loc for e in errors}
    for violation in data_model_violations(document):
        loc = ("credential", *violation.loc)
        if loc not in reported:
            errors.append(FieldError(loc, violation.msg))
    if errors:
        raise RequestInvalidError(errors)
    return document, purposes


def _check_given_document(
    document: dict[str, Any], issuer_did: str, errors: list[FieldError]
) -> None:
    """A VC 2.0 or 1.1 credential, unsigned, of this issuer (filled in when missing)."""
    contexts = document.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else None
    if first not in (
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/2018/credentials/v1",
    ):
        errors.append(
            FieldError(("credential", "@context"), "must start with the VC v2 or v1 context")
        )
    types = document.get("type")
    has_type = types == "VerifiableCredential" or (
        isinstance(types, list) and "VerifiableCredential" in types
    )
    if not has_type:
        errors.append(FieldError(("credential", "type"), "must include VerifiableCredential"))
    if "proof" in document:
        errors.append(FieldError(("credential", "proof"), "must not be signed already"))
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict | list) or not subject:
        errors.append(FieldError(("credential", "credentialSubject"), "is required"))
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if "issuer" not in document:
        document["issuer"] = issuer_did
    elif issuer_id != issuer_did:
        errors.append(
            FieldError(("credential", "issuer"), f"must be this issuer's DID {issuer_did}")
        )
    if "id" in document and not isinstance(document["id"], str):
        errors.append(FieldError(("credential", "id"), "must be a URL string"))


def _status_purposes(wanted: Any, errors: list[FieldError]) -> list[str]:
    """The status purposes ``options.credentialStatus`` asks for, each once, in order."""
    purposes: list[str] = []
    for item in wanted if isinstance(wanted, list) else [wanted]:
        if not isinstance(item, dict) or item.get("type") != "BitstringStatusListEntry":
            errors.append(
                FieldError(
                    ("options", "credentialStatus"),
                    "only BitstringStatusListEntry is supported",
                )
            )
            continue
        purpose = item.get("statusPurpose", "revocation")
        if purpose not in PURPOSES:
            errors.append(
                FieldError(
                    ("options", "credentialStatus", "statusPurpose"),
                    "must be 'revocation' or 'suspension'",
                )
            )
        elif purpose not in purposes:
            purposes.append(purpose)
    return purposes


def check_reason(reason: Any) -> None:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 2000:
        raise RequestInvalidError([FieldError(("reason",), "must be a non-empty string")])


def check_evidence(evidence: Any) -> list[dict[str, Any]]:
    if evidence is None:
        return []
    if not isinstance(evidence, list) or len(evidence) > 50:
        raise RequestInvalidError([FieldError(("evidence",), "must be a list")])
    out = []
    for i, item in enumerate(evidence):
        loc = ("evidence", i)
        if not isinstance(item, dict) or set(item) - {"narrative", "url"}:
            raise RequestInvalidError([FieldError(loc, "must be {narrative, url?}")])
        narrative, url = item.get("narrative"), item.get("url")
        if not isinstance(narrative, str) or not narrative.strip() or len(narrative) > 10_000:
            raise RequestInvalidError(
                [FieldError((*loc, "narrative"), "must be a non-empty string")]
            )
        if url is not None and (
            not isinstance(url, str) or not url.startswith(("https://", "http://"))
        ):
            raise RequestInvalidError([FieldError((*loc, "url"), "must be an http(s) URL")])
        out.append({"narrative": narrative, **({"url": url} if url else {})})
    return out


def check_result(result: Any) -> str | None:
    if result is None:
        return None
    if not isinstance(result, dict) or set(result) != {"value"}:
        raise RequestInvalidError([FieldError(("result",), 'must be {"value": ...}')])
    value = result["value"]
    if isinstance(value, bool) or not isinstance(value, str | int | float) or len(str(value)) > 200:
        raise RequestInvalidError([FieldError(("result", "value"), "must be a string or number")])
    if not exact_number(value):
        raise RequestInvalidError(
            [
                FieldError(
                    ("result", "value"),
                    "is a number beyond what JSON holds exactly (integers up to 2^53 - 1); "
                    "send it as a string",
                )
            ]
        )
    return str(value)


def exact_number(value: str | int | float) -> bool:
    """OB 3.0 carries a result as a string: a number must be one every JSON reader (and
    so every verifier) reads exactly, or the string signed would not be the value sent."""
    if isinstance(value, int):
        return -MAX_EXACT_INTEGER <= value <= MAX_EXACT_INTEGER
    if isinstance(value, float):
        return math.isfinite(value)
    return True
