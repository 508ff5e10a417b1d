"""What the result page shows, made from a :class:`~.checking.Checked`: plain words only.

The template decides nothing: every verdict, reason and label is settled here, in the
visitor's language, from the verifier's report and the credential's own fields. A URL
found in a credential is shown as text and never made a link (the page links nowhere
outside this site, and a forged credential cannot lead a reader astray).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from credledger.api.pages.checking import Checked, CredentialCheck, LogFinding
from credledger.api.pages.messages import Messages
from credledger.ledger.services.recognitions import RecognitionSeen
from credledger.ledger.services.status import StatusChange
from credledger.ledger.verify.report import Outcome, Report

Row = tuple[str, str | list[str]]
"""A label and its value (a list shows as a list)."""


@dataclass
class Section:
    """One credential's part of the page."""

    title: str
    verdict: str
    reasons: list[str]
    issuer: list[Row] = field(default_factory=list)
    signature: list[Row] = field(default_factory=list)
    signature_state: str = ""
    validity: list[Row] = field(default_factory=list)
    statuses: list[Row] = field(default_factory=list)
    status_note: str = ""
    holder: list[Row] = field(default_factory=list)
    achievement: list[Row] = field(default_factory=list)
    evidence: list[list[Row]] = field(default_factory=list)
    endorsements: list[tuple[str, str, str]] = field(default_factory=list)
    """(who, comment, verdict) per endorsement."""
    recognitions: list[tuple[str, str, str]] = field(default_factory=list)
    """(institution, what it granted, its page) per standing recognition here."""
    log: list[Row] = field(default_factory=list)
    log_note: str = ""
    checks: list[tuple[str, str]] = field(default_factory=list)
    """(explanation, passed|failed|unsettled) per check run."""
    details: list[str] = field(default_factory=list)
    bundle_here: bool = False
    issuer_page: str = ""
    """This site's page of the issuing institution, when it is registered here."""


@dataclass
class ResultView:
    verdict: str
    headline: str
    lead: str
    reasons: list[str]
    kind: str
    checked_at: str
    sections: list[Section]
    holder_signed: str | None = None
    holder: str = ""
    """For a presentation: the holder's identifier, as it names itself."""
    details: list[str] = field(default_factory=list)


def _text(value: Any, limit: int = 500) -> str:
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("id") or ""
    if isinstance(value, list):
        return ", ".join(_text(v, limit) for v in value[:20])
    return str(value)[:limit] if value is not None else ""


def day(moment: str | datetime | None, t: Messages) -> str:
    """A date as people read it (UTC), or the text as given when it is not one."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        try:
            parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return moment[:60]
        moment = parsed
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def result_view(checked: Checked, t: Messages) -> ResultView:
    verdict = str(checked.outcome)
    headline = {"valid": "result.valid", "invalid": "result.invalid"}.get(
        verdict, "result.undecided"
    )
    sections = [_section(found, t, checked) for found in checked.credentials]
    reasons: list[str] = []
    details: list[str] = []
    if checked.problem:
        reasons.append(t("result.unreadable"))
        details.append(checked.problem)
    if checked.holder_signed == "failed":
        reasons.append(t("reason.holder"))
    for section in sections:
        for reason in section.reasons:
            if reason not in reasons:
                reasons.append(reason)
    if checked.report is not None and checked.kind == "presentation":
        details += [_detail(e) for e in checked.report.errors + checked.report.unsettled]
    if verdict != "valid" and not reasons:
        reasons.append(t("reason.other"))
    return ResultView(
        verdict=verdict,
        headline=t(headline),
        lead=t(f"{headline}.text"),
        reasons=reasons if verdict != "valid" else [],
        kind=t(f"result.kind.{checked.kind}") if checked.kind != "unreadable" else "",
        checked_at=day(checked.checked_at, t),
        sections=sections,
        holder_signed=_holder_words(checked, t),
        holder=_presenter(checked),
        details=details,
    )


def _presenter(checked: Checked) -> str:
    holder = checked.presentation.get("holder") if checked.presentation else None
    return _text(holder.get("id") if isinstance(holder, Mapping) else holder, 300)


def _detail(entry: Mapping[str, Any]) -> str:
    return f"{entry.get('kind')}: {str(entry.get('message'))[:400]}"


def _holder_words(checked: Checked, t: Messages) -> str | None:
    if checked.holder_signed is None:
        return None
    if checked.holder_signed == "unsigned":
        return t("holder.unsigned")
    if checked.holder_signed == "failed":
        return t("holder.signed.no")
    challenged = isinstance(checked.presentation, Mapping) and _challenge_given(checked)
    return t("holder.signed.yes") if challenged else t("holder.signed.yes_no_challenge")


def _challenge_given(checked: Checked) -> bool:
    proof = checked.presentation.get("proof") if checked.presentation else None
    proofs = proof if isinstance(proof, list) else [proof]
    return any(isinstance(p, Mapping) and p.get("challenge") for p in proofs)


def _section(found: CredentialCheck, t: Messages, checked: Checked) -> Section:
    vc, report = found.document, found.report
    subject = vc.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    title = _text(achievement.get("name") or vc.get("name") or vc.get("id") or "")
    section = Section(
        title=title,
        verdict=str(found.outcome),
        reasons=_reasons(found, t, checked),
        details=[_detail(e) for e in report.errors + report.unsettled],
    )
    section.issuer = _issuer(vc, found, t)
    section.signature, section.signature_state = _signature(vc, report, found, t)
    section.validity = _validity(vc, t)
    section.statuses, section.status_note = _statuses(vc, report, found.log, t, checked)
    section.holder = _holder(subject, t)
    section.achievement = achievement_rows(achievement, t)
    section.evidence = _evidence(vc, t)
    section.endorsements = [_endorsement(doc, sub, t) for doc, sub in found.endorsements]
    section.recognitions = [_recognition(seen, t) for seen in found.recognitions]
    section.log, section.log_note = _log(found.log, t, found.history)
    section.checks = _checks(report, found.log, t)
    section.bundle_here = found.log.bundle_here
    section.issuer_page = f"/issuers/{found.issuer_here}" if found.issuer_here else ""
    return section


def _reasons(found: CredentialCheck, t: Messages, checked: Checked) -> list[str]:
    report, reasons = found.report, []
    for error in report.errors:
        kind = str(error.get("kind"))
        if kind == "status":
            continue
        key = f"reason.{kind}" if kind in ("data-model", "validity", "proof") else "reason.other"
        reasons.append(t(key))
    for purpose, value in sorted(report.status.items()):
        change = _change_to(found.history, value)
        if value in ("revoked", "suspended") and change is not None:
            reasons.append(t(f"reason.status.{value}.since", date=day(change.time, t)))
            if change.reason:
                reasons.append(t("reason.status.because", reason=_text(change.reason, 500)))
        elif value in ("revoked", "suspended"):
            date = _list_date(found.document, purpose, found.log, t, checked)
            reasons.append(t(f"reason.status.{value}", date=date))
        elif value == "unknown":
            reasons.append(t("reason.status.unknown"))
    for entry in report.unsettled:
        if entry.get("kind") == "proof":
            reasons.append(t("reason.proof.unknown"))
        elif entry.get("kind") == "status" and t("reason.status.unknown") not in reasons:
            reasons.append(t("reason.status.unknown"))
    if found.log.outcome in ("not-included", "erased"):
        reasons.append(t(f"reason.{found.log.outcome}"))
    elif found.log.outcome == "unknown":
        reasons.append(t("reason.log.unknown"))
    return list(dict.fromkeys(reasons))


def _issuer(vc: Mapping[str, Any], found: CredentialCheck, t: Messages) -> list[Row]:
    issuer = vc.get("issuer")
    issuer_id = _text(issuer.get("id") if isinstance(issuer, Mapping) else issuer)
    rows: list[Row] = []
    if isinstance(issuer, Mapping) and issuer.get("name"):
        rows.append((t("issuer.name"), _text(issuer["name"])))
    rows.append((t("issuer.id"), issuer_id))
    rows.append((t("issuer.key"), key_place(issuer_id, t)))
    known = found.issuer_here is not None
    rows.append((t("issuer.known"), t("issuer.known.yes" if known else "issuer.known.no")))
    return rows


def key_place(did: str, t: Messages) -> str:
    """Where a verifier finds the issuer's key, from its identifier."""
    if did.startswith("did:web:"):
        host = unquote(did.removeprefix("did:web:").split(":", 1)[0])
        return t("issuer.key.did_web", domain=host)
    if did.startswith("did:key:"):
        return t("issuer.key.did_key")
    return t("issuer.key.other", method=":".join(did.split(":")[:2]))


def _signature(
    vc: Mapping[str, Any], report: Report, found: CredentialCheck, t: Messages
) -> tuple[list[Row], str]:
    proof = vc.get("proof")
    proofs = proof if isinstance(proof, list) else [proof] if isinstance(proof, Mapping) else []
    rows: list[Row] = []
    for p in proofs[:4]:
        if isinstance(p, Mapping):
            rows.append((t("signature.suite"), _text(p.get("cryptosuite") or p.get("type"))))
            rows.append((t("signature.by"), _text(p.get("verificationMethod"))))
            if p.get("created"):
                rows.append((t("signature.created"), day(_text(p.get("created")), t)))
    if found.jwt:
        rows.append((t("signature.suite"), "VC-JWT (EdDSA)"))
    failed = any(e.get("kind") == "proof" for e in report.errors)
    unsettled = any(e.get("kind") == "proof" for e in report.unsettled)
    ran = "proof" in report.checks
    state = "failed" if failed else "unchecked" if unsettled or not ran else "ok"
    return rows, state


def _validity(vc: Mapping[str, Any], t: Messages) -> list[Row]:
    rows: list[Row] = []
    for key, label in (
        ("validFrom", "validity.from"),
        ("issuanceDate", "validity.from"),
        ("validUntil", "validity.until"),
        ("expirationDate", "validity.until"),
        ("awardedDate", "validity.awarded"),
    ):
        if key in vc:
            rows.append((t(label), day(_text(vc[key]), t)))
    if "validUntil" not in vc and "expirationDate" not in vc:
        rows.append((t("validity.until"), t("validity.none")))
    return rows


def _entries(vc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = vc.get("credentialStatus")
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return [e for e in items if isinstance(e, Mapping)]


def _change_to(history: list[StatusChange], status: str) -> StatusChange | None:
    """The logged change that put the credential in ``status`` (the latest such)."""
    for change in reversed(history):
        if change.status == status:
            return change
    return None


def _history(history: list[StatusChange], t: Messages) -> list[str]:
    """Each logged change in words: what, when and (where published) why."""
    lines = []
    for change in history:
        line = t(f"history.{change.event}", date=day(change.time, t))
        if change.reason:
            line = f"{line}: {_text(change.reason, 500)}"
        lines.append(line)
    if len(history) > 1:
        lines.append(t("history.reasons"))
    return lines


def _list_date(
    vc: Mapping[str, Any], purpose: str, log: LogFinding, t: Messages, checked: Checked
) -> str:
    for entry in _entries(vc):
        if entry.get("statusPurpose") == purpose:
            logged = log.lists.get(str(entry.get("statusListCredential")))
            if logged is not None:
                return day(logged[1], t)
    return day(checked.checked_at, t)


def _statuses(
    vc: Mapping[str, Any], report: Report, log: LogFinding, t: Messages, checked: Checked
) -> tuple[list[Row], str]:
    entries = _entries(vc)
    if not entries:
        return [], t("status.none")
    rows: list[Row] = []
    for entry in entries[:8]:
        purpose = _text(entry.get("statusPurpose"), 40)
        value = report.status.get(purpose, "unknown")
        url = _text(entry.get("statusListCredential"), 300)
        logged = log.lists.get(url)
        source = (
            t("status.version", version=logged[0], date=day(logged[1], t))
            if logged
            else f"{day(checked.checked_at, t)}"
        )
        label = t(f"status.{purpose}") if purpose in ("revocation", "suspension") else purpose
        rows.append((label, [t(f"status.{value}") if value in _VALUES else value, url, source]))
    return rows, ""


_VALUES = frozenset({"clear", "revoked", "suspended", "unknown"})


def _holder(subject: Mapping[str, Any], t: Messages) -> list[Row]:
    rows: list[Row] = []
    if subject.get("name"):
        rows.append((t("holder.name"), _text(subject["name"])))
    if subject.get("id"):
        rows.append((t("holder.id"), _text(subject["id"])))
    identifiers = subject.get("identifier")
    for item in identifiers if isinstance(identifiers, list) else []:
        if isinstance(item, Mapping) and item.get("hashed"):
            rows.append((t("holder.id"), t("holder.hashed", kind=_text(item.get("identityType")))))
    return rows


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _alignment(achievement: Mapping[str, Any], target_type: str) -> list[str]:
    found = []
    for item in _list(achievement.get("alignment")):
        if isinstance(item, Mapping) and item.get("targetType") == target_type:
            found.append(_text(item.get("targetCode") or item.get("targetName")))
    return found


def achievement_rows(achievement: Mapping[str, Any], t: Messages) -> list[Row]:
    """An Open Badges Achievement's standard elements, labelled, in the catalogue's order."""
    rows: list[Row] = []

    def add(label: str, value: Any) -> None:
        if value in (None, "", [], {}):
            return
        if isinstance(value, bool):
            value = t("yes") if value else t("no")
        if isinstance(value, list):
            rows.append((t(label), [_text(v) for v in value[:30]]))
        else:
            rows.append((t(label), _text(value)))

    variant = achievement.get("achievementType")
    variant_word = {"MicroCredential": "kind.microcredential", "Badge": "kind.badge"}.get(
        str(variant)
    )
    add("achievement.name", achievement.get("name"))
    add("achievement.description", achievement.get("description"))
    add("achievement.variant", t(variant_word) if variant_word else variant)
    add("achievement.ects", achievement.get("ECTS"))
    add("achievement.sbu", achievement.get("SBU"))
    add("achievement.eqf", ", ".join(_alignment(achievement, "ext:EQF")))
    add("achievement.language", achievement.get("inLanguage"))
    add("achievement.assessment", achievement.get("assessmentType"))
    add("achievement.participation", achievement.get("participationType"))
    add("achievement.supervision", achievement.get("supervisionType"))
    add("achievement.identity", achievement.get("identityChecked"))
    quality = [
        _text(item.get("targetName"))
        for item in _list(achievement.get("alignment"))
        if isinstance(item, Mapping) and item.get("targetType") == "ext:QualityAssurance"
    ]
    add("achievement.quality", quality)
    add("achievement.prerequisites", achievement.get("prerequisites"))
    add("achievement.outcomes", achievement.get("learningOutcome"))
    criteria = achievement.get("criteria")
    narrative = criteria.get("narrative") if isinstance(criteria, Mapping) else None
    add("achievement.criteria", narrative)
    return rows


def _evidence(vc: Mapping[str, Any], t: Messages) -> list[list[Row]]:
    raw = vc.get("evidence")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, Mapping) else []
    shown = []
    for item in items[:20]:
        if not isinstance(item, Mapping):
            continue
        rows: list[Row] = []
        for key in ("name", "description", "narrative", "genre", "audience", "id"):
            if item.get(key):
                rows.append((key, _text(item[key])))
        shown.append(rows)
    return shown


def _endorsement(
    doc: Mapping[str, Any], report: Report | None, t: Messages
) -> tuple[str, str, str]:
    issuer = doc.get("issuer")
    who = _text(issuer.get("name") or issuer.get("id") if isinstance(issuer, Mapping) else issuer)
    subject = doc.get("credentialSubject")
    comment = _text(subject.get("endorsementComment")) if isinstance(subject, Mapping) else ""
    verdict = str(report.outcome) if report is not None else str(Outcome.UNDECIDED)
    return t("endorsement.by", name=who), comment, verdict


def _recognition(seen: RecognitionSeen, t: Messages) -> tuple[str, str, str]:
    granted = [t("recognition.ects", ects=seen.ects)] if seen.ects else []
    if seen.exemption:
        granted.append(t("recognition.exemption", exemption=seen.exemption))
    what = t("recognition.on", date=day(seen.recorded_at, t))
    if granted:
        what = f"{what}: {', '.join(granted)}"
    return seen.institution, what, f"/issuers/{seen.institution_id}"


def _log(log: LogFinding, t: Messages, history: list[StatusChange]) -> tuple[list[Row], str]:
    if log.outcome == "included":
        rows: list[Row] = [
            (t("log.leaf"), t("log.leaf.text", index=log.leaf_index, date=day(log.leaf_time, t))),
            (t("log.checkpoint"), t("log.checkpoint.text", size=log.checkpoint_size)),
            (t("log.witnesses"), log.witnesses or t("log.witnesses.none")),
            (
                t("log.history"),
                _history(history, t) or t("log.history.text", issued=day(log.leaf_time, t)),
            ),
        ]
        note = "" if log.bundle_here else t("log.bundle", origin=log.origin)
        return rows, note
    if log.outcome == "not-included":
        return [], t("log.not_here")
    if log.outcome == "erased":
        return [], t("log.erased")
    if log.outcome == "unknown":
        return [], t("log.unknown", reason=log.detail[:300])
    return [], t("log.other")


def _checks(report: Report, log: LogFinding, t: Messages) -> list[tuple[str, str]]:
    rows = []
    for kind in dict.fromkeys(report.checks):
        failed = any(e.get("kind") == kind for e in report.errors)
        unsettled = any(e.get("kind") == kind for e in report.unsettled)
        state = "failed" if failed else "unsettled" if unsettled else "passed"
        rows.append((t(f"check.{kind}"), state))
    if log.outcome != "not-applicable":
        state = {"included": "passed", "unknown": "unsettled"}.get(log.outcome, "failed")
        rows.append((t("check.log"), state))
    return rows
