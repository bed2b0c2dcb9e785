"""Events published by identity."""

from __future__ import annotations

from dataclasses import dataclass

from mekong.core.events import DomainEvent, event


@event
@dataclass(frozen=True, kw_only=True)
class OrganisationCreated(DomainEvent):
    """An organisation was registered."""

    name = "identity.organisation_created"
    organisation_id: int
    kind: str
    country: str


@event
@dataclass(frozen=True, kw_only=True)
class ApiTokenIssued(DomainEvent):
    """An organisation issued an API token."""

    name = "identity.api_token_issued"
    organisation_id: int
    token_id: int


@event
@dataclass(frozen=True, kw_only=True)
class ApiTokenRevoked(DomainEvent):
    """An organisation revoked an API token."""

    name = "identity.api_token_revoked"
    organisation_id: int
    token_id: int
