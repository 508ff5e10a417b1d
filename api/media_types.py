"""JSON responses under their own media types, so the OpenAPI document names them."""

from __future__ import annotations

from fastapi.responses import JSONResponse


class JsonLdResponse(JSONResponse):
    """A JSON-LD document such as a context (``application/ld+json``)."""

    media_type = "application/ld+json"


class CredentialResponse(JSONResponse):
    """A secured Verifiable Credential (``application/vc+ld+json``, VC 2.0 §6.3)."""

    media_type = "application/vc+ld+json"


class DidDocumentResponse(JSONResponse):
    """A DID document (``application/did+json``, DID Core §6.2)."""

    media_type = "application/did+json"
