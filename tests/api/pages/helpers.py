"""Fixtures for the people pages' tests: a ledger served by TestClient, credentials in it,
and readers for what a page says (its verdict, its text)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from uuid import UUID

from credledger.api.app import create_app
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.acts import Act
from credledger.ledger.store.settings import Settings
from fastapi.testclient import TestClient

from ...http_helpers import ADMIN_TOKEN
from ...ledger_server import School, add_school, award, signed_credential

BASE_URL = "https://ledger.example.test"
VERDICT = re.compile(r'data-verdict="(valid|invalid|undecided)"')


@dataclass
class Pages:
    client: TestClient
    ledger: CredentialLedger
    school: School

    def award(self, email: str = "dana@example.org") -> tuple[UUID, dict[str, Any]]:
        credential_id = award(self.ledger, self.school, email)
        self.ledger.proof_bundle(credential_id)  # lists published, a checkpoint made
        return credential_id, signed_credential(self.ledger, credential_id)

    def change(
        self, credential_id: UUID, change: str, reason: str = "test", *, publish: bool = False
    ) -> None:
        self.ledger.change_status(
            Act(str(self.school.issuer)), credential_id, change, reason, publish_reason=publish
        )
        self.ledger.proof_bundle(credential_id)


def pages_client(data: Path, *, allow_private: bool = True) -> tuple[TestClient, CredentialLedger]:
    settings = Settings(
        data_dir=data,
        base_url=BASE_URL,
        allow_private_fetch=allow_private,  # loopback servers play foreign issuers in tests
    )
    ledger = CredentialLedger(settings)
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    return TestClient(app, base_url=BASE_URL), ledger


def open_pages(data: Path, *, allow_private: bool = True) -> Pages:
    client, ledger = pages_client(data, allow_private=allow_private)
    school = add_school(ledger, suspendable=True)
    return Pages(client, ledger, school)


def verdict(html: str) -> str:
    found = VERDICT.findall(html)
    assert len(found) == 1, found
    return found[0]


def text(html: str) -> str:
    """The page's words, tags removed (to look for what a reader sees)."""
    without = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", without)))
