"""A fresh clone is complete: its docs link only inside it and its tests bring their material.

Only SURF's edubadges material, which has no licence, lives outside; the tests that use
it skip with instructions (tests/edubadges_material.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
DATA = TESTS / "data"
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE_PATH = re.compile(r"`(\.\./[^`\s]+|/work/[^`\s]+)`")
OUTSIDE = re.compile(r"""["']shared["']|parent\.parent\.parent|REPO\.parent|/work/shared""")


def documents() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


@pytest.mark.parametrize("document", documents(), ids=lambda p: p.name)
def test_documents_link_only_to_files_in_the_repository(document: Path) -> None:
    text = document.read_text("utf-8")
    for target in MARKDOWN_LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        resolved = (document.parent / target.split("#", 1)[0]).resolve()
        assert resolved.is_relative_to(REPO), f"{document.name} links outside: {target}"
        assert resolved.exists(), f"{document.name} links to a missing file: {target}"
    assert not CODE_PATH.findall(text), f"{document.name} names paths outside the repository"


def test_no_test_reads_material_from_outside_the_repository() -> None:
    readers = {
        path.name
        for path in TESTS.rglob("*.py")
        if "data" not in path.relative_to(TESTS).parts and OUTSIDE.search(path.read_text("utf-8"))
    }
    assert readers <= {"edubadges_material.py", "test_repository_self_contained.py"}


@pytest.mark.parametrize(
    "folder",
    [p for p in [*sorted((DATA / "vectors").iterdir()), DATA / "schemas" / "ob3"] if p.is_dir()],
    ids=lambda p: p.name,
)
def test_every_vendored_folder_names_its_source_commit_and_licence(folder: Path) -> None:
    readme = (folder / "README.md").read_text("utf-8")
    assert re.search(r"commit\s+[0-9a-f]{40}", readme), "no source commit"
    assert list(folder.glob("LICENSE*")), "no licence text"


def test_a_clone_without_the_edubadges_material_skips_only_the_tests_that_need_it(
    tmp_path: Path,
) -> None:
    """Every test file that reads vendored material, run with the SURF material hidden."""
    readers = sorted(
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("test_*.py")
        if re.search(r"\btest_data\b|\bedubadges\b", path.read_text("utf-8"))
        and path.name != Path(__file__).name
    )
    env = {**os.environ, "CREDLEDGER_EDUBADGES_DIR": str(tmp_path / "absent")}
    env.pop("CREDLEDGER_TEST_DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:randomly", "-p",
         "no:cacheprovider", "-m", "not slow", "-k", "not postgres", *readers],
        cwd=TESTS, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]
    skipped = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    counts = [int(re.match(r"SKIPPED \[(\d+)\]", line)[1]) for line in skipped]  # type: ignore[index]
    assert all("obv3-examples" in line for line in skipped), skipped
    assert sum(counts) <= 8, skipped
