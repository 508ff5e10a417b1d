"""Merkle leaves: what the public log says about each stored event, and no personal data.

This is the one leaf codec: the transparency log writes leaves with it and the audit
recomputes them with it. A leaf is the deterministic CBOR (``credledger.crypto.cbor``,
RFC 8949 §4.2.1) of a small map. The event's stored bytes are only committed to, as
SHA-256(salt || stored state), with the random salt taken from the event itself; so the
leaf reveals nothing guessable, and anyone holding the stored event can recompute it
exactly (which is what ``credledger audit`` does). Which fields a leaf adds, and its
``"event"`` name, come from the event registry (``ledger/domain/events.py``).

Events about one learner's award (credentials, status slots, recognitions) carry a
random ``log_alias``: their leaf names that instead of the aggregate, and an issuance
leaf holds only the credential's digest, so nothing in the log opens a credential or
links its events. Events recorded before aliases existed keep their leaves (aggregate
id, and the VC id in ``"credential"``): nothing recorded is rewritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import cbor2
from credledger.crypto import cbor
from credledger.ledger.domain.events import EventKind, LeafFields, kind_for_topic
from credledger.ledger.store.transcoder import decode_deterministic
from eventsourcing.persistence import Notification

__all__ = [
    "commitment",
    "decode_leaf",
    "encode_leaf",
    "leaf_for",
    "leaf_from_row",
    "leaf_map",
]


_ISSUANCE, _STATUS_LIST, _IDENTITY = (
    LeafFields.ISSUANCE,
    LeafFields.STATUS_LIST,
    LeafFields.IDENTITY,
)
# (module constants: an enum member looked up on its class costs more than the rest of a
# leaf's fields, and an audit makes a leaf per event)


def commitment(salt: bytes, state: bytes) -> bytes:
    """SHA-256(salt || state), without copying the state into one buffer first."""
    digest = hashlib.sha256(salt)
    digest.update(state)
    return digest.digest()


def _rfc3339(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds (``...T12:00:00.000000Z``)."""
    if moment.tzinfo is UTC and moment.year >= 1000:  # every stored time; isoformat is faster
        return moment.isoformat(timespec="microseconds")[:-6] + "Z"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def leaf_map(
    seq: int,
    kind: EventKind,
    aggregate: str,
    version: int,
    fields: Mapping[str, Any],
    stored: bytes,
) -> dict[str, Any]:
    """The map a leaf encodes, for an event of ``kind`` at leaf index ``seq``.

    ``fields`` is the decoded stored state, ``stored`` its bytes; ``aggregate`` is the
    aggregate id as UUID text.
    """
    alias = fields.get("log_alias") if kind.aliased else None
    leaf: dict[str, Any] = {
        "seq": seq,
        "event": kind.public_name,
        "aggregate": aggregate if alias is None else str(alias),
        "version": version,
        "time": _rfc3339(fields["timestamp"]),
        "commitment": commitment(fields["salt"], stored),
    }
    if kind.leaf is _ISSUANCE:
        if alias is None:  # recorded before aliases: the leaf it always had
            leaf["credential"] = fields.get("vc_id") or f"urn:uuid:{aggregate}"
        leaf["digest"] = fields["digest"]
    elif kind.leaf is _STATUS_LIST:
        leaf["list"] = fields["list_url"]
        leaf["list_version"] = fields["list_version"]
        leaf["digest"] = fields["digest"]
    elif kind.leaf is _IDENTITY:
        # The ledger's identity is public: a monitor reading the log learns of every
        # base URL the ledger has had.
        if "log_origin" in fields:
            leaf["origin"] = fields["log_origin"]
        leaf["base_url"] = fields["base_url"]
    return leaf


def encode_leaf(leaf: dict[str, Any]) -> bytes:
    """The leaf's bytes: the deterministic CBOR of its map."""
    return cbor.encode(leaf)


def leaf_for(seq: int, notification: Notification) -> bytes:
    """The leaf bytes for the event stored as ``notification``, at leaf index ``seq``.

    The reference: the stored state must be deterministic CBOR (else EventEncodingError),
    and an event the registry does not know raises UnknownEventError.
    """
    kind = kind_for_topic(notification.topic)
    state = bytes(notification.state)
    fields = decode_deterministic(state)
    aggregate = str(notification.originator_id)
    return encode_leaf(
        leaf_map(seq, kind, aggregate, notification.originator_version, fields, state)
    )


def leaf_from_row(seq: int, aggregate: str, version: int, topic: str, state: bytes) -> bytes:
    """The leaf :func:`leaf_for` gives for this event, from a stored row, without building
    a Notification or checking that the state is deterministic (an audit's fast path; the
    audit asks :func:`leaf_for` wherever the two could differ)."""
    fields = cbor2.loads(state)
    return encode_leaf(leaf_map(seq, kind_for_topic(topic), aggregate, version, fields, state))


def decode_leaf(data: bytes) -> dict[str, Any]:
    value = cbor.decode(data)
    if not isinstance(value, dict):
        raise ValueError("a leaf is a CBOR map")
    return value
