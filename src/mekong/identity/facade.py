"""What other modules may call in identity. Takes and returns contracts, never ORM objects."""

from __future__ import annotations

from mekong.identity.contracts import Actor, OrganisationInfo
from mekong.identity.models import Organisation
from mekong.identity.selectors import organisation_get_for


def organisation_info(organisation_id: int) -> OrganisationInfo | None:
    """Public facts about an organisation, or None if it does not exist."""
    org = Organisation.objects.filter(pk=organisation_id).first()
    if org is None:
        return None
    return _info(org)


def organisation_info_for(*, actor: Actor, organisation_id: int) -> OrganisationInfo:
    """Facts about an organisation the actor belongs to (raises `OrganisationNotFound`)."""
    return _info(organisation_get_for(actor=actor, organisation_id=organisation_id))


def organisations_by_kind(kind: str, *, country: str | None = None) -> list[OrganisationInfo]:
    """Active organisations of one type, optionally in one country (for directories)."""
    qs = Organisation.objects.filter(kind=kind, is_active=True)
    if country:
        qs = qs.filter(country=country.upper())
    return [_info(o) for o in qs.order_by("name")]


def _info(org: Organisation) -> OrganisationInfo:
    return OrganisationInfo(
        id=org.pk, name=org.name, slug=org.slug, kind=org.kind, country=org.country
    )
