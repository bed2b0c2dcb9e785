"""What other modules may call in identity. Takes and returns contracts, never ORM objects."""

from __future__ import annotations

from mekong.identity.contracts import Actor, IssuedToken, OrganisationInfo
from mekong.identity.models import Organisation, Role, TokenScope
from mekong.identity.selectors import organisation_get_for
from mekong.identity.services import token_issue


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


def sandbox_token_issue(*, actor: Actor, organisation_id: int) -> IssuedToken:
    """Issue a sandbox-scoped member token named ``sandbox`` for the actor's organisation.

    The token is accepted only under ``/api/v1/payments/sandbox/`` (ADR 0011); the secret is
    in the result once. Runs in the caller's transaction when there is one, so a failed
    registration leaves no token behind. Audited and published like any token issue.

    Raises:
        NotAManager: the actor does not manage ``organisation_id`` (owners and admins only).
    """
    token, secret = token_issue(
        actor=actor,
        organisation_id=organisation_id,
        name="sandbox",
        role=Role.MEMBER,
        scope=TokenScope.SANDBOX,
    )
    return IssuedToken(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        role=token.role,
        scope=token.scope,
        secret=secret,
    )


def _info(org: Organisation) -> OrganisationInfo:
    return OrganisationInfo(
        id=org.pk, name=org.name, slug=org.slug, kind=org.kind, country=org.country
    )
