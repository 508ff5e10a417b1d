"""The people pages over a fresh ledger with one school (a suspendable achievement)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import Pages, open_pages


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[Pages]:
    opened = open_pages(tmp_path / "data")
    with opened.client:
        yield opened
    opened.ledger.close()
