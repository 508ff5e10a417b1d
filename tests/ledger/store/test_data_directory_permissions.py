"""Private keys and token hashes are readable by their owner only: a new data directory is
0700 with its store files 0600 (SQLite's side files too); an exposed one is refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import uvicorn
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.store.data_dir import DataDirectoryExposedError
from credledger.ledger.store.settings import Settings

from ...cli_helpers import clean_environment, run


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture(autouse=True)
def _usual_umask() -> object:
    """The permissions must not depend on a careful umask: use the common 022."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_and_its_store_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "new" / "ledger"
    ledger = CredentialLedger(Settings(data_dir=data))
    try:
        ledger.register_issuer(Act(ADMIN), "Hogeschool Privé")  # writes keys and a token hash
        assert mode(data) == 0o700
        files = sorted(p.name for p in data.iterdir())
        assert {"vault.sqlite", "vault.sqlite-wal", "events.sqlite", "events.sqlite-wal"} <= set(
            files
        )
        assert {name: mode(data / name) for name in files} == {name: 0o600 for name in files}
    finally:
        ledger.close()


def test_init_makes_a_private_directory(tmp_path: Path) -> None:
    data = tmp_path / "ledger"
    assert run("init", "--data", data, "--json").exit_code == 0
    assert mode(data) == 0o700
    assert all(mode(p) == 0o600 for p in data.iterdir())


def make_exposed(data: Path) -> None:
    """A data directory as earlier versions made it: 0755, files 0644."""
    CredentialLedger(Settings(data_dir=data)).close()
    os.chmod(data, 0o755)
    for path in data.iterdir():
        os.chmod(path, 0o644)


def test_serve_refuses_a_directory_whose_key_files_others_can_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "ledger"
    make_exposed(data)
    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: served.append(kwargs))
    result = run("serve", "--data", data, "--port", "8999")
    assert served == []  # it never got as far as listening
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "others can read the private keys" in said
    assert f"chmod 700 {data} && chmod 600 {data}/*.sqlite*" in said


def test_the_hinted_chmod_makes_the_directory_usable_again(tmp_path: Path) -> None:
    data = tmp_path / "ledger"
    make_exposed(data)
    with pytest.raises(DataDirectoryExposedError):
        CredentialLedger(Settings(data_dir=data))
    os.chmod(data, 0o700)
    for path in data.glob("*.sqlite*"):
        os.chmod(path, 0o600)
    CredentialLedger(Settings(data_dir=data)).close()


def test_key_files_readable_by_the_group_are_refused_too(tmp_path: Path) -> None:
    data = tmp_path / "ledger"
    CredentialLedger(Settings(data_dir=data)).close()
    os.chmod(data, 0o750)
    os.chmod(data / "vault.sqlite", 0o640)
    with pytest.raises(DataDirectoryExposedError) as refused:
        CredentialLedger(Settings(data_dir=data))
    assert "vault.sqlite" in str(refused.value)


def test_readable_files_behind_a_closed_directory_are_not_exposed(tmp_path: Path) -> None:
    data = tmp_path / "ledger"
    make_exposed(data)
    os.chmod(data, 0o700)  # others cannot reach the files any more
    CredentialLedger(Settings(data_dir=data)).close()
