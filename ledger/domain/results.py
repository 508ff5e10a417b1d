"""What result an award may carry: the definition declares it, the achievement publishes
it as its Open Badges 3.0 ResultDescription, and every award is checked against it.

Kinds: ``status`` (the default: the only value is ``Completed``), ``grade`` (a Dutch
grade from 1 to 10, at most one decimal; a comma is read as the decimal point),
``pass_fail`` (``Pass``; ``Fail`` earns no credential) and ``percentage`` (0 to 100, at
most two decimals; a trailing ``%`` is dropped). ``grade`` and ``percentage`` may set a
``pass_mark`` below which nothing is awarded. Before this, any text was signed as the
value of a result whose only allowed value was ``Completed``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Final

from credledger.ledger.domain.errors import FieldError, RequestInvalidError

KINDS: Final = ("status", "grade", "pass_fail", "percentage")
DEFAULT: Final = {"type": "status"}
_RANGES: Final = {
    "grade": (Decimal(1), Decimal(10), 1),
    "percentage": (Decimal(0), Decimal(100), 2),
}


def check_result_field(value: Any, errors: list[FieldError]) -> dict[str, Any] | None:
    """The definition's ``result`` normalised to ``{"type", "pass_mark"?}``; problems are
    appended to ``errors``. A bare kind (``result: grade``) is accepted as shorthand."""
    if value is None:
        return None
    if isinstance(value, str):
        value = {"type": value}
    if not isinstance(value, dict):
        errors.append(FieldError(("result",), "must be a kind or an object with 'type'"))
        return None
    kind = value.get("type")
    if kind not in KINDS:
        options = ", ".join(f"'{k}'" for k in KINDS)
        errors.append(FieldError(("result", "type"), f"must be one of {options}"))
        return None
    for key in value:
        if key not in ("type", "pass_mark"):
            errors.append(FieldError(("result", key), "unknown field"))
    normalised: dict[str, Any] = {"type": kind}
    if "pass_mark" in value:
        if kind not in _RANGES:
            errors.append(FieldError(("result", "pass_mark"), "only a grade or percentage has one"))
        else:
            mark = _number(value["pass_mark"], kind)
            if mark is None:
                low, high, _ = _RANGES[kind]
                errors.append(FieldError(("result", "pass_mark"), f"must be from {low} to {high}"))
            else:
                normalised["pass_mark"] = mark
    return normalised


def result_description(definition: dict[str, Any], url: str) -> dict[str, Any]:
    """The achievement's OB 3.0 ResultDescription for its declared result."""
    spec = definition.get("result") or DEFAULT
    kind = spec["type"]
    base: dict[str, Any] = {"id": f"{url}#result", "type": ["ResultDescription"]}
    if kind == "status":
        return {
            **base,
            "name": "Completion",
            "resultType": "Status",
            "allowedValue": ["Completed"],
            "requiredValue": "Completed",
        }
    if kind == "pass_fail":
        return {
            **base,
            "name": "Pass or fail",
            "resultType": "Result",
            "allowedValue": ["Pass", "Fail"],
            "requiredValue": "Pass",
        }
    low, high, _ = _RANGES[kind]
    described = {
        **base,
        "name": "Grade (1 to 10)" if kind == "grade" else "Percentage",
        "resultType": "ext:ECTSGradeScore" if kind == "grade" else "Percent",
        "valueMin": str(low),
        "valueMax": str(high),
    }
    if "pass_mark" in spec:
        described["requiredValue"] = spec["pass_mark"]
    return described


def spec_from_description(description: Any) -> dict[str, Any] | None:
    """The result kind a published ResultDescription stands for (None: not one of ours)."""
    if not isinstance(description, dict):
        return None
    kind = {
        "Status": "status",
        "Result": "pass_fail",
        "ext:ECTSGradeScore": "grade",
        "Percent": "percentage",
    }.get(str(description.get("resultType")))
    if kind is None:
        return None
    spec: dict[str, Any] = {"type": kind}
    if kind in _RANGES and description.get("requiredValue") is not None:
        spec["pass_mark"] = str(description["requiredValue"])
    return spec


def fit_result(definition: dict[str, Any], value: str | None) -> str | None:
    """The award's result value in its one spelling, or RequestInvalidError saying what
    the achievement allows. No value is always allowed (the credential says Completed)."""
    if value is None:
        return None
    spec = definition.get("result") or DEFAULT
    kind = spec["type"]
    text = value.strip()
    if kind == "status":
        if text.lower() == "completed":
            return "Completed"
        raise _refused("this achievement's result is a status: the only value is 'Completed'")
    if kind == "pass_fail":
        if text.lower() == "pass":
            return "Pass"
        if text.lower() == "fail":
            raise _refused("'Fail' does not earn this achievement (it requires 'Pass')")
        raise _refused("this achievement's result is 'Pass' or 'Fail'")
    number = _number(text, kind)
    low, high, places = _RANGES[kind]
    if number is None:
        what = "a Dutch grade" if kind == "grade" else "a percentage"
        raise _refused(f"must be {what} from {low} to {high}, at most {places} decimal(s)")
    if "pass_mark" in spec and Decimal(number) < Decimal(spec["pass_mark"]):
        raise _refused(f"{number} is below the pass mark {spec['pass_mark']}")
    return number


def _number(value: Any, kind: str) -> str | None:
    """A grade or percentage in range, as plain decimal text (``7,5`` -> ``7.5``)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    text = str(value).strip().replace(",", ".")
    if kind == "percentage":
        text = text.removesuffix("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    low, high, places = _RANGES[kind]
    if not number.is_finite() or not low <= number <= high:
        return None
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return None
    return format(number.normalize(), "f")


def _refused(message: str) -> RequestInvalidError:
    return RequestInvalidError([FieldError(("result", "value"), message)])
