"""Help text as a person reads it: a flag shows no ``<bool>`` placeholder.

typer 0.29 prints the type of every option, flags included (``--json <bool>``), which
reads as if the flag took a value. Flags have no type to show.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperOption

_display_type_rich = TyperOption.display_type_rich


def _flag_shows_no_type(self: TyperOption, ctx: Any) -> str | None:
    if self.is_flag:
        return None
    return _display_type_rich(self, ctx)


def install() -> None:
    TyperOption.display_type_rich = _flag_shows_no_type  # type: ignore[method-assign]
