"""Events published by clearance (catalogue: docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

from mekong.core.events import DomainEvent, event


@event
@dataclass(frozen=True, kw_only=True)
class DeclarationLodged(DomainEvent):
    """A declaration was lodged and its automatic checks assigned a lane."""

    name = "clearance.declaration_lodged"
    declaration_id: int
    reference: str
    import_country: str
    export_country: str
    declarant_organisation_id: int
    lane: str
    duty: int
    vat: int
    currency: str


@event
@dataclass(frozen=True, kw_only=True)
class DeclarationReleased(DomainEvent):
    """Customs released the goods; ``clearance_seconds`` runs from lodging to release."""

    name = "clearance.declaration_released"
    declaration_id: int
    reference: str
    import_country: str
    lane: str
    clearance_seconds: int
