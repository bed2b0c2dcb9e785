"""The verifiable document file and the revocation statement: their fields and signed bytes.

Document file (``format`` ``mekong.customs.document/v1``)::

    {
      "format": "mekong.customs.document/v1",
      "id": "<uuid>",
      "type": "atiga_form_d" | "commercial_invoice" | "packing_list" | "customs_declaration",
      "issuer": {"country": "TH", "authority": "<name>", "key_id": "<16 hex>"},
      "issued_at": "2026-12-04T13:00:00.000000Z",
      "document_hash": "<64 hex: disclosure.document_hash>",
      "data": {...},                                    # the fields shown (some may be hidden)
      "privacy": {"salts": {"<pointer>": "<hex>"}, "obfuscated": ["<64 hex>", ...]},
      "signature": "<base64 Ed25519 over JCS(signed_part)>",
      "receipt": {<mekong.trustlog.receipt/v1 of the anchor entry>}
    }

``signed_part`` is the object of the first six members (format to document_hash). The log
entry (kind ``customs.document``) holds ``JCS({"signed": signed_part, "signature": sig})``,
so the log proves when the signature existed, which is what the key-validity check needs.

Revocation statement (``mekong.customs.revocation/v1``), signed by a key of the same
authority and anchored as kind ``customs.revocation``::

    {"format": ..., "document_id": ..., "document_hash": ..., "revoked_at": ...,
     "reason": "...", "issuer": {...}, "signature": "<base64 over JCS(the rest)>"}
"""

from __future__ import annotations

from typing import Any

from mekong.customs.documents.canonical import canonical_bytes, sha256_hex

__all__ = [
    "ANCHOR_KIND",
    "DOCUMENT_FORMAT",
    "DOCUMENT_TYPES",
    "REVOCATION_FORMAT",
    "REVOCATION_KIND",
    "TRUST_LIST_ANCHOR_FORMAT",
    "TRUST_LIST_FORMAT",
    "TRUST_LIST_KIND",
    "anchor_payload",
    "revocation_signed_bytes",
    "signed_bytes",
    "signed_part",
    "trust_list_anchor_payload",
    "trust_list_digest",
]

DOCUMENT_FORMAT = "mekong.customs.document/v1"
REVOCATION_FORMAT = "mekong.customs.revocation/v1"
TRUST_LIST_FORMAT = "mekong.customs.trustlist/v1"
ANCHOR_KIND = "customs.document"
REVOCATION_KIND = "customs.revocation"
TRUST_LIST_ANCHOR_FORMAT = "mekong.customs.trustlist-anchor/v1"
TRUST_LIST_KIND = "customs.trust_list"
DOCUMENT_TYPES = ("atiga_form_d", "commercial_invoice", "packing_list", "customs_declaration")

_SIGNED = ("format", "id", "type", "issuer", "issued_at", "document_hash")


def signed_part(document: dict[str, Any]) -> dict[str, Any]:
    """The members of a document file that the issuer's signature covers."""
    return {k: document.get(k) for k in _SIGNED}


def signed_bytes(document: dict[str, Any]) -> bytes:
    """JCS bytes of `signed_part`: what the authority key signs."""
    return canonical_bytes(signed_part(document))


def anchor_payload(document: dict[str, Any]) -> bytes:
    """The bytes anchored in the log for a document (its signed part and signature)."""
    return canonical_bytes(
        {"signed": signed_part(document), "signature": document.get("signature")}
    )


def revocation_signed_bytes(statement: dict[str, Any]) -> bytes:
    """JCS bytes of a revocation statement without its signature."""
    return canonical_bytes({k: v for k, v in statement.items() if k != "signature"})


def trust_list_digest(trust_list: dict[str, Any]) -> str:
    """SHA-256 (hex) of the JCS bytes of what a trust list vouches for: its format, authorities
    (keys, validity, revocation times) and revocation statements. ``generated_at``, ``log`` and
    ``anchor`` are left out: they describe the copy, not the list."""
    return sha256_hex(
        canonical_bytes(
            {
                "format": trust_list.get("format"),
                "authorities": trust_list.get("authorities"),
                "revocations": trust_list.get("revocations"),
            }
        )
    )


def trust_list_anchor_payload(digest: str) -> bytes:
    """The bytes anchored in the log for one state of the trust list."""
    return canonical_bytes({"format": TRUST_LIST_ANCHOR_FORMAT, "sha256": digest})
