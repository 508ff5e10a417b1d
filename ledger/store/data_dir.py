"""The data directory holds private keys and token hashes: only its owner may read it.

A new directory is made 0700 and every store file in it 0600 before SQLite opens it
(SQLite gives a database's -wal and -shm files the database file's mode). A directory
made before, whose key files others can read, is refused with the command that fixes
it, rather than served: keys that others could copy cannot be trusted to sign.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from credledger.ledger.store.schema import (
    DIGESTS_FILE,
    EVENTS_FILE,
    LOG_FILE,
    READ_MODEL_FILE,
    VAULT_FILE,
)
from credledger.ledger.store.settings import Settings

PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600
KEY_STORES = (VAULT_FILE, EVENTS_FILE)
"""Files that hold private keys (vault) or token hashes (vault, issuer events)."""
SIDE_FILES = ("", "-wal", "-shm", "-journal")


class DataDirectoryExposedError(PermissionError):
    """Others can read the data directory's key files."""

    def __init__(self, directory: Path, exposed: list[str]) -> None:
        self.directory = directory
        self.exposed = exposed
        self.hint = f"chmod 700 {directory} && chmod 600 {directory}/*.sqlite*"
        super().__init__(
            f"others can read the private keys and token hashes in {directory} "
            f"({', '.join(exposed)}); refusing to use them. Fix with: {self.hint}"
        )


def store_files(settings: Settings) -> tuple[str, ...]:
    """The SQLite files the ledger keeps in its data directory with these settings."""
    if settings.database_url:
        return (READ_MODEL_FILE, DIGESTS_FILE)  # events, log and vault: PostgreSQL
    return (EVENTS_FILE, LOG_FILE, VAULT_FILE, READ_MODEL_FILE, DIGESTS_FILE)


def key_files(directory: Path) -> list[Path]:
    return [directory / f"{name}{side}" for name in KEY_STORES for side in SIDE_FILES]


def exposed_key_files(directory: Path) -> list[str]:
    """Key files that a group member or any other user can read (through the directory)."""
    try:
        reach = directory.stat().st_mode
    except FileNotFoundError:
        return []
    readers = 0
    if reach & stat.S_IXGRP:
        readers |= stat.S_IRGRP
    if reach & stat.S_IXOTH:
        readers |= stat.S_IROTH
    exposed = []
    for path in key_files(directory):
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue
        if mode & readers:
            exposed.append(f"{path.name} {stat.filemode(mode)}")
    return exposed


def prepare_data_directory(directory: Path, files: tuple[str, ...]) -> None:
    """Refuse an exposed directory; make a missing one 0700 and missing ``files`` 0600."""
    exposed = exposed_key_files(directory)
    if exposed:
        raise DataDirectoryExposedError(directory, exposed)
    if not directory.exists():
        directory.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
        os.chmod(directory, PRIVATE_DIRECTORY)  # mkdir's mode passes through the umask
    for name in files:
        create_private_file(directory / name)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite takes an empty file
    as a new database)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.fchmod(fd, PRIVATE_FILE)
    os.close(fd)
