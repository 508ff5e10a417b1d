"""Documents for the pages' tests: baked badge images, foreign credentials, presentations."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from credledger.crypto.data_integrity import add_proof
from credledger.crypto.keys import Ed25519KeyPair
from credledger.ledger.verify.bundle import loader_for

from ...foreign_issuer import CREATED, VC2, di_credential, did_key

FOREIGN = Ed25519KeyPair.from_seed(bytes(range(32)))
HOLDER = Ed25519KeyPair.from_seed(bytes(range(5, 37)))


def png_chunks(chunks: list[tuple[bytes, bytes]]) -> bytes:
    """A 1x1 PNG with ``chunks`` (type, data) between its header and its image data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    image = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + b"".join(chunk(kind, data) for kind, data in chunks)
        + chunk(b"IDAT", image)
        + chunk(b"IEND", b"")
    )


def baked_png(credential: str, *, compressed: bool = False) -> bytes:
    """An Open Badges 3.0 baked PNG: an iTXt chunk with keyword openbadgecredential."""
    text = credential.encode("utf-8")
    if compressed:
        text = zlib.compress(text)
    data = b"openbadgecredential\x00" + bytes([int(compressed), 0]) + b"\x00\x00" + text
    return png_chunks([(b"iTXt", data)])


def baked_svg(credential: str) -> bytes:
    """An Open Badges 3.0 baked SVG: the credential in an openbadges:credential element."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" width="10" height="10">'
        f"<openbadges:credential><![CDATA[{credential}]]></openbadges:credential>"
        '<circle cx="5" cy="5" r="4"/></svg>'
    ).encode()


def foreign_credential(list_url: str) -> dict[str, Any]:
    """A did:key issuer's credential whose revocation list is at ``list_url``."""
    did, vm = did_key(FOREIGN)
    entry = {
        "id": f"{list_url}#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": list_url,
    }
    return di_credential(FOREIGN, vm, did, credentialStatus=entry)


def presentation(vc: dict[str, Any], *, challenge: str) -> dict[str, Any]:
    """``vc`` presented by a did:key holder, signed for ``challenge``."""
    did, vm = did_key(HOLDER)
    vp = {
        "@context": [VC2],
        "type": ["VerifiablePresentation"],
        "holder": did,
        "verifiableCredential": [vc],
    }
    return add_proof(
        vp,
        HOLDER,
        vm,
        proof_purpose="authentication",
        challenge=challenge,
        created=CREATED,
        loader=loader_for(vc),
    )


OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def endorsed_credential(comment: str) -> dict[str, Any]:
    """A did:key issuer's credential carrying one endorsement by another did:key."""
    endorser, endorser_vm = did_key(HOLDER)
    endorsement = di_credential(
        HOLDER,
        endorser_vm,
        endorser,
        types=("EndorsementCredential",),
        contexts=(OB3,),
        name="Endorsement",
        credentialSubject={
            "id": "https://example.org/programme",
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
    )
    did, vm = did_key(FOREIGN)
    return di_credential(FOREIGN, vm, did, contexts=(OB3,), endorsement=[endorsement])
