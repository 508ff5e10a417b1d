"""Shared fixtures: where the test material lives, and fresh ledgers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from .edubadges_material import EdubadgesMaterial, locate_edubadges_material

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"

# Property tests check what holds, not how fast: on a shared, loaded machine a 200 ms
# per-example deadline fails correct code at random. Tests that set their own keep it.
hypothesis_settings.register_profile("credledger", deadline=None)
hypothesis_settings.load_profile("credledger")


@pytest.fixture(scope="session")
def test_data() -> Path:
    """Vendored vectors and schemas (tests/data, each folder with licence and provenance)."""
    return DATA


@pytest.fixture(scope="session")
def edubadges() -> EdubadgesMaterial:
    """SURF's edubadges material, which has no licence and so is not vendored."""
    material, reason = locate_edubadges_material()
    if material is None:
        pytest.skip(reason)
    return material


# -- ledger fixtures ----------------------------------------------------------------------
import os  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

BACKENDS = ["sqlite", "postgres"]


def fresh_postgres_database() -> str:
    """A new, empty PostgreSQL database on the test server; returns its URL."""
    base = os.environ.get("CREDLEDGER_TEST_DATABASE_URL")
    if not base:
        pytest.skip(
            "no PostgreSQL for tests (scripts/test starts one: CREDLEDGER_TEST_DATABASE_URL)"
        )
    import psycopg

    name = f"cl_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> object:
    from credledger.ledger.store.settings import Settings

    monkeypatch.delenv("CREDLEDGER_DATABASE_URL", raising=False)
    database_url = fresh_postgres_database() if backend == "postgres" else None
    return Settings(
        data_dir=tmp_path / "data",
        base_url="https://ledger.example.test",
        database_url=database_url,
    )


@pytest.fixture
def ledger(settings: object) -> Iterator[object]:
    from credledger.ledger.application import CredentialLedger

    app = CredentialLedger(settings)  # type: ignore[arg-type]
    yield app
    app.close()


@pytest.fixture
def client(ledger: object) -> Iterator[object]:
    """The API over ``ledger``, as a client on 127.0.0.1 sees it (server errors raise).
    Test modules that look at 500 answers define their own with raise_server_exceptions
    off."""
    import hashlib

    from credledger.api.app import create_app
    from fastapi.testclient import TestClient

    from .http_helpers import ADMIN_TOKEN

    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())  # type: ignore[arg-type]
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
