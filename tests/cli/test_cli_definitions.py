"""Definitions explain themselves: documented fields, templates that define as they stand,
every missing field named at once, and no silent duplicate under one name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from credledger.cli.definition_templates import TEMPLATES
from credledger.ledger.domain.definitions import _KNOWN_FIELDS

from ..cli_helpers import LocalSetup, clean_environment, ok, run, set_up_local, write_definition

DOCS = Path(__file__).resolve().parents[2] / "docs" / "definitions.md"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def local(tmp_path: Path) -> LocalSetup:
    return set_up_local(tmp_path)


@pytest.mark.parametrize("variant", sorted(TEMPLATES))
def test_the_template_of_each_variant_is_defined_as_it_stands(
    tmp_path: Path, local: LocalSetup, variant: str
) -> None:
    printed = run("achievement", "template", variant)
    assert printed.exit_code == 0, printed.output
    path = tmp_path / f"{variant}.yaml"
    path.write_text(printed.stdout)
    created = ok(run("achievement", "define", path, *local.args(), "--json"))
    assert created["created"] is True
    assert created["achievement"]["name"] == yaml.safe_load(printed.stdout)["name"]


@pytest.mark.parametrize("variant", sorted(TEMPLATES))
def test_definitions_md_shows_each_template_exactly(variant: str) -> None:
    assert f"### {variant}\n\n```yaml\n{TEMPLATES[variant]}```" in DOCS.read_text("utf-8")


def test_definitions_md_documents_every_field() -> None:
    fields = DOCS.read_text("utf-8").split("## Fields", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", fields, re.MULTILINE))
    assert documented == set(_KNOWN_FIELDS)


def test_the_template_prints_as_json_too() -> None:
    data = json.loads(run("achievement", "template", "regular", "--json").stdout)
    assert data["variant"] == "regular"


def test_every_missing_field_is_named_at_once_once_and_without_a_transport_prefix(
    tmp_path: Path, local: LocalSetup
) -> None:
    path = tmp_path / "partial.yaml"
    path.write_text("name: Partial\nvariant: microcredential\n")
    result = run("achievement", "define", path, *local.args())
    assert result.exit_code == 1
    assert "body" not in result.output
    named = re.findall(r"^  ([a-z_]+): ", result.stderr, re.MULTILINE)
    expected = {
        "description", "criteria", "learning_outcomes", "participation", "assessment",
        "supervision", "identity_checked", "language", "eqf_level", "quality_assurance", "ects",
    }  # fmt: skip
    assert sorted(named) == sorted(expected)


def test_defining_the_same_achievement_twice_finds_the_existing_one(
    tmp_path: Path, local: LocalSetup
) -> None:
    again = ok(
        run("achievement", "define", write_definition(tmp_path / "d.yaml"), *local.args(), "--json")
    )
    assert again["id"] == local.achievement
    assert again["created"] is False


def test_a_changed_definition_under_the_same_name_is_refused_with_the_way_to_revise(
    tmp_path: Path, local: LocalSetup
) -> None:
    changed = write_definition(tmp_path / "d.yaml", ects=5)
    result = run("achievement", "define", changed, *local.args())
    assert result.exit_code == 1
    assert local.achievement in result.stderr
    assert "--revise" in result.stderr


def test_revise_records_the_changed_definition_as_a_revision(
    tmp_path: Path, local: LocalSetup
) -> None:
    changed = write_definition(tmp_path / "d.yaml", ects=5)
    revised = ok(
        run(
            "achievement", "define", changed, "--revise", local.achievement, *local.args(), "--json"
        )
    )
    assert revised["id"] == local.achievement
    assert revised["achievement"]["ECTS"] == 5
