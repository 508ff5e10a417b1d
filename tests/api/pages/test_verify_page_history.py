"""The verify page's history of a credential this ledger recorded: from its logged events,
with dates, and reasons only where the issuer chose to publish them."""

from __future__ import annotations

import json
from uuid import UUID

from .helpers import Pages, text, verdict


def paste(pages: Pages, document: object) -> str:
    answer = pages.client.post("/verify", data={"credential": json.dumps(document)})
    assert answer.status_code == 200, answer.text
    return text(answer.text)


def logged_day(pages: Pages, credential_id: UUID, event: str) -> str:
    history = pages.ledger.statuses.history(pages.school.issuer, credential_id)
    moment = next(c.time for c in history if c.event == event)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def test_revoked_on_names_the_day_of_the_logged_revocation(pages: Pages) -> None:
    credential_id, vc = pages.award()
    pages.change(credential_id, "revoke", "grades entered in error")
    words = paste(pages, vc)
    assert f"revoked on {logged_day(pages, credential_id, 'CredentialRevoked')}" in words


def test_a_reason_the_issuer_kept_to_itself_is_not_shown(pages: Pages) -> None:
    credential_id, vc = pages.award()
    pages.change(credential_id, "revoke", "grades entered in error")
    words = paste(pages, vc)
    assert "grades entered in error" not in words
    assert "the issuer's reason" not in words


def test_a_reason_the_issuer_published_is_shown_with_the_verdict(pages: Pages) -> None:
    credential_id, vc = pages.award()
    pages.change(credential_id, "revoke", "grades entered in error", publish=True)
    html = pages.client.post("/verify", data={"credential": json.dumps(vc)}).text
    assert verdict(html) == "invalid"
    assert "the issuer's reason: grades entered in error" in text(html)


def test_the_history_lists_each_change_with_its_day(pages: Pages) -> None:
    credential_id, vc = pages.award()
    pages.change(credential_id, "suspend", "under review", publish=True)
    pages.change(credential_id, "reinstate", "review closed")
    words = paste(pages, vc)
    for event, said in (
        ("CredentialIssued", "issued on"),
        ("CredentialSuspended", "suspended on"),
        ("CredentialReinstated", "reinstated on"),
    ):
        assert f"{said} {logged_day(pages, credential_id, event)}" in words
    assert "under review" in words
    assert "review closed" not in words


def test_dutch_pages_say_ingetrokken_op(pages: Pages) -> None:
    credential_id, vc = pages.award()
    pages.change(credential_id, "revoke", "fraude", publish=True)
    answer = pages.client.post(
        "/verify", data={"credential": json.dumps(vc)}, headers={"Accept-Language": "nl"}
    )
    words = text(answer.text)
    assert f"ingetrokken op {logged_day(pages, credential_id, 'CredentialRevoked')}" in words
    assert "reden van de uitgever: fraude" in words


def test_an_unpublished_reason_stays_in_the_issuers_history(pages: Pages) -> None:
    credential_id, _ = pages.award()
    pages.change(credential_id, "revoke", "kept private")
    public = pages.ledger.statuses.public_history(credential_id)
    assert [c.reason for c in public] == [None, None]
    assert all(c.actor == "" for c in public)
    own = pages.ledger.statuses.history(pages.school.issuer, credential_id)
    assert own[-1].reason == "kept private"
