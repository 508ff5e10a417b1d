"""`credledger credential share|unshare` and `--publish-reason`, locally and over HTTP."""

from __future__ import annotations

import re
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.errors import UnknownShareLinkError
from credledger.ledger.store.settings import Settings

from ..cli_helpers import LocalSetup, clean_environment, ok, run, set_up_local
from .test_cli_remote import RemoteSetup, remote, server  # noqa: F401 (fixtures)

LINK = re.compile(r"/c/([A-Za-z0-9_-]{43})$")


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def local(tmp_path: Path) -> LocalSetup:
    return set_up_local(tmp_path)


def _award(args: list[str | Path], achievement: str) -> str:
    issued = ok(run("award", "--achievement", achievement, "--email", "a@b.nl", *args, "--json"))
    return str(issued["id"])


def _opens(data: Path, url: str) -> bool:
    token = LINK.search(url)
    assert token, url
    ledger = CredentialLedger(Settings.from_env(data))
    try:
        ledger.sharing.shared(token.group(1))
    except UnknownShareLinkError:
        return False
    else:
        return True
    finally:
        ledger.close()


def test_share_prints_a_link_and_unshare_ends_it(local: LocalSetup) -> None:
    credential = _award(local.args(), local.achievement)
    made = ok(run("credential", "share", credential, *local.args(), "--json"))
    assert LINK.search(made["url"])
    assert _opens(local.data, made["url"])
    ended = ok(run("credential", "unshare", credential, *local.args(), "--json"))
    assert ended == {"ended": True}
    assert not _opens(local.data, made["url"])


def test_share_prints_only_the_link_for_scripts(local: LocalSetup) -> None:
    credential = _award(local.args(), local.achievement)
    result = run("credential", "share", credential, *local.args())
    assert result.exit_code == 0, result.output
    assert LINK.search(result.stdout.strip())


def test_sharing_an_unknown_credential_fails_with_not_found(local: LocalSetup) -> None:
    result = run(
        "credential", "share", "00000000-0000-4000-8000-000000000000", *local.args(), "--json"
    )
    assert result.exit_code == 1


def test_share_and_unshare_over_http(remote: RemoteSetup) -> None:  # noqa: F811
    credential = _award(list(remote.args()), remote.achievement)
    made = ok(run("credential", "share", credential, *remote.args(), "--json"))
    path = made["url"].removeprefix(remote.server.url)
    page = httpx.get(remote.server.url + path, headers={"Accept": "application/ld+json"})
    assert page.status_code == 200
    assert page.json()["id"] == f"urn:uuid:{credential}"
    ok(run("credential", "unshare", credential, *remote.args(), "--json"))
    gone = httpx.get(remote.server.url + path, headers={"Accept": "application/ld+json"})
    assert gone.status_code == 404


def test_a_published_reason_reaches_the_public_history(remote: RemoteSetup) -> None:  # noqa: F811
    credential = _award(list(remote.args()), remote.achievement)
    result = run(
        "revoke", credential, "--reason", "issued in error", "--publish-reason", *remote.args()
    )
    assert result.exit_code == 0, result.output
    public = remote.server.ledger.statuses.public_history(UUID(credential))
    assert public[-1].reason == "issued in error"
