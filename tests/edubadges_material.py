"""SURF's edubadges material (educredentials/obv3-examples), found outside the repository.

The repository has no licence, so nothing of it is copied here. Tests that need it get it
from a checkout named by ``CREDLEDGER_EDUBADGES_DIR`` or, when that is unset, from the
``../shared`` folder beside the checkout; otherwise they skip with :data:`HOW_TO_PROVIDE`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

COMMIT = "a5a6b6d5eb043d37ef004a16fb84fed65b15de6a"
ENV = "CREDLEDGER_EDUBADGES_DIR"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
HOW_TO_PROVIDE = (
    "SURF edubadges material (no licence, so not vendored): "
    "git clone https://github.com/educredentials/obv3-examples && "
    f"git -C obv3-examples checkout {COMMIT} && "
    f"export {ENV}=$PWD/obv3-examples (tests/data/README.md)"
)


@dataclass(frozen=True)
class EdubadgesMaterial:
    """Paths into the material, in the upstream layout or in ../shared's."""

    root: Path
    upstream_layout: bool

    def schema(self, name: str) -> Path:
        """An edubadges profile schema, e.g. ``microcredential.json``."""
        folder = "schemas" if self.upstream_layout else "schemas/edubadges"
        return self.root / folder / name

    def credential(self, name: str) -> Path:
        """An example credential, e.g. ``mbob_eo_eov_microcredential_full.json``."""
        folder = "_data/credentials" if self.upstream_layout else "examples/edubadges"
        return self.root / folder / name

    def ob3_full_example(self) -> Path:
        """The OB 3.0 specification's complete example, as SURF's repository keeps it."""
        if self.upstream_layout:
            return self.root / "ref" / "full_ex.json"
        return self.root / "examples" / "edubadges" / "ref_ob3_full_example.json"

    def ob3_minimal_example(self) -> Path:
        if self.upstream_layout:
            return self.root / "ref" / "minimal_valid_obv3.json"
        return self.root / "examples" / "edubadges" / "ref_minimal_valid_obv3.json"

    def ob3_strict_2024_schema(self) -> Path:
        """1EdTech's formal AchievementCredential schema as SURF saved it in 2024 (stricter
        than the current compaction-tolerant file: ``proof`` must be an array)."""
        name = "ob_v3p0_achievementcredential_schema.json"
        if self.upstream_layout:
            return self.root / "schemas" / name
        return self.root / "schemas" / "ob3" / "strict-2024" / name

    def context(self) -> Path:
        """SURF's published JSON-LD context (invalid as JSON-LD; see the safe-mode tests)."""
        if self.upstream_layout:
            return self.root / "contexts" / "educredential.json"
        return self.root / "contexts" / "edubadges-educredential.json"


def locate_edubadges_material() -> tuple[EdubadgesMaterial | None, str]:
    """The material if present, else None and the reason the tests give when skipping."""
    named = os.environ.get(ENV)
    if named is not None:
        material = EdubadgesMaterial(Path(named), upstream_layout=True)
        if material.schema("microcredential.json").is_file():
            return material, ""
        return None, f"{ENV}={named} holds no schemas/microcredential.json. {HOW_TO_PROVIDE}"
    material = EdubadgesMaterial(SHARED, upstream_layout=False)
    if material.schema("microcredential.json").is_file():
        return material, ""
    return None, HOW_TO_PROVIDE
