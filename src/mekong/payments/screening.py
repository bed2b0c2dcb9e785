"""Screening of both ends of a payment before money moves.

Two sources: threat intelligence (`mekong.threatintel.facade.match`: indicators on phone
numbers, wallet ids, accounts and QR merchant ids that the sending PSP may see under TLP) and
the hub's own name watchlist (`WatchlistEntry`), matched fuzzily on normalised search keys.
Any hit holds the payment for a reviewer.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from mekong.core.text import search_key
from mekong.payments.models import ProxyEntry, Quote, Wallet, WatchlistEntry
from mekong.threatintel import facade as threatintel
from mekong.threatintel.contracts import Observable

#: Similarity (difflib ratio of search keys) from which a name counts as a watchlist match.
NAME_THRESHOLD = 0.88

_OBSERVABLE_KINDS = {
    "phone": "phone",
    "wallet_id": "wallet",
    "national_id": "account",
    "business_id": "account",
    "qr_merchant": "qr-merchant",
}


def observables_of(*wallets: Wallet) -> list[Observable]:
    """What threat intelligence is asked about wallets: their accounts and every alias.

    QR merchant keys are sent whole (``laoqr:27710418:mch…``) and as the bare merchant id (the
    last part), which is how an analyst copies it from a code.
    """
    seen: dict[tuple[str, str], None] = {("account", w.account_ref): None for w in wallets}
    rows = ProxyEntry.objects.filter(wallet__in=[w.pk for w in wallets]).values_list(
        "kind", "value"
    )
    for kind, value in rows:
        obs_kind = _OBSERVABLE_KINDS[kind]
        seen[(obs_kind, value)] = None
        if kind == "qr_merchant":
            seen[(obs_kind, value.rsplit(":", 1)[-1])] = None
    return [Observable(kind=k, value=v) for k, v in seen]


def name_similarity(a: str, b: str) -> float:
    """How alike two names are (0-1): the better of the whole keys and the sorted words."""
    ka, kb = search_key(a), search_key(b)
    if not ka or not kb:
        return 0.0
    whole = SequenceMatcher(None, ka, kb).ratio()
    words = SequenceMatcher(None, " ".join(sorted(ka.split())), " ".join(sorted(kb.split())))
    return max(whole, words.ratio())


def watchlist_hits(names: list[str]) -> list[dict[str, str]]:
    """Active watchlist entries whose names are like one of ``names``."""
    hits = []
    for entry in WatchlistEntry.objects.filter(active=True):
        for name in names:
            best = max((name_similarity(name, listed) for listed in entry.names), default=0.0)
            if best >= NAME_THRESHOLD:
                hits.append(
                    {
                        "source": "watchlist",
                        "kind": "name",
                        "value": name,
                        "indicator_id": f"watchlist:{entry.pk}",
                        "name": entry.reason,
                        "tlp": "",
                        "score": f"{best:.2f}",
                    }
                )
    return hits


def screen(quote: Quote) -> list[dict[str, str]]:
    """All hits on both ends of a quoted payment, as the sending PSP may see them."""
    ends = (quote.payee_wallet, quote.wallet)
    observables = observables_of(*ends)
    matches = threatintel.match(
        observables, caller_organisation_id=quote.wallet.participant.organisation_id
    )
    hits = [
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
    hits.extend(watchlist_hits([w.holder_name for w in ends]))
    return hits
