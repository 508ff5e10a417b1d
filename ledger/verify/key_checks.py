"""Whose key made a proof: did:key resolved locally, retired keys judged by records."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from credledger.crypto.keys import did_key_document, public_key_from_did_key
from credledger.ledger.verify.credential_checks import parse_time
from credledger.ledger.verify.did_web import DidRetrievalError

log = logging.getLogger("credledger.ledger")


def failure_reason(exc: Exception) -> str:
    """Our own errors explain themselves; anything else is logged, not shown."""
    from credledger.crypto.errors import CryptoError

    if isinstance(exc, CryptoError | LookupError):
        return str(exc) or type(exc).__name__
    log.warning("unexpected error while verifying a proof", exc_info=exc)
    return "the proof could not be verified"


def retrieval_error(exc: BaseException | None) -> DidRetrievalError | None:
    """The DID document retrieval failure behind ``exc``, if that is what it was."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, DidRetrievalError):
            return exc
        exc, seen = exc.__cause__, seen + 1
    return None


def resolve_did_key_method(vm_id: str) -> tuple[bytes, str]:
    """Public key and controller of a did:key verification method (resolved locally)."""
    did = vm_id.split("#", 1)[0]
    document = did_key_document(did)
    if vm_id not in document["assertionMethod"] and vm_id != did:
        raise LookupError(f"{vm_id} is not an assertion method of {did}")
    return public_key_from_did_key(vm_id), did


def no_other_dids(did: str) -> dict[str, Any]:
    # Not having a resolver says nothing about the DID: the verdict is undecided.
    raise DidRetrievalError(f"cannot resolve {did}: only did:key is resolved here")


SignedInForce = Callable[[Mapping[str, Any], str], "bool | None"]
"""(document, verification method) -> whether the verifier's own records show that key
signing that document while in force; None when it keeps no records of that key."""


def no_records(document: Mapping[str, Any], vm_id: str) -> bool | None:
    return None


def made_while_in_force(
    method: Mapping[str, Any], created: str | None, recorded: bool | None
) -> str | None:
    """Why a proof by a retired key is not the issuer's doing, or None when it is.

    A key's DID document entry may end its period (``activeUntil``). The verifier's own
    records (``recorded``) decide when it has them; otherwise the proof must say it was
    created before the end, which a thief holding the key could backdate: that is what
    reporting a key compromised is for.
    """
    until = method.get("activeUntil")
    if until is None:
        return None
    if recorded is not None:
        if recorded:
            return None
        return (
            f"{method.get('id')} was retired at {until}, and this ledger never recorded "
            "it signing this document while in force"
        )
    end, made = parse_time(until), parse_time(created)
    if end is None:
        return f"{method.get('id')} has an unreadable end of period"
    if made is None or made >= end:
        return f"{method.get('id')} was retired at {until}; this proof was made at {created}"
    return None
