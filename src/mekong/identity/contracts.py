"""Frozen dataclasses that cross the identity module boundary (no ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is making a request: a user acting for an organisation, or an organisation's token.

    Attributes:
        organisation_id: the organisation the request acts for (None for a user without one).
        role: the role in that organisation (``owner``, ``admin``, ``member``, ``viewer``).
        user_id: the logged-in user, or None for a token.
        token_id: the API token used, or None for a session.
        is_operator: platform operator (Django staff) — may see across organisations in admin.
    """

    organisation_id: int | None
    role: str | None
    user_id: int | None = None
    token_id: int | None = None
    is_operator: bool = False

    @property
    def can_manage(self) -> bool:
        """True for owners and administrators of the acting organisation."""
        return self.role in {"owner", "admin"}


@dataclass(frozen=True, slots=True)
class OrganisationInfo:
    """Public facts about an organisation, for other modules."""

    id: int
    name: str
    slug: str
    kind: str
    country: str
