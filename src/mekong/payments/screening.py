"""Screening of both ends of a payment before money moves.

Two sources: threat intelligence (`mekong.threatintel.facade.match`: indicators on phone
numbers, wallet ids, accounts and QR merchant ids that the sending PSP may see under TLP) and
the hub's own name watchlist (`WatchlistEntry`), matched fuzzily on normalised search keys
(`mekong.payments.namematch`).
Any hit holds the payment for a reviewer.
"""

from __future__ import annotations

import logging
import threading
import time

from mekong.payments import fastreads
from mekong.payments.models import Quote, Wallet
from mekong.payments.namematch import NameIndex
from mekong.threatintel import facade as threatintel
from mekong.threatintel.contracts import Match, Observable

log = logging.getLogger(__name__)

_OBSERVABLE_KINDS = {
    "phone": "phone",
    "wallet_id": "wallet",
    "national_id": "account",
    "business_id": "account",
    "qr_merchant": "qr-merchant",
}


def _observables_by_wallet(wallets: list[Wallet]) -> dict[int, list[Observable]]:
    """Each wallet's observables (its account, then every alias), in one query."""
    seen: dict[int, dict[tuple[str, str], None]] = {
        w.pk: {("account", w.account_ref): None} for w in wallets
    }
    for wallet_id, kind, value in fastreads.proxies_of(sorted(seen)):
        obs_kind = _OBSERVABLE_KINDS[kind]
        seen[wallet_id][(obs_kind, value)] = None
        if kind == "qr_merchant":
            seen[wallet_id][(obs_kind, value.rsplit(":", 1)[-1])] = None
    return {pk: [Observable(kind=k, value=v) for k, v in keys] for pk, keys in seen.items()}


def observables_of(*wallets: Wallet) -> list[Observable]:
    """What threat intelligence is asked about wallets: their accounts and every alias.

    QR merchant keys are sent whole (``laoqr:27710418:mch…``) and as the bare merchant id (the
    last part), which is how an analyst copies it from a code.
    """
    by_wallet = _observables_by_wallet(list(wallets))
    merged = {(o.kind, o.value): o for w in wallets for o in by_wallet[w.pk]}
    return list(merged.values())


def _active_watchlist() -> NameIndex:
    """The active entries, indexed: built once per watchlist version and process.

    The version (`WatchlistVersion`, replaced by database triggers on every write) is read
    before the entries, so a change committed in between makes the next screening build
    again rather than keep an index that lacks it. One thread builds; the others that find
    the index stale meanwhile wait for it rather than build the same one. An index built
    while the version row is missing (after a table flush) is used but not kept: that
    "version" recurs, a token never does."""
    global _cached
    version = fastreads.watchlist_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _building:
        version = fastreads.watchlist_version()  # again: it may have moved while we waited
        cached = _cached
        if cached is not None and cached[0] == version:
            return cached[1]  # built by the thread this one waited for
        started = time.perf_counter()
        entries = fastreads.active_watchlist()
        index = NameIndex((pk, reason, names) for pk, names, reason in entries)
        # ~30 µs a spelling: 20,000 entries of two spellings take about a second.
        log.info(
            "watchlist indexed: %d spellings in %.0f ms",
            len(index),
            (time.perf_counter() - started) * 1000,
        )
        if version is not None:
            _cached = (version, index)  # one assignment: readers see the old pair or the new
    return index


_cached: tuple[str, NameIndex] | None = None
_building = threading.Lock()


def watchlist_hits(names: list[str], index: NameIndex | None = None) -> list[dict[str, str]]:
    """Active watchlist entries (or ``index``'s) whose names are like one of ``names``."""
    return [
        {
            "source": "watchlist",
            "kind": "name",
            "value": hit.name,
            "indicator_id": f"watchlist:{hit.entry_id}",
            "name": hit.reason,
            "tlp": "",
            "score": f"{hit.score:.2f}",
        }
        for hit in (_active_watchlist() if index is None else index).hits(names)
    ]


def _intel_hits(matches: list[Match]) -> list[dict[str, str]]:
    return [
        {
            "source": "threatintel",
            "kind": m.observable.kind,
            "value": m.observable.value,
            "indicator_id": m.indicator_id,
            "name": m.name,
            "tlp": m.tlp,
            "score": f"{m.score:.0f}",
        }
        for m in matches
    ]


def screen_many(quotes: list[Quote]) -> list[list[dict[str, str]]]:
    """All hits on both ends of each quoted payment, as its sending PSP may see them: one alias
    query, one threat-intelligence match per sending organisation, one watchlist version check
    (the index is rebuilt only when the list changed). Each quote gets exactly the hits that
    screening it alone gives (a match is kept for a quote when its observable is one of that
    quote's ends')."""
    wallets = {w.pk: w for q in quotes for w in (q.payee_wallet, q.wallet)}
    by_wallet = _observables_by_wallet(list(wallets.values()))
    per_quote = [
        {(o.kind, o.value): o for w in (q.payee_wallet, q.wallet) for o in by_wallet[w.pk]}
        for q in quotes
    ]
    callers: dict[int, dict[tuple[str, str], Observable]] = {}
    for q, observables in zip(quotes, per_quote, strict=True):
        callers.setdefault(q.wallet.participant.organisation_id, {}).update(observables)
    matches = {
        org: threatintel.match(list(observables.values()), caller_organisation_id=org)
        for org, observables in callers.items()
    }
    watchlist = _active_watchlist()
    out = []
    for q, observables in zip(quotes, per_quote, strict=True):
        mine = [
            m
            for m in matches[q.wallet.participant.organisation_id]
            if (m.observable.kind, m.observable.value) in observables
        ]
        hits = _intel_hits(mine)
        hits.extend(watchlist_hits([w.holder_name for w in (q.payee_wallet, q.wallet)], watchlist))
        out.append(hits)
    return out
