"""Frozen dataclasses that cross the identity module boundary (no ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is making a request: a user acting for an organisation, or an organisation's token.

    Attributes:
        organisation_id: the organisation the request acts for (None for a user without one).
        role: the role in that organisation (``owner``, ``admin``, ``member``, ``viewer``).
        user_id: the logged-in user, or None for a token.
        token_id: the API token used, or None for a session.
        is_operator: platform operator (Django staff) — may see across organisations in admin.
        token_scope: the token's scope (``all`` or ``sandbox``), or None for a session.
    """

    organisation_id: int | None
    role: str | None
    user_id: int | None = None
    token_id: int | None = None
    is_operator: bool = False
    token_scope: str | None = None

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


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just issued, with its secret: shown to the caller once, never stored.

    Attributes:
        id: the token's id (for revoking it on the organisation page or API).
        name: its display name.
        prefix: the visible start of the secret, listed with the organisation's tokens.
        role: the role it acts with.
        scope: ``all`` or ``sandbox`` (ADR 0011).
        secret: the bearer secret; only its digest is stored.
    """

    id: int
    name: str
    prefix: str
    role: str
    scope: str
    secret: str = field(repr=False)
