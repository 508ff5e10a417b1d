"""The C2SP tlog-proof form of a proof (``?format=tlog-proof``), shared by the routes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import PlainTextResponse

TLOG_PROOF_MEDIA_TYPE = "text/plain; charset=utf-8"

ProofFormat = Annotated[
    Literal["json", "tlog-proof"],
    Query(
        description="json: the proof bundle; tlog-proof: the issuance's C2SP tlog-proof "
        "(c2sp.org/tlog-proof@v1) as text, its leaf in the extra line"
    ),
]

TLOG_PROOF: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/plain": {
                "schema": {"type": "string"},
                "example": "c2sp.org/tlog-proof@v1\nextra …\nindex 7\n…\n\nledger.example/log\n…",
            }
        },
        "description": "the proof bundle (JSON), or with format=tlog-proof the tlog-proof",
    }
}


def tlog_proof_response(text: str) -> PlainTextResponse:
    return PlainTextResponse(text, media_type=TLOG_PROOF_MEDIA_TYPE)
