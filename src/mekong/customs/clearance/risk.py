"""The risk engine: explainable rules that put a declaration in the green, yellow or red lane.

Pure: the service layer gathers the facts (document verification through the customs facade,
invoice and packing-list figures, the watchlist, threat-intelligence matches) into a
`RiskInput`, and this module decides. Every rule that fires becomes a `RuleHit` with a stable
``rule`` code, the lane it asks for and the parameters of its explanation; the declaration's
lane is the most severe lane asked for, green when nothing fires.

Rules (code → lane: when it fires):

- ``document_missing`` → red: a referenced document id does not exist.
- ``document_revoked`` → red: a referenced document was revoked by its issuer.
- ``document_invalid`` → red: a referenced document fails verification (names the checks).
- ``no_invoice`` → yellow: no commercial invoice is referenced.
- ``document_party_mismatch`` → yellow: a verified document names another exporter or
  importer (folded name or country) than the declaration.
- ``undervaluation`` → red: declared value below the invoice total by more than
  ``undervaluation_percent``.
- ``value_mismatch`` → yellow: declared value differs from the invoice total by more than
  ``value_tolerance_percent``.
- ``weight_mismatch`` → yellow: declared gross weight differs from the packing list by more
  than ``weight_tolerance_percent``.
- ``watchlisted_party`` → red: a party's name is on the importing customs' watchlist.
- ``indicator_hit`` → red (score ≥ ``indicator_red_score``) or yellow: a party's contact
  matches an active threat-intelligence indicator.
- ``random_selection`` → yellow: the declaration falls in the importing country's random
  sample (seeded, reproducible).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum

from mekong.core.text import search_key


class Lane(IntEnum):
    """Risk lanes, ordered by severity (the most severe hit wins)."""

    GREEN = 0
    YELLOW = 1
    RED = 2

    @property
    def label(self) -> str:
        """The lane's stable name (``green``/``yellow``/``red``)."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """What the service learned about one referenced document."""

    document_id: str
    found: bool
    doc_type: str = ""
    valid: bool = False
    revoked: bool = False
    failed_checks: tuple[str, ...] = ()
    #: (name, country) of the goods' sender and receiver as the document states them
    #: (invoice seller/buyer, Form D exporter/consignee, packing list shipper/consignee).
    consignor: tuple[str, str] | None = None
    consignee: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class IndicatorHit:
    """A threat-intelligence match on one of the declaration's observables."""

    observable: str
    indicator_id: str
    name: str
    score: float


@dataclass(frozen=True)
class RiskInput:
    """The facts the rules look at, gathered by the service layer.

    Attributes:
        reference: the declaration's reference (the random sample is drawn from it).
        import_country: ISO alpha-2 of the importing country.
        documents: one entry per referenced document id.
        declared_value: declared total customs value, minor units of the declaration currency.
        invoice_total: the invoice total in the same currency, or None (no invoice, or another
            currency: then the value rule cannot compare and does not fire).
        declared_weight_g: declared total gross weight in grams.
        packing_list_weight_g: the packing list's total gross weight in grams, or None.
        parties: party names (exporter, importer, declarant) to screen against the watchlist.
        watchlist: names on the importing customs' watchlist.
        indicator_hits: threat-intelligence matches on the parties' contacts.
    """

    reference: str
    import_country: str
    documents: tuple[DocumentFacts, ...] = ()
    declared_value: int = 0
    invoice_total: int | None = None
    declared_weight_g: int = 0
    packing_list_weight_g: int | None = None
    parties: tuple[str, ...] = ()
    watchlist: tuple[str, ...] = ()
    indicator_hits: tuple[IndicatorHit, ...] = ()
    #: The declared (name, country) of the exporter and the importer.
    exporter: tuple[str, str] | None = None
    importer: tuple[str, str] | None = None


@dataclass(frozen=True)
class RiskConfig:
    """Tunable thresholds; a customs authority sets its own (``CLEARANCE_RISK`` setting)."""

    value_tolerance_percent: Decimal = Decimal(2)
    undervaluation_percent: Decimal = Decimal(20)
    weight_tolerance_percent: Decimal = Decimal(5)
    indicator_red_score: float = 70.0
    #: Share of declarations sent to documentary checks at random, per importing country.
    random_rates: Mapping[str, Decimal] = field(default_factory=dict)
    default_random_rate: Decimal = Decimal(0)
    #: Secret-ish seed: the same seed and reference always give the same draw.
    seed: str = "mekong-clearance"


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One rule that fired: its code, the lane it asks for, and its explanation's parameters."""

    rule: str
    lane: Lane
    params: Mapping[str, str]


@dataclass(frozen=True)
class RiskResult:
    """The lane and every rule hit, most severe first."""

    lane: Lane
    hits: tuple[RuleHit, ...]


def random_draw(*, seed: str, country: str, reference: str) -> Decimal:
    """A reproducible number in [0, 1) for the declaration (SHA-256 of seed, country, ref)."""
    digest = hashlib.sha256(f"{seed}\x00{country}\x00{reference}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64)


def _differs(a: int, b: int, percent: Decimal) -> bool:
    """|a - b| is more than ``percent`` of b (b > 0); any difference when b is 0."""
    if b == 0:
        return a != 0
    return Decimal(abs(a - b)) * 100 > percent * Decimal(b)


def evaluate(facts: RiskInput, config: RiskConfig | None = None) -> RiskResult:
    """Run every rule over the facts and return the lane with the explanation."""
    config = config or RiskConfig()
    hits: list[RuleHit] = []
    for doc in facts.documents:
        if not doc.found:
            hits.append(RuleHit("document_missing", Lane.RED, {"document": doc.document_id}))
        elif doc.revoked:
            hits.append(RuleHit("document_revoked", Lane.RED, {"document": doc.document_id}))
        elif not doc.valid:
            checks = ", ".join(doc.failed_checks) or "-"
            hits.append(
                RuleHit(
                    "document_invalid", Lane.RED, {"document": doc.document_id, "checks": checks}
                )
            )
    for doc in facts.documents:
        if not (doc.found and doc.valid):
            continue
        for role, stated, party in (
            ("exporter", doc.consignor, facts.exporter),
            ("importer", doc.consignee, facts.importer),
        ):
            if stated is None or party is None:
                continue
            if stated[1] != party[1] or search_key(stated[0]) != search_key(party[0]):
                hits.append(
                    RuleHit(
                        "document_party_mismatch",
                        Lane.YELLOW,
                        {"document": doc.document_id, "role": role, "stated": stated[0]},
                    )
                )
    if not any(d.found and d.doc_type == "invoice" for d in facts.documents):
        hits.append(RuleHit("no_invoice", Lane.YELLOW, {}))
    if facts.invoice_total is not None:
        declared, invoice = facts.declared_value, facts.invoice_total
        params = {"declared": str(declared), "invoice": str(invoice)}
        if (
            invoice > 0
            and Decimal(invoice - declared) * 100 > config.undervaluation_percent * invoice
        ):
            hits.append(RuleHit("undervaluation", Lane.RED, params))
        elif _differs(declared, invoice, config.value_tolerance_percent):
            hits.append(RuleHit("value_mismatch", Lane.YELLOW, params))
    if facts.packing_list_weight_g is not None and _differs(
        facts.declared_weight_g, facts.packing_list_weight_g, config.weight_tolerance_percent
    ):
        hits.append(
            RuleHit(
                "weight_mismatch",
                Lane.YELLOW,
                {
                    "declared": str(facts.declared_weight_g),
                    "packing_list": str(facts.packing_list_weight_g),
                },
            )
        )
    listed = {search_key(name) for name in facts.watchlist if name.strip()}
    hits.extend(
        RuleHit("watchlisted_party", Lane.RED, {"party": party})
        for party in facts.parties
        if party.strip() and search_key(party) in listed
    )
    for hit in facts.indicator_hits:
        lane = Lane.RED if hit.score >= config.indicator_red_score else Lane.YELLOW
        hits.append(
            RuleHit(
                "indicator_hit",
                lane,
                {
                    "observable": hit.observable,
                    "indicator": hit.name or hit.indicator_id,
                    "score": f"{hit.score:.0f}",
                },
            )
        )
    rate = config.random_rates.get(facts.import_country, config.default_random_rate)
    draw = random_draw(seed=config.seed, country=facts.import_country, reference=facts.reference)
    if draw < rate:
        hits.append(RuleHit("random_selection", Lane.YELLOW, {"rate": f"{rate * 100:.1f}"}))
    hits.sort(key=lambda h: -h.lane)
    lane = max((h.lane for h in hits), default=Lane.GREEN)
    return RiskResult(lane=lane, hits=tuple(hits))
