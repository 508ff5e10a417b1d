"""How the OpenID4VCI endpoints are described in the OpenAPI document: their request
bodies (a form at the Token Endpoint, JSON at the Credential Endpoint, read by the
endpoints themselves so that refusals come in OAuth's error format) and their answers."""

from __future__ import annotations

from typing import Any

_OAUTH_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "pattern": "^[\\x20-\\x21\\x23-\\x5b\\x5d-\\x7e]+$"},
        "error_description": {"type": "string"},
    },
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _OAUTH_ERROR}}}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


TOKEN_REQUEST: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type", "pre-authorized_code"],
                    "properties": {
                        "grant_type": {
                            "type": "string",
                            "enum": ["urn:ietf:params:oauth:grant-type:pre-authorized_code"],
                        },
                        "pre-authorized_code": {"type": "string"},
                        "tx_code": {"type": "string"},
                        "client_id": {"type": "string"},
                    },
                }
            }
        },
    }
}
TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _ok(
        "An access token for the offer's credential",
        {
            "type": "object",
            "required": ["access_token", "token_type", "expires_in"],
            "properties": {
                "access_token": {"type": "string"},
                "token_type": {"type": "string", "enum": ["Bearer"]},
                "expires_in": {"type": "integer"},
            },
        },
    ),
    400: _error(
        "invalid_request (a parameter missing or twice, the transaction code missing), "
        "invalid_grant (the code unknown, used, expired or withdrawn; a wrong transaction "
        "code), unsupported_grant_type"
    ),
    401: _error("invalid_client: client authentication was sent; this issuer has no clients"),
}
NONCE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _ok(
        "A fresh c_nonce",
        {
            "type": "object",
            "required": ["c_nonce"],
            "properties": {
                "c_nonce": {"type": "string"},
                "c_nonce_expires_in": {"type": "integer"},
            },
        },
    ),
}
CREDENTIAL_REQUEST: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["credential_configuration_id", "proofs"],
                    "properties": {
                        "credential_configuration_id": {
                            "type": "string",
                            "enum": ["openbadge_credential"],
                        },
                        "proofs": {
                            "type": "object",
                            "required": ["jwt"],
                            "properties": {
                                "jwt": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                }
            }
        },
    },
    "security": [{"HTTPBearer": []}],
}
CREDENTIAL_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _ok(
        "The credential, signed for the proven key",
        {
            "type": "object",
            "required": ["credentials"],
            "properties": {
                "credentials": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["credential"],
                        "properties": {"credential": {"type": "object"}},
                    },
                }
            },
        },
    ),
    400: _error(
        "invalid_credential_request, unknown_credential_configuration, "
        "unknown_credential_identifier, invalid_proof, invalid_nonce, "
        "invalid_encryption_parameters, credential_request_denied"
    ),
    401: _error("invalid_token: the access token is missing, not this issuer's, or expired"),
}
