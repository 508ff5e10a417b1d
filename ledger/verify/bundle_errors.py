"""What can be wrong with a proof bundle: each failure names the part that failed."""

from __future__ import annotations


class BundleError(Exception):
    """The proof bundle does not prove what it claims; the message says which part failed."""


class MalformedBundleError(BundleError):
    """The file is not a bundle in its canonical form, or holds a field nothing vouches for."""


class UntrustedKeyError(BundleError):
    """The bundle's log key is not the one the verifier trusts, nor one the credential's
    issuer vouches for."""


class UnvouchedLogError(BundleError):
    """Nothing says which log the credential belongs in: its issuer names none (a
    credential issued before issuers named their log) and no key was pinned."""


class IssuerUnreachableError(BundleError):
    """The issuer's DID document could not be had now, so the bundle can be neither
    accepted nor refused (undecided)."""


class ProofFailedError(BundleError):
    """A checkpoint signature or an inclusion proof does not verify."""


class LeafMismatchError(BundleError):
    """A leaf is not the issuance (or list publication) of the document it is bundled with."""


class CredentialInvalidError(BundleError):
    """The credential itself fails: data model, validity period or Data Integrity proof."""


class NotABundleError(MalformedBundleError):
    """The file holds a credential (or another document), not a proof bundle."""
