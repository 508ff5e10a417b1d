"""Typed errors for Bitstring Status List processing.

Each class carries the error code of Bitstring Status List v1.0 §3.5 (Processing
Errors) so that the API layer can turn it into RFC 9457 problem details whose
``type`` is the spec's URL for that code.
"""

from __future__ import annotations

from typing import ClassVar

PROBLEM_TYPE_BASE = "https://www.w3.org/ns/credentials/status-list#"


class StatusListError(Exception):
    """Base of every status list error."""

    code: ClassVar[str | None] = "MALFORMED_VALUE_ERROR"

    @property
    def problem_type(self) -> str | None:
        """The spec's problem-details ``type`` URL, or None for errors the spec does not name."""
        return None if self.code is None else PROBLEM_TYPE_BASE + self.code


class StatusListDecodeError(StatusListError):
    """An ``encodedList`` is not multibase base64url of a well-formed GZIP bitstring."""


class StatusListLengthError(StatusListDecodeError):
    """A decoded list holds fewer entries than the minimum required for group privacy."""

    code: ClassVar[str | None] = "STATUS_LIST_LENGTH_ERROR"


class StatusIndexError(StatusListError, IndexError):
    """A status index (times the status size) falls outside the bitstring."""

    code: ClassVar[str | None] = "RANGE_ERROR"


class StatusEntryError(StatusListError):
    """A ``BitstringStatusListEntry`` or a status list credential is malformed."""


class StatusListFullError(StatusListError):
    """Every index of a status list has been allocated (an issuer-side condition)."""

    code: ClassVar[str | None] = None


class StatusListSigningError(StatusListError):
    """A signer returned something other than the signed status list credential."""

    code: ClassVar[str | None] = None


class StatusRetrievalError(StatusListError):
    """The status list credential could not be dereferenced."""

    code: ClassVar[str | None] = "STATUS_RETRIEVAL_ERROR"


class StatusVerificationError(StatusListError):
    """The status list credential did not verify or does not fit the entry."""

    code: ClassVar[str | None] = "STATUS_VERIFICATION_ERROR"
