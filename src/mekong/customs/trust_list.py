"""Publishing the trust list: each distinct state is anchored in the verifiable log once.

The list changes when an authority, key or revocation does. Rather than anchoring inside each
of those writes (and having to undo a log entry when the write rolls back), the list is
anchored when it is next handed out: `published_trust_list` computes the digest of the current
state and anchors it unless that exact state already is. Concurrent first readers may both
anchor the same state; the unique digest keeps one row, and the spare log entry is harmless.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from mekong.customs import anchoring
from mekong.customs.documents.envelope import (
    TRUST_LIST_KIND,
    trust_list_anchor_payload,
    trust_list_digest,
)
from mekong.customs.models import TrustListAnchor
from mekong.customs.selectors import trust_list


def anchor_for(digest: str) -> TrustListAnchor:
    """The anchor of the trust-list state ``digest``, anchoring it now if it is new."""
    existing = TrustListAnchor.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    log_index, receipt = anchoring.anchor(TRUST_LIST_KIND, trust_list_anchor_payload(digest))
    try:
        with transaction.atomic():
            return TrustListAnchor.objects.create(
                sha256=digest, log_index=log_index, receipt=receipt
            )
    except IntegrityError:  # another reader anchored the same state first
        return TrustListAnchor.objects.get(sha256=digest)


def published_trust_list() -> dict[str, Any]:
    """The trust list with its ``anchor``: the digest, log index and a fresh receipt."""
    listed = trust_list()
    digest = trust_list_digest(listed)
    anchor = anchor_for(digest)
    receipt = anchoring.fresh_receipt(anchor.log_index, anchor.receipt)
    return {
        **listed,
        "anchor": {"sha256": digest, "log_index": anchor.log_index, "receipt": receipt},
    }
