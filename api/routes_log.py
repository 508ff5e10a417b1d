"""The transparency log over HTTP: checkpoints, the log key, leaves and RFC 9162 proofs.

Every GET reads the log's tables as they are (shared by every process): none catches
up or signs. Checkpoints are signed on the write path (after acts, on the tick) and by
``POST /v1/log/checkpoint``."""

from __future__ import annotations

import base64
from typing import Any

from credledger.crypto.errors import CryptoError
from credledger.ledger.domain.errors import NotYetAnchoredError
from credledger.ledger.log.transparency_log import LogRangeError
from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from .auth import Admin, LedgerDep
from .problems import Problem

router = APIRouter(prefix="/v1/log", tags=["transparency log"])
NOTE = "text/plain; charset=utf-8"
MAX_INDEX = 2**63 - 1
"""Leaf indices and tree sizes are SQL BIGINTs: larger query values are refused up front."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Leaf(BaseModel):
    index: int
    data: str


class Leaves(BaseModel):
    leaves: list[Leaf]


class InclusionProof(BaseModel):
    index: int
    size: int
    path: list[str]


class ConsistencyProof(BaseModel):
    first: int
    second: int
    path: list[str]


class CheckpointEntry(BaseModel):
    size: int
    root_hash: str
    created_at: str
    note: str


class CheckpointList(BaseModel):
    checkpoints: list[CheckpointEntry]


@router.get("/checkpoint", response_class=PlainTextResponse)
def checkpoint(ledger: LedgerDep) -> PlainTextResponse:
    """The newest checkpoint: a C2SP signed note over a tlog-checkpoint body (signed after
    each act, or once per checkpoint interval; the ledger signs its first when created)."""
    latest = ledger.tlog.latest_checkpoint()
    if latest is None:  # only a ledger opened read-only before its first start
        raise NotYetAnchoredError("the log has no signed checkpoint yet", retry_after=5)
    return PlainTextResponse(ledger.tlog.cosigned_note(latest), media_type=NOTE)


@router.post("/checkpoint", response_class=PlainTextResponse)
def make_checkpoint(principal: Admin, ledger: LedgerDep) -> PlainTextResponse:
    """Make a checkpoint of the current tree now (administrator)."""
    ledger.catch_up()
    return PlainTextResponse(ledger.tlog.make_checkpoint().note, media_type=NOTE)


@router.get("/checkpoints", response_model=CheckpointList)
def checkpoints(
    ledger: LedgerDep,
    after: int = Query(
        default=-1, ge=-1, le=MAX_INDEX, description="only checkpoints with a larger size"
    ),
    limit: int = Query(default=100, ge=1, le=1000),
) -> CheckpointList:
    """Every checkpoint the log has published, oldest first."""
    return CheckpointList(
        checkpoints=[
            CheckpointEntry(
                size=c.size, root_hash=b64(c.root_hash), created_at=c.created_at, note=c.note
            )
            for c in ledger.tlog.checkpoints(after=after, limit=limit)
        ]
    )


@router.post("/cosignatures")
async def cosign(request: Request, ledger: LedgerDep) -> dict[str, Any]:
    """Submit a checkpoint cosigned by a configured witness (C2SP tlog-cosignature)."""
    try:
        body = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "a signed note is UTF-8 text", kind="cosignature-refused") from None
    try:
        accepted = ledger.tlog.add_cosignatures(body)
    except (CryptoError, LogRangeError) as exc:
        raise Problem(400, f"cosignature refused: {exc}", kind="cosignature-refused") from None
    except OverflowError:  # a tree size past any the store can hold
        raise Problem(
            400, "that is not a checkpoint this log published", kind="cosignature-refused"
        ) from None
    if not accepted:
        raise Problem(
            400, "no valid cosignature from a configured witness", kind="cosignature-refused"
        )
    return {"accepted": accepted}


@router.get("/key", response_class=PlainTextResponse)
def key(ledger: LedgerDep) -> PlainTextResponse:
    """The log's verifier key (C2SP vkey: name+keyid+base64(0x01||pubkey))."""
    return PlainTextResponse(ledger.tlog.vkey + "\n", media_type=NOTE)


@router.get("/leaves", response_model=Leaves)
def leaves(
    ledger: LedgerDep,
    start: int = Query(ge=0, le=MAX_INDEX, description="index of the first leaf"),
    end: int = Query(
        ge=0, le=MAX_INDEX, description="index of the last leaf (inclusive, as RFC 9162)"
    ),
) -> Leaves:
    """Leaves start..end (at most 1000 per call; fewer past the end of the log)."""
    return Leaves(leaves=[Leaf(index=i, data=b64(d)) for i, d in ledger.tlog.leaves(start, end)])


@router.get("/proof/inclusion", response_model=InclusionProof)
def inclusion(
    ledger: LedgerDep,
    size: int = Query(ge=1, le=MAX_INDEX, description="tree size the proof is for"),
    index: int | None = Query(default=None, ge=0, le=MAX_INDEX),
    digest: str | None = Query(
        default=None,
        pattern="^[0-9a-f]{64}$",
        description="instead of index: the hex SHA-256 of a credential's canonical form "
        "(its issuance leaf's digest)",
    ),
) -> InclusionProof:
    """RFC 9162 inclusion proof of a leaf (by index, or by the digest its issuance leaf
    shows: nothing the public leaves do not already say)."""
    if (index is None) == (digest is None):
        raise Problem(400, "give exactly one of index and digest", kind="bad-query")
    if digest is not None:
        index = ledger.proofs.issuance_index_of(bytes.fromhex(digest))
        if index is None:
            raise Problem(404, "no issuance leaf with this digest")
    assert index is not None
    path = ledger.tlog.inclusion_proof(index, size)
    return InclusionProof(index=index, size=size, path=[b64(h) for h in path])


@router.get("/proof/consistency", response_model=ConsistencyProof)
def consistency(
    ledger: LedgerDep,
    first: int = Query(ge=0, le=MAX_INDEX),
    second: int = Query(ge=0, le=MAX_INDEX),
) -> ConsistencyProof:
    """RFC 9162 consistency proof between two tree sizes."""
    path = ledger.tlog.consistency_proof(first, second)
    return ConsistencyProof(first=first, second=second, path=[b64(h) for h in path])
