"""What other modules may call in threat intelligence. Contracts in, contracts out."""

from __future__ import annotations

from mekong.threatintel import matching
from mekong.threatintel.contracts import Match, Observable

__all__ = ["Match", "Observable", "match"]


def match(observables: list[Observable], *, caller_organisation_id: int) -> list[Match]:
    """Active indicators matching the observables that the calling organisation may use.

    Indicators count when they are valid now (``valid_from`` ≤ now < ``valid_until``), their
    newest version is not revoked, and TLP admits the caller (the same rule as every read
    path). Warning-listed observables (public resolvers, private addresses) never match.
    Results are ordered by decayed score, highest first.
    """
    return matching.match(observables, caller_organisation_id=caller_organisation_id)
