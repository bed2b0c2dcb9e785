"""Offline verification of a document file: six named checks, each passed or failed with a reason.

Inputs: the document file (parsed JSON), the trust list (`mekong.customs.trustlist/v1`: the
authorities' keys with validity and revocation, and optionally revocation statements), and
a receipt checker for the verifiable log (`ReceiptChecker`; the platform passes one built on
`mekong.trustlog`'s pure ``verify_receipt`` with the log key, witness keys and quorum the
reader trusts). No database, no network.

Checks, always all six, in this order:

- ``integrity``: the document hash recomputed from the visible fields, their salts and the
  hidden fields' hashes equals ``document_hash``;
- ``issuer_trusted``: ``key_id`` is a key of the named authority in the trust list, valid at
  ``issued_at`` (``valid_from`` ≤ t < ``valid_until``) and not revoked at or before it; and, when
  the trust list carries an ``anchor``, that anchor's receipt verifies and its log entry holds
  the SHA-256 of this very list (`envelope.trust_list_digest`): an edited list (a key added, a
  revocation dropped) fails with ``trust_list_altered``. A list without an anchor is not
  failed (the platform's own list read from its database, hand-made lists for pilots); the
  CLI warns when a list file has none;
- ``signature``: the Ed25519 signature over the signed part verifies under that key;
- ``anchored``: the receipt verifies (log signature, inclusion proof, witness quorum), its
  entry is of kind ``customs.document`` and holds exactly this signed part and signature,
  and was logged within an hour of ``issued_at`` (so a key cannot be used with a back-dated
  ``issued_at`` after it expired or was revoked);
- ``not_revoked``: no revocation statement in the list, signed by a trusted key of the same
  authority, names this document id and hash (passes with "not checked" when the trust list
  carries no ``revocations`` member: status needs a list newer than the document);
- ``consistency``: invoice lines × prices = amounts, amounts sum to the total; Form D origin
  criteria parse and value rules state an FOB value, item numbers run 1, 2, …; with the
  invoice named in box 10 given as a related document, every Form D item's HS subheading
  appears on the invoice; packing-list weights sum to the stated total; declaration item
  serial numbers run 1, 2, ….
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mekong.customs.documents import disclosure, signing
from mekong.customs.documents.canonical import CanonicalError, parse_time
from mekong.customs.documents.envelope import (
    ANCHOR_KIND,
    DOCUMENT_FORMAT,
    DOCUMENT_TYPES,
    REVOCATION_FORMAT,
    TRUST_LIST_KIND,
    anchor_payload,
    revocation_signed_bytes,
    signed_bytes,
    trust_list_anchor_payload,
    trust_list_digest,
)
from mekong.customs.documents.origin import CriterionError, parse_criterion, retroactive_problem

__all__ = [
    "CHECK_NAMES",
    "AnchorProof",
    "Check",
    "ReceiptChecker",
    "Verification",
    "verify_document",
]

CHECK_NAMES = ("integrity", "issuer_trusted", "signature", "anchored", "not_revoked", "consistency")

#: How far the log time may be from the claimed issue time (clock skew, witness round trips).
ANCHOR_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class AnchorProof:
    """What a receipt checker found: whether the receipt verified, and the entry it proves."""

    ok: bool
    detail: str
    kind: str = ""
    data: bytes = b""
    timestamp_us: int = 0
    index: int = -1


ReceiptChecker = Callable[[Any], AnchorProof]
"""Checks a receipt (parsed JSON) against the reader's log key, witnesses and quorum."""


@dataclass(frozen=True, slots=True)
class Check:
    """One named check. ``reason`` is a stable code (``ok`` when passed); ``detail`` English."""

    name: str
    ok: bool
    reason: str = "ok"
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Verification:
    """All six checks plus what the document claims (for display; trust only if ``valid``)."""

    checks: tuple[Check, ...]
    document_id: str = ""
    doc_type: str = ""
    issuer: Mapping[str, Any] = field(default_factory=dict)
    issued_at: str = ""
    document_hash: str = ""
    hidden_fields: int = 0

    @property
    def valid(self) -> bool:
        """True if every check passed."""
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> tuple[Check, ...]:
        """The failed checks."""
        return tuple(c for c in self.checks if not c.ok)


def _key_record(
    trust_list: Mapping[str, Any], issuer: Mapping[str, Any]
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """The authority and key entries of the trust list for the document's issuer."""
    authorities = trust_list.get("authorities")
    if not isinstance(authorities, list):
        return None, None
    for auth in authorities:
        if not isinstance(auth, Mapping):
            continue
        keys = auth.get("keys")
        if not isinstance(keys, list):
            continue
        for key in keys:
            if isinstance(key, Mapping) and key.get("key_id") == issuer.get("key_id"):
                return auth, key
    return None, None


def _check_integrity(doc: Mapping[str, Any]) -> Check:
    if doc.get("format") != DOCUMENT_FORMAT:
        return Check("integrity", False, "bad_format", f"format must be {DOCUMENT_FORMAT}")
    if doc.get("type") not in DOCUMENT_TYPES:
        return Check("integrity", False, "bad_format", "unknown document type")
    privacy = doc.get("privacy")
    if not isinstance(privacy, Mapping):
        return Check("integrity", False, "bad_format", "privacy must be an object")
    obfuscated = privacy.get("obfuscated", [])
    if not isinstance(obfuscated, list):
        return Check("integrity", False, "bad_format", "privacy.obfuscated must be a list")
    try:
        computed = disclosure.document_hash(doc.get("data"), privacy.get("salts") or {}, obfuscated)
    except disclosure.DisclosureError as exc:
        return Check("integrity", False, "malformed", str(exc))
    if computed != doc.get("document_hash"):
        return Check(
            "integrity", False, "hash_mismatch", "the fields do not give the document hash"
        )
    hidden = len(obfuscated)
    return Check("integrity", True, detail=f"{hidden} field(s) hidden" if hidden else "")


def _key_valid_at(key: Mapping[str, Any], at: datetime) -> tuple[bool, str, str]:
    start = parse_time(key.get("valid_from"))
    end = parse_time(key.get("valid_until")) if key.get("valid_until") else None
    revoked = parse_time(key.get("revoked_at")) if key.get("revoked_at") else None
    if start is None:
        return False, "bad_trust_list", "the key has no valid_from"
    if at < start:
        return False, "key_not_yet_valid", f"key valid from {key.get('valid_from')}"
    if end is not None and at >= end:
        return False, "key_expired", f"key valid until {key.get('valid_until')}"
    if revoked is not None and at >= revoked:
        return False, "key_revoked", f"key revoked at {key.get('revoked_at')}"
    return True, "ok", ""


def _check_issuer(
    doc: Mapping[str, Any], trust_list: Mapping[str, Any]
) -> tuple[Check, str | None]:
    issuer = doc.get("issuer")
    if not isinstance(issuer, Mapping):
        return Check("issuer_trusted", False, "bad_format", "issuer must be an object"), None
    auth, key = _key_record(trust_list, issuer)
    if auth is None or key is None:
        return Check(
            "issuer_trusted", False, "unknown_key", "the key is not in the trust list"
        ), None
    public = key.get("public_key")
    if not isinstance(public, str):
        return Check("issuer_trusted", False, "bad_trust_list", "key without public_key"), None
    try:
        if signing.key_id_of(public) != key.get("key_id"):
            return Check("issuer_trusted", False, "bad_trust_list", "key id mismatch"), None
    except signing.KeyError_:
        return Check("issuer_trusted", False, "bad_trust_list", "unreadable public key"), None
    if auth.get("country") != issuer.get("country") or auth.get("name") != issuer.get("authority"):
        return (
            Check(
                "issuer_trusted", False, "wrong_authority", "the key belongs to another authority"
            ),
            public,
        )
    at = parse_time(doc.get("issued_at"))
    if at is None:
        return Check("issuer_trusted", False, "bad_format", "issued_at is not a time"), public
    ok, reason, detail = _key_valid_at(key, at)
    name = f"{auth.get('name')} ({auth.get('country')})"
    return Check("issuer_trusted", ok, reason, detail or name), public


def _check_trust_list_anchor(
    trust_list: Mapping[str, Any], checker: ReceiptChecker | None
) -> tuple[bool, str, str]:
    """(ok, reason, detail) for the trust list's own anchor in the log."""
    anchor = trust_list.get("anchor")
    if anchor is None:
        return True, "ok", ""  # the CLI warns about a list file without one
    if checker is None:
        return True, "ok", "trust list anchor not checked (no log key)"
    if not isinstance(anchor, Mapping) or not isinstance(anchor.get("sha256"), str):
        return False, "bad_trust_list", "the trust list anchor is malformed"
    try:
        digest = trust_list_digest(dict(trust_list))
    except CanonicalError as exc:
        return False, "bad_trust_list", str(exc)
    if digest != anchor.get("sha256"):
        return False, "trust_list_altered", "the trust list differs from its anchored state"
    proof = checker(anchor.get("receipt"))
    if not proof.ok:
        return False, "trust_list_anchor_invalid", proof.detail
    if proof.kind != TRUST_LIST_KIND or proof.data != trust_list_anchor_payload(digest):
        return False, "trust_list_anchor_invalid", "the log entry is not this trust list"
    logged = datetime.fromtimestamp(proof.timestamp_us / 1_000_000, tz=UTC)
    return True, "ok", f"trust list anchored at {logged:%Y-%m-%d %H:%M} UTC (entry {proof.index})"


def _check_signature(doc: Mapping[str, Any], public: str | None) -> Check:
    if public is None:
        return Check("signature", False, "unknown_key", "no trusted key to check it with")
    try:
        message = signed_bytes(dict(doc))
    except CanonicalError as exc:
        return Check("signature", False, "malformed", str(exc))
    if not signing.verify_signature(public, message, doc.get("signature")):
        return Check("signature", False, "bad_signature", "the signature does not verify")
    return Check("signature", True)


def _check_anchor(doc: Mapping[str, Any], checker: ReceiptChecker | None) -> Check:
    if checker is None:
        return Check("anchored", False, "no_log_key", "no log key given to check the receipt")
    receipt = doc.get("receipt")
    if receipt is None:
        return Check("anchored", False, "no_receipt", "the file carries no receipt")
    proof = checker(receipt)
    if not proof.ok:
        return Check("anchored", False, "receipt_invalid", proof.detail)
    if proof.kind != ANCHOR_KIND:
        return Check("anchored", False, "wrong_entry", f"entry kind is {proof.kind}")
    try:
        expected = anchor_payload(dict(doc))
    except CanonicalError as exc:
        return Check("anchored", False, "malformed", str(exc))
    if proof.data != expected:
        return Check("anchored", False, "wrong_entry", "the log entry is another document's")
    at = parse_time(doc.get("issued_at"))
    logged = datetime.fromtimestamp(proof.timestamp_us / 1_000_000, tz=at.tzinfo) if at else None
    if at is None or logged is None or abs(logged - at) > ANCHOR_WINDOW:
        return Check("anchored", False, "time_mismatch", "logged too far from issued_at")
    return Check("anchored", True, detail=f"entry {proof.index}; {proof.detail}")


def _check_revocation(doc: Mapping[str, Any], trust_list: Mapping[str, Any]) -> Check:
    statements = trust_list.get("revocations")
    if statements is None:
        return Check("not_revoked", True, "not_checked", "no revocation list given: not checked")
    if not isinstance(statements, list):
        return Check("not_revoked", False, "bad_trust_list", "revocations must be a list")
    issuer = doc.get("issuer") if isinstance(doc.get("issuer"), Mapping) else {}
    assert isinstance(issuer, Mapping)
    for st in statements:
        if not isinstance(st, Mapping) or st.get("format") != REVOCATION_FORMAT:
            continue
        if st.get("document_id") != doc.get("id") or st.get("document_hash") != doc.get(
            "document_hash"
        ):
            continue
        st_issuer = st.get("issuer")
        if not isinstance(st_issuer, Mapping):
            continue
        auth, key = _key_record(trust_list, st_issuer)
        if auth is None or key is None:
            continue
        if auth.get("country") != issuer.get("country") or auth.get("name") != issuer.get(
            "authority"
        ):
            continue  # only the issuing authority may revoke its documents
        try:
            message = revocation_signed_bytes(dict(st))
        except CanonicalError:
            continue
        public = key.get("public_key")
        if isinstance(public, str) and signing.verify_signature(
            public, message, st.get("signature")
        ):
            return Check(
                "not_revoked",
                False,
                "revoked",
                f"revoked at {st.get('revoked_at')}: {st.get('reason', '')}",
            )
    return Check("not_revoked", True, detail=f"checked against {len(statements)} revocation(s)")


# --- consistency ---------------------------------------------------------------------------------
def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _invoice_problems(data: Mapping[str, Any]) -> tuple[list[str], bool]:
    problems: list[str] = []
    lines = data.get("lines")
    if not isinstance(lines, list):
        return problems, False
    checked = True
    total = 0
    for i, line in enumerate(lines):
        if not isinstance(line, Mapping):
            continue
        qty, price, amount = (
            _int(line.get("quantity")),
            _int(line.get("unit_price_minor")),
            _int(line.get("amount_minor")),
        )
        if amount is None:
            checked = False
            continue
        total += amount
        if qty is None or price is None:
            checked = False
        elif qty * price != amount:
            problems.append(f"line {i + 1}: {qty} × {price} ≠ {amount}")
    declared = _int(data.get("total_minor"))
    if declared is None or (not checked and not lines):
        checked = False
    elif total != declared and all(
        isinstance(li, Mapping) and _int(li.get("amount_minor")) is not None for li in lines
    ):
        problems.append(f"lines sum to {total}, total says {declared}")
    return problems, checked


def _hs6(code: object) -> str:
    return "".join(c for c in str(code) if c.isdigit())[:6] if code is not None else ""


def _form_d_problems(
    data: Mapping[str, Any], related: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    notes: list[str] = []
    items = data.get("items")
    if not isinstance(items, list):
        return problems, notes
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or "origin_criterion" not in item:
            continue
        try:
            crit = parse_criterion(item.get("origin_criterion"))
        except CriterionError as exc:
            problems.append(f"item {i + 1}: origin criterion: {exc}")
            continue
        if (
            crit.needs_fob
            and _int(item.get("fob_value_minor")) is None
            and "fob_value_minor" in item
        ):
            problems.append(f"item {i + 1}: RVC needs an FOB value")
        elif crit.needs_fob and "fob_value_minor" not in item:
            problems.append(f"item {i + 1}: RVC needs an FOB value (box 9)")
    invoice_ref = data.get("invoice")
    number = invoice_ref.get("number") if isinstance(invoice_ref, Mapping) else None
    for other in related:
        if other.get("invoice_number") != number or number is None:
            continue
        lines = other.get("lines")
        codes = (
            {_hs6(li.get("hs_code")) for li in lines if isinstance(li, Mapping)}
            if isinstance(lines, list)
            else set()
        )
        for i, item in enumerate(items):
            if (
                isinstance(item, Mapping)
                and "hs_code" in item
                and _hs6(item["hs_code"]) not in codes
            ):
                problems.append(f"item {i + 1}: HS {item['hs_code']} is not on invoice {number}")
        notes.append(f"HS codes checked against invoice {number}")
    return problems, notes


def _packing_problems(data: Mapping[str, Any]) -> list[str]:
    packages = data.get("packages")
    declared = _int(data.get("total_gross_weight_grams"))
    if not isinstance(packages, list) or declared is None:
        return []
    weights = [_int(p.get("gross_weight_grams")) for p in packages if isinstance(p, Mapping)]
    if None in weights or len(weights) != len(packages):
        return []  # hidden weights: nothing to compare
    total = sum(w for w in weights if w is not None)
    return (
        [] if total == declared else [f"package weights sum to {total} g, total says {declared} g"]
    )


def _numbering_problems(items: object, key: str) -> list[str]:
    """Item numbers (Form D box 5, ACDD serial numbers) must be 1, 2, 3, … in order."""
    if not isinstance(items, list):
        return []
    numbers = [it.get(key) for it in items if isinstance(it, Mapping) and key in it]
    if len(numbers) == len(items) and numbers != list(range(1, len(items) + 1)):
        return [f"{key} must run 1 to {len(items)} in order"]
    return []


def _check_consistency(doc: Mapping[str, Any], related: Sequence[Mapping[str, Any]]) -> Check:
    data = doc.get("data")
    if not isinstance(data, Mapping):
        return Check("consistency", False, "malformed", "data must be an object")
    kind = doc.get("type")
    problems: list[str] = []
    notes: list[str] = []
    if kind == "commercial_invoice":
        problems, checked = _invoice_problems(data)
        if not checked:
            notes.append("some amounts are hidden: totals partly checked")
    elif kind == "atiga_form_d":
        problems, notes = _form_d_problems(data, related)
        problems += _numbering_problems(data.get("items"), "item_number")
        retro = retroactive_problem(dict(data))
        if retro:
            problems.append(retro)
    elif kind == "packing_list":
        problems = _packing_problems(data)
    elif kind == "customs_declaration":
        problems = _numbering_problems(data.get("items"), "serial_number")
    if problems:
        return Check("consistency", False, "inconsistent", "; ".join(problems[:5]))
    return Check("consistency", True, detail="; ".join(notes))


def verify_document(
    document: Any,
    trust_list: Any,
    receipt_checker: ReceiptChecker | None,
    related: Iterable[Mapping[str, Any]] = (),
) -> Verification:
    """Run the six checks on a parsed document file. Never raises on the file's content.

    Args:
        document: The parsed document file.
        trust_list: The parsed trust list (authorities, keys, optional revocations).
        receipt_checker: Checks the receipt against the reader's log key and witnesses; None
            makes ``anchored`` fail with ``no_log_key``.
        related: The ``data`` of related documents (the invoice a Form D names in box 10).
    """
    if not isinstance(document, Mapping):
        bad = Check("integrity", False, "bad_format", "a document file is a JSON object")
        rest = tuple(Check(n, False, "bad_format", "not a document") for n in CHECK_NAMES[1:])
        return Verification((bad, *rest))
    if not isinstance(trust_list, Mapping):
        trust_list = {}
    integrity = _check_integrity(document)
    issuer, public = _check_issuer(document, trust_list)
    listed_ok, listed_reason, listed_detail = _check_trust_list_anchor(trust_list, receipt_checker)
    if not listed_ok:
        issuer = Check("issuer_trusted", False, listed_reason, listed_detail)
        public = None  # an altered list's keys vouch for nothing
    elif issuer.ok and listed_detail:
        issuer = Check("issuer_trusted", True, detail=f"{issuer.detail}; {listed_detail}")
    checks = (
        integrity,
        issuer,
        _check_signature(document, public),
        _check_anchor(document, receipt_checker),
        _check_revocation(document, trust_list),
        _check_consistency(document, list(related)),
    )
    privacy = document.get("privacy")
    hidden = privacy.get("obfuscated") if isinstance(privacy, Mapping) else None
    issuer_claim = document.get("issuer")
    return Verification(
        checks=checks,
        document_id=str(document.get("id", "")),
        doc_type=str(document.get("type", "")),
        issuer=issuer_claim if isinstance(issuer_claim, Mapping) else {},
        issued_at=str(document.get("issued_at", "")),
        document_hash=str(document.get("document_hash", "")),
        hidden_fields=len(hidden) if isinstance(hidden, list) else 0,
    )
