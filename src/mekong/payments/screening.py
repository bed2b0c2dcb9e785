"""Screening of both ends of a payment before money moves.

Two sources: threat intelligence (`mekong.threatintel.facade.match`: indicators on phone
numbers, wallet ids, accounts and QR merchant ids that the sending PSP may see under TLP) and
the hub's own name watchlist (`WatchlistEntry`), matched fuzzily on normalised search keys.
Any hit holds the payment for a reviewer.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from mekong.core.text import search_key
from mekong.payments import fastreads
from mekong.payments.models import Quote, Wallet
from mekong.threatintel import facade as threatintel
from mekong.threatintel.contracts import Match, Observable

#: Similarity (difflib ratio of search keys) from which a name counts as a watchlist match.
NAME_THRESHOLD = 0.88

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


def name_similarity(a: str, b: str) -> float:
    """How alike two names are (0-1): the better of the whole keys and the sorted words."""
    return _similarity(_keys(a), _keys(b))


@dataclass(frozen=True, slots=True)
class _Form:
    """One form of a name's search key and what difflib's cheap upper bounds need of it."""

    text: str
    counts: dict[str, int]  # how often each character occurs
    mask: int  # a bit per character (hashed to 64 bits; distinct characters may share one)


def _form(text: str) -> _Form:
    counts = Counter(text)
    mask = 0
    for char in counts:
        mask |= 1 << (ord(char) & 63)
    return _Form(text, dict(counts), mask)


#: A name's search key, whole and with its words sorted (see `_keys`).
NameKey = tuple[_Form, _Form]


@functools.lru_cache(maxsize=32768)
def _keys(name: str) -> NameKey:
    """A name's search key, whole and with its words sorted (cached: the watchlist's names
    and the wallets' holders recur in every screening; sized for a sanctions list with its
    aliases, about 20,000 names, at ~1.5 KB a name: under 50 MB a process when full)."""
    key = search_key(name)
    ordered = " ".join(sorted(key.split()))
    whole = _form(key)
    return whole, (whole if ordered == key else _form(ordered))


def _bound(x: _Form, y: _Form, floor: float) -> bool:
    """Whether difflib's ratio of ``x`` and ``y`` may reach ``floor``: the same two upper
    bounds as ``real_quick_ratio`` (lengths) and ``quick_ratio`` (common characters), with a
    cheaper one in between (characters that only one side has), computed without building a
    `SequenceMatcher`, which costs more than all three. A screening compares each name with
    every listed spelling, so this decides most pairs."""
    total = len(x.text) + len(y.text)
    if 2.0 * min(len(x.text), len(y.text)) / total < floor:
        return False
    # Each character present on one side only is at least one unmatched character.
    if 2.0 * ((total - (x.mask ^ y.mask).bit_count()) // 2) / total < floor:
        return False
    small, large = (x.counts, y.counts) if len(x.counts) <= len(y.counts) else (y.counts, x.counts)
    matches = sum(min(n, large.get(char, 0)) for char, n in small.items())
    return 2.0 * matches / total >= floor


def _similarity(a: NameKey, b: NameKey, floor: float = 0.0) -> float:
    """The better difflib ratio of the two key forms; a ratio that cannot reach ``floor`` (by
    difflib's exact upper bounds, which are far cheaper) may be reported as 0."""
    if not a[0].text or not b[0].text:
        return 0.0
    best = 0.0
    for i, (x, y) in enumerate(((a[0], b[0]), (a[1], b[1]))):
        if i and x is a[0] and y is b[0]:
            break  # both names are their own sorted form: the same pair again
        if floor and not _bound(x, y, floor):
            continue
        best = max(best, SequenceMatcher(None, x.text, y.text).ratio())
    return best


Listed = tuple[int, str, list[NameKey]]


def _active_watchlist() -> list[Listed]:
    """Active entries (id, reason, their spellings' search keys)."""
    return [
        (pk, reason, [_keys(n) for n in names if isinstance(n, str)])
        for pk, names, reason in fastreads.active_watchlist()
    ]


def watchlist_hits(names: list[str], entries: list[Listed] | None = None) -> list[dict[str, str]]:
    """Active watchlist entries whose names are like one of ``names``."""
    hits = []
    keyed = [(name, _keys(name)) for name in names]
    for pk, reason, listed in _active_watchlist() if entries is None else entries:
        for name, key in keyed:
            best = max((_similarity(key, other, NAME_THRESHOLD) for other in listed), default=0.0)
            if best >= NAME_THRESHOLD:
                hits.append(
                    {
                        "source": "watchlist",
                        "kind": "name",
                        "value": name,
                        "indicator_id": f"watchlist:{pk}",
                        "name": reason,
                        "tlp": "",
                        "score": f"{best:.2f}",
                    }
                )
    return hits


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
    query, one threat-intelligence match per sending organisation, one watchlist read. Each
    quote gets exactly the hits that screening it alone gives (a match is kept for a quote when
    its observable is one of that quote's ends')."""
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
    entries = _active_watchlist()
    out = []
    for q, observables in zip(quotes, per_quote, strict=True):
        mine = [
            m
            for m in matches[q.wallet.participant.organisation_id]
            if (m.observable.kind, m.observable.value) in observables
        ]
        hits = _intel_hits(mine)
        hits.extend(watchlist_hits([w.holder_name for w in (q.payee_wallet, q.wallet)], entries))
        out.append(hits)
    return out
