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
import re
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
    "uuid_text",
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


def _raw_uuid(value: Any, immutable: bool) -> tuple[int, bytes]:
    """Tag 37 left as its 16 bytes (marked, so plain bytes are not taken for a UUID)."""
    if type(value) is not bytes or len(value) != 16:
        raise ValueError("tag 37 holds 16 bytes")
    return (37, value)


def _raw_time(value: Any, immutable: bool) -> tuple[int, str]:
    """Tag 0 left as its text, when that text is the one form the ledger writes (the
    reference parses it and prints it back the same); anything else is undecided."""
    if type(value) is not str or _STORED_TIME.fullmatch(value) is None:
        raise ValueError("not the stored time form")
    datetime.fromisoformat(value[:-1])  # the ranges (month 13, 30 February, second 60)
    return (0, value)


_STORED_TIME = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_RAW_TAGS = {37: _raw_uuid, 0: _raw_time}


def uuid_text(hex32: str) -> str:
    """A UUID's 32 hex digits as UUID text (``8-4-4-4-12``), without building a UUID."""
    h = hex32
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def leaf_from_row(seq: int, aggregate: str, version: int, topic: str, state: bytes) -> bytes | None:
    """The leaf :func:`leaf_for` gives for this event, from a stored row, or None where
    this fast path cannot tell (then ask :func:`leaf_for`, which also checks that the
    state is deterministic CBOR: this path does not).

    An audit's fast path: UUIDs and times stay as their stored bytes and text instead of
    becoming objects to print back, and the map is written in deterministic key order
    by cbor2's plain encoder. Every field is checked to have the one type and form the
    reference would print identically, so a leaf it returns is the reference's leaf.
    """
    try:
        fields = cbor2.loads(state, semantic_decoders=_RAW_TAGS)
        kind = kind_for_topic(topic)
        timestamp, salt = fields["timestamp"], fields["salt"]
    except Exception:
        return None
    if type(fields) is not dict or type(timestamp) is not tuple or timestamp[0] != 0:
        return None
    if type(salt) is not bytes:
        return None
    alias = fields.get("log_alias") if kind.aliased else None
    if alias is not None:
        if type(alias) is not tuple or alias[0] != 37:
            return None
        aggregate = uuid_text(alias[1].hex())
    extra = _fast_extra_fields(kind.leaf, fields, aggregate if alias is None else None)
    if extra is None:
        return None
    digest = hashlib.sha256(salt)
    digest.update(state)
    leaf = {
        "seq": seq,
        "event": kind.public_name,
        "aggregate": aggregate,
        "version": version,
        "time": timestamp[1],
        "commitment": digest.digest(),
        **extra,
    }
    keys = tuple(leaf)
    order = _KEY_ORDERS.get(keys)
    if order is None:  # RFC 8949 §4.2.1: keys by their encodings' bytes (text: shorter first)
        order = _KEY_ORDERS[keys] = tuple(sorted(keys, key=lambda k: cbor.encode(k)))
    try:
        return bytes(cbor2.dumps({key: leaf[key] for key in order}))
    except Exception:
        return None


_KEY_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _fast_extra_fields(
    leaf: LeafFields, fields: dict[str, Any], unaliased: str | None
) -> dict[str, Any] | None:
    """:func:`leaf_map`'s fields for ``leaf``, when each has the type the reference
    prints the same way (None otherwise). ``unaliased``: the aggregate, for an event
    recorded before aliases."""
    if leaf is _ISSUANCE:
        digest = fields.get("digest")
        if type(digest) is not bytes:
            return None
        if unaliased is None:
            return {"digest": digest}
        credential = fields.get("vc_id") or f"urn:uuid:{unaliased}"
        return {"digest": digest, "credential": credential} if type(credential) is str else None
    if leaf is _STATUS_LIST:
        url, number, digest = (
            fields.get("list_url"),
            fields.get("list_version"),
            fields.get("digest"),
        )
        if type(url) is not str or type(number) is not int or type(digest) is not bytes:
            return None
        return {"list": url, "list_version": number, "digest": digest}
    if leaf is _IDENTITY:
        base_url = fields.get("base_url")
        if type(base_url) is not str:
            return None
        if "log_origin" not in fields:
            return {"base_url": base_url}
        origin = fields["log_origin"]
        return {"origin": origin, "base_url": base_url} if type(origin) is str else None
    return {}


def decode_leaf(data: bytes) -> dict[str, Any]:
    value = cbor.decode(data)
    if not isinstance(value, dict):
        raise ValueError("a leaf is a CBOR map")
    return value
