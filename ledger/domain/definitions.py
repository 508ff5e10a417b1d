"""Achievement definitions and the rules of the Dutch edubadges variants.

The rules restate, in code of our own, what SURF's edubadges Open Badges 3.0 profile
schemas require of each variant (regular, microcredential, extracurricular) and the
EU standard elements of a microcredential (Council Recommendation 2022/C 243/02).
A definition is checked as a whole and every broken rule is reported by field name.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Final

from credledger.ledger.domain.badge_images import ImageInvalidError, parse_data_url
from credledger.ledger.domain.errors import DefinitionInvalidError, FieldError
from credledger.ledger.domain.results import check_result_field

VARIANTS: Final = ("regular", "microcredential", "extracurricular")

PARTICIPATION: Final = (
    "online",
    "onsite or blended",
    "volunteering",
    "work experience",
    "personalized learning activities",
)
ASSESSMENT: Final = (
    "testing",
    "application of a skill",
    "portfolio",
    "recognition of prior learning",
)
SUPERVISION: Final = (
    "unsupervised with no identity verification",
    "supervised with no identity verification",
    "supervised online",
    "onsite with identity verification",
)

_TEXT_LIMIT: Final = 20_000
_NAME_LIMIT: Final = 500
MAX_SBU: Final = 100_000
MAX_CODE: Final = 999_999_999
"""Upper bounds so every number is one the stores hold: an SBU of 2**70 was once recorded
and then stopped the read model, which could never insert it."""
_KNOWN_FIELDS: Final = frozenset(
    {
        "name",
        "description",
        "criteria",
        "variant",
        "learning_outcomes",
        "ects",
        "sbu",
        "eqf_level",
        "language",
        "participation",
        "assessment",
        "identity_checked",
        "supervision",
        "quality_assurance",
        "prerequisites",
        "valid_for_days",
        "image",
        "education_program_identifier",
        "tags",
        "result",
        "suspendable",
    }
)


def _text(
    data: dict[str, Any],
    name: str,
    errors: list[FieldError],
    *,
    required: bool,
    limit: int = _TEXT_LIMIT,
) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            errors.append(FieldError((name,), "field required"))
        return None
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError((name,), "must be a non-empty string"))
        return None
    if len(value) > limit:
        errors.append(FieldError((name,), f"must be at most {limit} characters"))
        return None
    return value.strip() if name != "description" else value


def _choice(
    data: dict[str, Any],
    name: str,
    allowed: tuple[str, ...],
    errors: list[FieldError],
    *,
    required: bool,
) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            errors.append(FieldError((name,), "field required"))
        return None
    if value not in allowed:
        options = ", ".join(f"'{a}'" for a in allowed)
        errors.append(FieldError((name,), f"must be one of {options}"))
        return None
    return str(value)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _check_study_load(data: dict[str, Any], variant: str, errors: list[FieldError]) -> None:
    ects, sbu = data.get("ects"), data.get("sbu")
    if ects is not None and sbu is not None:
        errors.append(FieldError(("sbu",), "give the study load in ECTS or in SBU, not both"))
        return
    if ects is None and sbu is None:
        if variant in ("regular", "microcredential"):
            errors.append(FieldError(("ects",), f"a {variant} needs its study load: ects or sbu"))
        return
    if ects is not None:
        low, high = (
            (Decimal(3), Decimal(30))
            if variant == "microcredential"
            else (
                Decimal("0.5"),
                Decimal(240),
            )
        )
        number = _decimal(ects)
        if number is None or not (low <= number <= high) or number % Decimal("0.5") != 0:
            errors.append(
                FieldError(
                    ("ects",),
                    f"must be a number from {low} to {high} in steps of 0.5 for a {variant}",
                )
            )
    if sbu is not None:
        low_sbu = 240 if variant == "microcredential" else 1
        if isinstance(sbu, bool) or not isinstance(sbu, int) or not low_sbu <= sbu <= MAX_SBU:
            errors.append(
                FieldError(("sbu",), f"must be a whole number of {low_sbu} to {MAX_SBU} hours")
            )


def _check_quality_assurance(data: dict[str, Any], errors: list[FieldError]) -> None:
    qa = data.get("quality_assurance")
    if qa is None:
        return
    if not isinstance(qa, dict):
        errors.append(FieldError(("quality_assurance",), "must be an object"))
        return
    if not isinstance(qa.get("name"), str) or not qa["name"].strip():
        errors.append(FieldError(("quality_assurance", "name"), "field required"))
    for key in ("url", "description"):
        if key in qa and not isinstance(qa[key], str):
            errors.append(FieldError(("quality_assurance", key), "must be a string"))
    if isinstance(qa.get("url"), str) and not qa["url"].startswith(("https://", "http://")):
        errors.append(FieldError(("quality_assurance", "url"), "must be an http(s) URL"))
    for key in qa:
        if key not in ("name", "url", "description"):
            errors.append(FieldError(("quality_assurance", key), "unknown field"))


def _check_string_list(
    data: dict[str, Any], name: str, errors: list[FieldError], *, required: bool
) -> None:
    value = data.get(name)
    if value is None:
        if required:
            errors.append(FieldError((name,), "field required"))
        return
    if not isinstance(value, list) or (required and not value):
        errors.append(FieldError((name,), "must be a non-empty list of strings"))
        return
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip() or len(item) > _TEXT_LIMIT:
            errors.append(FieldError((name, i), "must be a non-empty string"))


def validate_definition(data: Any) -> dict[str, Any]:
    """Check a definition against its variant's rules; return the normalised definition.

    Raises DefinitionInvalidError listing every broken rule.
    """
    if not isinstance(data, dict):
        raise DefinitionInvalidError([FieldError((), "must be a JSON object")])
    errors: list[FieldError] = []
    for key in data:
        if key not in _KNOWN_FIELDS:
            errors.append(FieldError((key,), "unknown field"))
    _text(data, "name", errors, required=True, limit=_NAME_LIMIT)
    _text(data, "description", errors, required=True)
    _text(data, "criteria", errors, required=True)
    variant = _choice(data, "variant", VARIANTS, errors, required=True)
    _check_string_list(data, "learning_outcomes", errors, required=True)
    _check_string_list(data, "tags", errors, required=False)
    _check_how_it_is_earned(data, variant == "microcredential", errors)
    language = _text(data, "language", errors, required=True, limit=35)
    if language is not None and not _looks_like_language_tag(language):
        errors.append(FieldError(("language",), "must be a BCP 47 language tag, e.g. 'nl'"))
    _check_level_and_assurance(data, variant, errors)
    if variant is not None:
        _check_study_load(data, variant, errors)
    _check_extras(data, errors)
    result = check_result_field(data.get("result"), errors)
    if errors:
        raise DefinitionInvalidError(errors)
    normalised = {k: v for k, v in data.items() if v is not None}
    if result is not None:
        normalised["result"] = result
    if "ects" in normalised:
        normalised["ects"] = Decimal(str(normalised["ects"]))
    return normalised


def _check_how_it_is_earned(data: dict[str, Any], is_micro: bool, errors: list[FieldError]) -> None:
    """Participation, assessment, supervision, identity check: a microcredential's musts."""
    _choice(data, "participation", PARTICIPATION, errors, required=is_micro)
    _choice(data, "assessment", ASSESSMENT, errors, required=is_micro)
    _choice(data, "supervision", SUPERVISION, errors, required=is_micro)
    identity_checked = data.get("identity_checked")
    if identity_checked is None and is_micro:
        errors.append(FieldError(("identity_checked",), "field required"))
    elif identity_checked is not None and not isinstance(identity_checked, bool):
        errors.append(FieldError(("identity_checked",), "must be true or false"))


def _check_level_and_assurance(
    data: dict[str, Any], variant: str | None, errors: list[FieldError]
) -> None:
    """EQF level, quality assurance and programme code, as each variant requires them."""
    is_micro = variant == "microcredential"
    eqf = data.get("eqf_level")
    if eqf is None:
        if is_micro:
            errors.append(FieldError(("eqf_level",), "field required"))
    elif isinstance(eqf, bool) or not isinstance(eqf, int) or not 1 <= eqf <= 8:
        errors.append(FieldError(("eqf_level",), "must be a whole number from 1 to 8"))
    _check_quality_assurance(data, errors)
    if is_micro and data.get("quality_assurance") is None:
        errors.append(FieldError(("quality_assurance",), "field required"))
    if (
        variant == "regular"
        and data.get("eqf_level") is None
        and data.get("quality_assurance") is None
    ):
        errors.append(
            FieldError(("eqf_level",), "a regular badge needs eqf_level or quality_assurance")
        )
    program = data.get("education_program_identifier")
    if program is None:
        if variant == "regular":
            errors.append(FieldError(("education_program_identifier",), "field required"))
    elif isinstance(program, bool) or not isinstance(program, int) or not 0 <= program <= MAX_CODE:
        errors.append(
            FieldError(
                ("education_program_identifier",),
                f"must be a whole number from 0 to {MAX_CODE}",
            )
        )


def _check_extras(data: dict[str, Any], errors: list[FieldError]) -> None:
    """Prerequisites, validity period, suspendability and image: optional for every variant."""
    prerequisites = data.get("prerequisites")
    if prerequisites is not None and not isinstance(prerequisites, str | list):
        errors.append(FieldError(("prerequisites",), "must be a string or list of strings"))
    elif isinstance(prerequisites, list):
        _check_string_list(data, "prerequisites", errors, required=False)
    days = data.get("valid_for_days")
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 36_500
    ):
        errors.append(FieldError(("valid_for_days",), "must be a whole number of days"))
    suspendable = data.get("suspendable")
    if suspendable is not None and not isinstance(suspendable, bool):
        errors.append(FieldError(("suspendable",), "must be true or false"))
    image = data.get("image")
    if image is not None:
        if not isinstance(image, str) or not image.startswith(("https://", "http://", "data:")):
            errors.append(FieldError(("image",), "must be an http(s) or data:image URL"))
        elif image.startswith("data:"):
            try:
                parse_data_url(image)
            except ImageInvalidError as exc:
                errors.append(FieldError(("image",), str(exc)))


def _looks_like_language_tag(tag: str) -> bool:
    parts = tag.split("-")
    return (
        2 <= len(parts[0]) <= 8
        and parts[0].isalpha()
        and all(p.isalnum() and 1 <= len(p) <= 8 for p in parts[1:])
    )
