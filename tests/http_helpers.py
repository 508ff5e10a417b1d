"""Shared helpers for the HTTP tests: a client on a fresh ledger, and request bodies."""

from __future__ import annotations

from typing import Any

ADMIN_TOKEN = "test-admin-token-not-a-secret"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def microcredential_definition(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Data Literacy for Teachers",
        "description": "Reading, cleaning and presenting data in the classroom.",
        "criteria": "Pass the practical assessment and submit a portfolio.",
        "variant": "microcredential",
        "learning_outcomes": ["Cleans a data set", "Chooses a suitable chart"],
        "ects": 4,
        "eqf_level": 6,
        "language": "nl",
        "participation": "onsite or blended",
        "assessment": "application of a skill",
        "identity_checked": True,
        "supervision": "onsite with identity verification",
        "quality_assurance": {"name": "NVAO accredited programme", "url": "https://www.nvao.net/"},
        "valid_for_days": 365,
        "result": {"type": "grade"},  # awards carry Dutch grades (results.py)
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}
