"""Local mode: the acts run in-process on a data directory, exactly as the server runs them.

Acts carry the same ``Act.of(actor, Idempotency-Key, body)`` the HTTP API builds, so a
retried command with the same key records nothing twice. Local mode acts as the
administrator when registering issuers (whoever can write the data directory already
holds every key in it) and as the institution given by ``--issuer`` otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from credledger.ledger.application import (
    AwardRequest,
    CredentialLedger,
    IssuedCredential,
    canonical_json,
)
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.errors import FieldError, LedgerError, RequestInvalidError
from credledger.ledger.store.vault import SubjectErasedError

from .backend import Body, Outcome
from .errors import CommandError, command_error, usage_error


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except (LedgerError, SubjectErasedError) as exc:
        raise command_error(exc) from None


def _invalid(field: str, msg: str) -> CommandError:
    return command_error(RequestInvalidError([FieldError((field,), msg)]))


def _uuid(value: Any, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise _invalid(field, "must be a UUID") from None


def _datetime(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise _invalid(field, "must be an RFC 3339 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class LocalBackend:
    """The Backend over an open CredentialLedger; ``issuer`` is the acting institution."""

    batch_size = 100  # awards saved per transaction (the ledger's issue_credentials)

    def __init__(self, ledger: CredentialLedger, issuer: UUID | None) -> None:
        self.ledger = ledger
        self.issuer = issuer

    def _act(self, actor: str, key: str | None, body: Body) -> Act:
        return Act.of(actor, key, canonical_json(body))

    def _as_issuer(self, key: str | None, body: Body) -> Act:
        if self.issuer is None:
            raise usage_error(
                "in local mode this acts for an institution: pass --issuer ID",
                hint="the id is printed by `credledger issuer add`; "
                "or set CREDLEDGER_ISSUER, or use --server URL --token TOKEN",
            )
        return self._act(str(self.issuer), key, body)

    def register_issuer(self, body: Body, key: str | None) -> Body:
        with _translated():
            registered = self.ledger.register_issuer(
                self._act(ADMIN, key, body),
                body["name"],
                body.get("url"),
                body.get("email"),
                did_method=body.get("did_method", "web"),
            )
        return {"id": str(registered.issuer.id), "did": registered.did, "token": registered.token}

    def define_achievement(self, body: Body, key: str | None) -> Body:
        act = self._as_issuer(key, body)
        with _translated():
            achievement, created = self.ledger.achievements.define_once(act, body)
            document = self.ledger.achievement_document(achievement)
        return {"id": str(achievement.id), "achievement": document, "created": created}

    def revise_achievement(self, achievement_id: str, body: Body, key: str | None) -> Body:
        act = self._as_issuer(key, {"revise": achievement_id, **body})
        target = _uuid(achievement_id, "achievement_id")
        with _translated():
            achievement = self.ledger.achievements.revise(act, target, body)
            document = self.ledger.achievement_document(achievement)
        return {"id": str(achievement.id), "achievement": document}

    def achievement(self, achievement_id: str) -> Body:
        target = _uuid(achievement_id, "achievement_id")
        with _translated():
            return self.ledger.achievement_document(self.ledger.achievements.achievement(target))

    def issuers(self) -> list[Body]:
        return self.ledger.read_model.issuers(limit=10_000)

    def achievements(self, query: str | None) -> list[Body]:
        return self.ledger.achievements.search(query, limit=1000)

    def credentials(self) -> list[Body]:
        act = self._as_issuer(None, {})
        return self.ledger.read_model.credentials_of(act.actor, limit=100_000)

    def credential(self, credential_id: str) -> Body:
        act = self._as_issuer(None, {})
        target = _uuid(credential_id, "credential_id")
        with _translated():
            credential = self.ledger.records.owned(UUID(act.actor), target)
            history = self.ledger.statuses.history(UUID(act.actor), target)
            return {
                "id": str(credential.id),
                "status": credential.status_at(self.ledger.clock()),
                "log_index": self.ledger.log_index_of(credential.id, credential.issued_version),
                "credential": self.ledger.credential_document(credential),
                "history": [
                    {
                        "status": c.status,
                        "event": c.event,
                        "time": c.time.isoformat().replace("+00:00", "Z"),
                        "actor": c.actor,
                        "reason": c.reason,
                    }
                    for c in history
                ],
            }

    def issue_credential(self, body: Body, key: str | None) -> Body:
        (outcome,) = self.issue_credentials([(body, key)])
        if isinstance(outcome, CommandError):
            raise outcome
        return outcome

    def issue_credentials(self, requests: Sequence[tuple[Body, str | None]]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(requests)
        awards: list[tuple[int, AwardRequest]] = []
        for i, (body, key) in enumerate(requests):
            act = self._as_issuer(key, body)
            try:
                award = AwardRequest(
                    act,
                    _uuid(body.get("achievement_id"), "achievement_id"),
                    body.get("recipient"),
                    evidence=body.get("evidence"),
                    result=body.get("result"),
                    valid_until=_datetime(body.get("valid_until"), "valid_until"),
                )
            except CommandError as error:
                outcomes[i] = error
            else:
                awards.append((i, award))
        results = self.ledger.issue_credentials([award for _, award in awards])
        for (i, _), result in zip(awards, results, strict=True):
            outcomes[i] = (
                self._issued(result)
                if isinstance(result, IssuedCredential)
                else command_error(result)
            )
        return [outcome for outcome in outcomes if outcome is not None]

    def _issued(self, issued: IssuedCredential) -> Body:
        credential_id = issued.credential.id
        return {
            "id": str(credential_id),
            "credential": issued.vc,
            "log_index": self.ledger.log_index_of(credential_id, issued.credential.issued_version),
            "replayed": issued.replayed,
        }

    def change_status(
        self,
        credential_id: str,
        change: str,
        reason: str,
        key: str | None,
        publish_reason: bool = False,
    ) -> Body:
        body: Body = {"change": change, "credential": credential_id, "reason": reason}
        if publish_reason:
            body["publish_reason"] = True
        act = self._as_issuer(key, body)
        target = _uuid(credential_id, "credential_id")
        with _translated():
            status = self.ledger.change_status(
                act, target, change, reason, publish_reason=publish_reason
            )
        return {"status": status}

    def share(self, credential_id: str, key: str | None) -> Body:
        act = self._as_issuer(key, {"share": credential_id})
        target = _uuid(credential_id, "credential_id")
        with _translated():
            token = self.ledger.sharing.share(act, target)
        return {"url": f"{self.ledger.identity.base_url}/c/{token}"}

    def unshare(self, credential_id: str, key: str | None) -> Body:
        act = self._as_issuer(key, {"unshare": credential_id})
        target = _uuid(credential_id, "credential_id")
        with _translated():
            self.ledger.sharing.unshare(act, target)
        return {}

    def endorse(self, body: Body, key: str | None) -> Body:
        act = self._as_issuer(key, body)
        with _translated():
            endorsement, document = self.ledger.endorse(act, body["subject"], body["comment"])
        return {"id": str(endorsement.id), "credential": document}

    def recognise(self, body: Body, key: str | None) -> Body:
        act = self._as_issuer(key, body)
        with _translated():
            recognition = self.ledger.recognise(
                act,
                body["credential"],
                body.get("decision"),
                ects=body.get("ects"),
                exemption=body.get("exemption"),
                note=body.get("note"),
            )
        return {"id": str(recognition.id), "verification": recognition.verification}

    def erase_learner(self, body: Body, key: str | None) -> Body:
        act = self._as_issuer(key, body)
        with _translated():
            erased = self.ledger.erase_learner(act, body["recipient"])
        return {
            "id": str(erased.id),
            "credentials": [str(c) for c in erased.credentials],
            "copies": erased.copies,
        }

    def rotate_key(self, issuer_id: str, key: str | None) -> Body:
        act = self._as_issuer(key, {"issuer": issuer_id, "rotate": True})
        target = _uuid(issuer_id, "issuer")
        with _translated():
            key_id = self.ledger.rotate_issuer_key(act, target)
            return {"key_id": key_id, "did": self.ledger.issuer_did(self.ledger.issuer(target))}

    def report_key_compromised(
        self, issuer_id: str, key_id: str, reason: str, key: str | None
    ) -> Body:
        body = {"issuer": issuer_id, "compromised": key_id, "reason": reason}
        act = self._as_issuer(key, body)
        target = _uuid(issuer_id, "issuer")
        with _translated():
            issuer = self.ledger.keys.report_compromised(act, target, key_id, reason)
            return {
                "key_id": key_id,
                "state": issuer.keys[key_id]["state"],
                "active_key_id": issuer.active_key_id,
                "did": self.ledger.issuer_did(issuer),
                "affected": len(self.ledger.keys.credentials_signed_by(target, key_id)),
            }

    def reissue_signed_by(self, issuer_id: str, key_id: str, reason: str) -> Body:
        act = self._as_issuer(None, {"issuer": issuer_id, "reissue": key_id})
        with _translated():
            done = self.ledger.keys.reissue_signed_by(
                act, _uuid(issuer_id, "issuer"), key_id, reason
            )
        return {"key_id": done.key_id, "reissued": done.reissued, "skipped": done.skipped}
