"""Proof bundles: a credential with everything an offline verifier needs.

A bundle holds the credential, its issuance leaf with an inclusion proof, the status
list versions in force with theirs, all under one signed checkpoint, and the log's key.

A read: it catches nothing up and signs nothing. The leaves and checkpoints are read
from the log's shared tables (so another process's acts are seen at once); a leaf no
checkpoint covers yet is :class:`NotYetAnchoredError` (the write path signs it soon).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from credledger.crypto.tlog_proof import TlogProof
from credledger.ledger.credentials.canonical import vc_digest
from credledger.ledger.domain.errors import (
    FieldError,
    NotYetAnchoredError,
    RequestInvalidError,
    UnknownCredentialError,
)
from credledger.ledger.domain.status_lists import StatusList, list_id
from credledger.ledger.log.transparency_log import StoredCheckpoint, TransparencyLog
from credledger.ledger.services.credential_records import CredentialRecords
from credledger.ledger.services.status_lists import StatusLists
from credledger.ledger.store.credential_digests import CredentialDigests
from eventsourcing.persistence import Notification


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Proofs:
    """Where a recorded event sits in the log, and proof bundles of credentials."""

    def __init__(
        self,
        tlog: TransparencyLog,
        digests: CredentialDigests,
        records: CredentialRecords,
        status_lists: StatusLists,
        select: Callable[[int, int], Sequence[Notification]],
    ) -> None:
        self.tlog = tlog
        self.digests = digests
        self.records = records
        self.status_lists = status_lists
        self.select = select  # the event store's notifications, read (never followed) here

    def log_index_of(self, aggregate_id: UUID, version: int) -> int | None:
        """The Merkle leaf index of an event, once the transparency log holds it."""
        return self.tlog.index_of(str(aggregate_id), version)

    def issuance_index_of(self, digest: bytes) -> int | None:
        """The leaf index of the issuance whose leaf shows ``digest`` (the log is public:
        this says nothing a reader of its leaves could not find)."""
        found = self.digests.find_fresh(digest, self.select)
        return None if found is None else self.log_index_of(*found)

    def holder_bundle(self, vc: Any) -> dict[str, Any]:
        """The proof bundle of the credential presented, found by its digest: only a
        holder of the exact signed credential can compute it (the log shows digests,
        so a bare digest never opens anything)."""
        credential_id, version = self.holder_credential(vc)
        return self.bundle(credential_id, version=version, presented=vc)

    def holder_credential(self, vc: Any) -> tuple[UUID, int]:
        """The recorded credential (and the issuance of it) that ``vc`` is exactly, by
        its digest; UnknownCredentialError when this ledger recorded no such copy."""
        try:
            digest = vc_digest(vc) if isinstance(vc, dict) else None
        except (ValueError, TypeError, OverflowError, RecursionError):
            digest = None
        if digest is None:
            raise RequestInvalidError(
                [FieldError(("credential",), "must be a signed credential (an object)")]
            )
        found = self.digests.find_fresh(digest, self.select)
        if found is None:
            raise UnknownCredentialError("this ledger recorded no credential with this digest")
        return found

    def bundle(
        self,
        credential_id: UUID,
        *,
        version: int | None = None,
        presented: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Everything an offline verifier needs (see the module). ``version``/``presented``:
        the issuance (or re-issuance) a holder's copy is of, when it is not the newest."""
        credential = self.records.credential(credential_id)
        vc = self.records.document(credential)  # SubjectErasedError once erased
        version = version or credential.issued_version
        if version != credential.issued_version and presented is not None:
            vc = presented  # an earlier copy: its own leaf vouches for it
        lists: list[tuple[str, StatusList]] = []
        if credential.status_slot is not None:
            group = credential.status_slot["group"]
            for purpose in credential.status_purposes:
                lists.append((purpose, self.status_lists.current(list_id(group, purpose))))
        index = self.log_index_of(credential.id, version)
        if index is None:  # saved, but the write path has not appended it (a crash)
            raise NotYetAnchoredError(f"credential {credential_id} is not in the log yet")
        list_leaves = [
            (purpose, status_list, self.log_index_of(status_list.id, status_list.version))
            for purpose, status_list in lists
        ]
        highest = max([index, *[i for _, _, i in list_leaves if i is not None]])
        checkpoint = self.tlog.covering_checkpoint(highest)
        bundle: dict[str, Any] = {"credential": vc, **self._anchored(index, checkpoint)}
        bundle["checkpoint"] = checkpoint.note
        bundle["log_key"] = self.tlog.vkey
        bundle["status_lists"] = [
            {
                "purpose": purpose,
                "credential": status_list.document,
                **self._anchored(i, checkpoint),
            }
            for purpose, status_list, i in list_leaves
            if i is not None
        ]
        return bundle

    def tlog_proof(self, credential_id: UUID, *, version: int | None = None) -> str:
        """The issuance leaf's C2SP tlog-proof: ``extra`` is the leaf (the holder's
        credential is bound to it by the digest it records), then the index, the
        inclusion proof and the checkpoint with the witnesses' cosignatures: the newest
        cosigned checkpoint that covers the leaf, else the newest checkpoint."""
        credential = self.records.credential(credential_id)
        self.records.document(credential)  # SubjectErasedError once erased, as a bundle
        index = self.log_index_of(credential.id, version or credential.issued_version)
        if index is None:
            raise NotYetAnchoredError(f"credential {credential_id} is not in the log yet")
        checkpoint = self.tlog.covering_checkpoint(index)
        cosigned = self.tlog.records.newest_cosigned_size()
        if cosigned is not None and index < cosigned < checkpoint.size:
            checkpoint = self.tlog.checkpoint_at(cosigned) or checkpoint
        path = self.tlog.inclusion_proof(index, checkpoint.size)
        note = self.tlog.cosigned_note(checkpoint)
        return TlogProof(index, tuple(path), note, extra=self.tlog.leaf(index)).text()

    def holder_tlog_proof(self, vc: Any) -> str:
        """The tlog-proof of the credential presented (found by its digest, as a bundle)."""
        credential_id, version = self.holder_credential(vc)
        return self.tlog_proof(credential_id, version=version)

    def _anchored(self, leaf_index: int, checkpoint: StoredCheckpoint) -> dict[str, Any]:
        """A leaf and its inclusion proof in the tree of ``checkpoint``."""
        path = self.tlog.inclusion_proof(leaf_index, checkpoint.size)
        return {
            "leaf": {"index": leaf_index, "data": _b64(self.tlog.leaf(leaf_index))},
            "inclusion": {"size": checkpoint.size, "path": [_b64(h) for h in path]},
        }
