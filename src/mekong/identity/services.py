"""Write use cases of identity. Each owns its transaction and writes an audit entry."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from mekong.core import clock
from mekong.core.audit import audit_record
from mekong.core.countries import COUNTRIES
from mekong.core.events import publish
from mekong.core.text import normalize_text
from mekong.identity import tokens
from mekong.identity.contracts import Actor
from mekong.identity.errors import (
    EmailTaken,
    InvalidOrganisation,
    NotAManager,
    SlugTaken,
    TokenNotFound,
)
from mekong.identity.events import ApiTokenIssued, ApiTokenRevoked, OrganisationCreated
from mekong.identity.models import (
    ApiToken,
    Membership,
    Organisation,
    OrganisationType,
    Role,
    TokenScope,
    User,
)


def organisation_create(
    *,
    name: str,
    kind: str,
    country: str,
    slug: str = "",
    registration_number: str = "",
    website: str = "",
    actor_user_id: int | None = None,
) -> Organisation:
    """Register an organisation.

    Publishes `OrganisationCreated`; writes an ``organisation.created`` audit entry.

    Raises:
        InvalidOrganisation: unknown type or country, or an empty name.
        SlugTaken: the slug is in use.
    """
    name = normalize_text(name)
    errors = []
    if not name:
        errors.append({"field": "name", "code": "required"})
    if kind not in OrganisationType.values:
        errors.append({"field": "kind", "code": "invalid_choice"})
    if country.upper() not in COUNTRIES:
        errors.append({"field": "country", "code": "invalid_choice"})
    slug = slugify(slug or name)[:80]
    if not slug:
        errors.append({"field": "slug", "code": "required"})
    if errors:
        raise InvalidOrganisation(extra={"errors": errors})
    try:
        with transaction.atomic():
            org = Organisation.objects.create(
                name=name,
                slug=slug,
                kind=kind,
                country=country.upper(),
                registration_number=registration_number.strip(),
                website=website.strip(),
            )
            audit_record(
                action="organisation.created",
                actor_user_id=actor_user_id,
                organisation_id=org.pk,
                object_type="organisation",
                object_id=org.pk,
                data={"kind": kind, "country": org.country},
            )
            publish(OrganisationCreated(organisation_id=org.pk, kind=kind, country=org.country))
    except IntegrityError:
        raise SlugTaken(params={"slug": slug}) from None
    return org


def user_create(
    *,
    email: str,
    password: str | None,
    display_name: str = "",
    preferred_language: str = "",
    is_operator: bool = False,
) -> User:
    """Create a user who logs in with ``email``.

    Raises:
        EmailTaken: the address is in use (compared case-insensitively).
    """
    email = email.strip().lower()
    try:
        with transaction.atomic():
            if User.objects.filter(email__iexact=email).exists():
                raise EmailTaken()
            user = User.objects.create_user(
                email,
                password,
                display_name=normalize_text(display_name),
                preferred_language=preferred_language,
                is_staff=is_operator,
                is_superuser=is_operator,
            )
            audit_record(
                action="user.created", actor_user_id=None, object_type="user", object_id=user.pk
            )
    except IntegrityError:
        raise EmailTaken() from None
    return user


def membership_grant(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give ``user`` a role in ``organisation`` (or change it); audited."""
    if role not in Role.values:
        raise InvalidOrganisation(extra={"errors": [{"field": "role", "code": "invalid_choice"}]})
    with transaction.atomic():
        membership, _created = Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
        audit_record(
            action="membership.granted",
            organisation_id=organisation.pk,
            object_type="user",
            object_id=user.pk,
            data={"role": role},
        )
    return membership


def _require_manager(actor: Actor, organisation_id: int) -> None:
    if actor.organisation_id != organisation_id or not actor.can_manage:
        raise NotAManager()


def token_issue(
    *,
    actor: Actor,
    organisation_id: int,
    name: str,
    role: str = Role.MEMBER,
    expires_at: datetime | None = None,
    scope: str = TokenScope.ALL,
) -> tuple[ApiToken, str]:
    """Issue an API token for the actor's organisation; return the row and the secret.

    The secret is returned once and never stored or logged. Only owners and administrators may
    issue tokens, and a token never gets a role above the issuer's. ``scope`` ``sandbox`` makes
    a token that every API outside the payments sandbox refuses (ADR 0011). Writes an
    ``api_token.issued`` audit entry and publishes `ApiTokenIssued` in the same transaction.

    Raises:
        NotAManager: the actor does not manage ``organisation_id``.
        InvalidOrganisation: an unknown role or scope, or the role ``owner``.
    """
    _require_manager(actor, organisation_id)
    if role not in Role.values or role == Role.OWNER:
        raise InvalidOrganisation(extra={"errors": [{"field": "role", "code": "invalid_choice"}]})
    if scope not in TokenScope.values:
        raise InvalidOrganisation(extra={"errors": [{"field": "scope", "code": "invalid_choice"}]})
    name = normalize_text(name)[:100] or "API token"
    secret, prefix, digest = tokens.token_generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            organisation_id=organisation_id,
            name=name,
            prefix=prefix,
            digest=digest,
            role=role,
            scope=scope,
            created_by_id=actor.user_id,
            expires_at=expires_at,
        )
        audit_record(
            action="api_token.issued",
            actor_user_id=actor.user_id,
            organisation_id=organisation_id,
            object_type="api_token",
            object_id=token.pk,
            data={"name": name, "prefix": prefix, "role": role, "scope": scope},
        )
        publish(ApiTokenIssued(organisation_id=organisation_id, token_id=token.pk))
    return token, secret


def token_revoke(*, actor: Actor, organisation_id: int, token_id: int) -> ApiToken:
    """Revoke a token of the actor's organisation. Revoking twice is a no-op.

    Raises:
        NotAManager: the actor does not manage ``organisation_id``.
        TokenNotFound: no such token in that organisation.
    """
    _require_manager(actor, organisation_id)
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(pk=token_id, organisation_id=organisation_id)
            .first()
        )
        if token is None:
            raise TokenNotFound()
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                action="api_token.revoked",
                actor_user_id=actor.user_id,
                organisation_id=organisation_id,
                object_type="api_token",
                object_id=token.pk,
            )
            publish(ApiTokenRevoked(organisation_id=organisation_id, token_id=token.pk))
    return token
