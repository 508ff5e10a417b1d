"""Merkle leaves: what the public log says about each stored event, and no personal data.

A leaf is the deterministic CBOR of a small map. The event's stored bytes are only
committed to, as SHA-256(salt || stored state), with the random salt taken from the
event itself; so the leaf reveals nothing guessable, and anyone holding the stored
event can recompute it exactly (which is what ``credledger audit`` does).

Events about one learner's award (credentials, status slots, recognitions) carry a
random ``log_alias``: their leaf names that instead of the aggregate, and an issuance
leaf holds only the credential's digest, so nothing in the log opens a credential or
links its events. Events recorded before aliases existed keep their leaves (aggregate
id, and the VC id in ``"credential"``): nothing recorded is rewritten.
"""

from __future__ import annotations

import hashlib
from datetime import UTC
from typing import Any

from credledger.crypto import cbor
from credledger.ledger.domain.events import public_name
from credledger.ledger.store.transcoder import decode_deterministic
from eventsourcing.persistence import Notification


def _rfc3339(moment: Any) -> str:
    return str(moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def commitment(salt: bytes, state: bytes) -> bytes:
    return hashlib.sha256(salt + state).digest()


def leaf_for(seq: int, notification: Notification) -> bytes:
    """The leaf bytes for the event stored as ``notification``, at leaf index ``seq``."""
    state = decode_deterministic(notification.state)
    event = public_name(notification.topic)
    alias = state.get("log_alias")
    leaf: dict[str, Any] = {
        "seq": seq,
        "event": event,
        "aggregate": str(notification.originator_id if alias is None else alias),
        "version": notification.originator_version,
        "time": _rfc3339(state["timestamp"]),
        "commitment": commitment(state["salt"], notification.state),
    }
    if event == "CredentialIssued" or event == "CredentialReissued":
        if alias is None:  # recorded before aliases: the leaf it always had
            leaf["credential"] = state.get("vc_id") or f"urn:uuid:{notification.originator_id}"
        leaf["digest"] = state["digest"]
    elif event == "StatusListPublished":
        leaf["list"] = state["list_url"]
        leaf["list_version"] = state["list_version"]
        leaf["digest"] = state["digest"]
    elif event in IDENTITY_EVENTS:
        add_identity_fields(leaf, state)
    return cbor.encode(leaf)


IDENTITY_EVENTS = frozenset({"LedgerCreated", "LedgerIdentityAdopted", "PublicBaseUrlMoved"})


def add_identity_fields(leaf: dict[str, Any], state: dict[str, Any]) -> None:
    """The ledger's identity is public: its leaves say the origin and base URL in clear,
    so a monitor reading the log learns of every base URL the ledger has had."""
    if "log_origin" in state:
        leaf["origin"] = state["log_origin"]
    leaf["base_url"] = state["base_url"]


def decode_leaf(data: bytes) -> dict[str, Any]:
    value = cbor.decode(data)
    if not isinstance(value, dict):
        raise ValueError("a leaf is a CBOR map")
    return value
