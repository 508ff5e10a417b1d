"""Figures a benchmark prints as one JSON line (``--json``), for bench/compare_revisions.py.

Each figure is a value, its unit and which way is better, so a comparison can say
whether a ratio is a gain or a loss without knowing the benchmark.
"""

from __future__ import annotations

import json
import sys
from typing import Literal, TypedDict

__all__ = ["Figure", "faster", "print_json", "slower"]


class Figure(TypedDict):
    value: float
    unit: str
    better: Literal["higher", "lower"]


def faster(value: float, unit: str = "/s") -> Figure:
    """A rate: higher is better."""
    return {"value": value, "unit": unit, "better": "higher"}


def slower(value: float, unit: str) -> Figure:
    """A time or a size: lower is better."""
    return {"value": value, "unit": unit, "better": "lower"}


def print_json(bench: str, figures: dict[str, Figure], **context: object) -> None:
    """One line on stdout: ``{"bench": ..., "figures": {...}, ...context}``."""
    json.dump({"bench": bench, "figures": figures, **context}, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
