"""Permission-checked reads of identity (`*_get_for`: never a bare `objects.get` on input)."""

from __future__ import annotations

import functools

from django.db.models import QuerySet

from mekong.core import clock
from mekong.core.db.rows import Rows, columns, table
from mekong.identity import tokens
from mekong.identity.contracts import Actor
from mekong.identity.errors import NotAManager, OrganisationNotFound
from mekong.identity.models import ApiToken, Membership, Organisation, User


def actor_for_user(user: User, *, organisation_id: int | None = None) -> Actor:
    """Build the actor of a logged-in user, acting for one of their organisations.

    With ``organisation_id`` the user must be a member of it; otherwise the first membership
    (by organisation name) is used. A user without memberships gets an actor with no
    organisation, who can see only public pages.
    """
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    chosen: Membership | None = None
    if organisation_id is not None:
        chosen = memberships.filter(organisation_id=organisation_id).first()
    if chosen is None:
        chosen = memberships.order_by("organisation__name").first()
    return Actor(
        organisation_id=chosen.organisation_id if chosen else None,
        role=chosen.role if chosen else None,
        user_id=user.pk,
        is_operator=user.is_staff,
    )


def actor_for_token(raw: str) -> Actor | None:
    """Authenticate a presented API token; None when unknown, revoked or expired.

    Updates ``last_used_at`` at most once a minute per token so that every request does not
    write.
    """
    prefix = tokens.token_prefix(raw)
    if prefix is None:
        return None
    found = _TOKEN.fetch(_token_sql(), [prefix])
    token = found[0][0] if found else None
    if token is None or not tokens.token_matches(raw, token.digest) or not token.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Actor(
        organisation_id=token.organisation_id,
        role=token.role,
        token_id=token.pk,
        token_scope=token.scope,
    )


_TOKEN = Rows(ApiToken)


@functools.cache
def _token_sql() -> str:
    """The token look-up of every API request, written once (`mekong.core.db.rows`): the
    ORM's query compiler cost three times the query itself here (465 against 136 µs of CPU
    per request), and this runs twice per payment. ``prefix`` is unique."""
    # Names from the models' metadata only; the prefix is a bound parameter.
    return (
        f"SELECT {columns(ApiToken, 't')} FROM {table(ApiToken)} t "  # noqa: S608
        f"INNER JOIN {table(Organisation)} o ON o.id = t.organisation_id "
        "WHERE t.prefix = %s AND o.is_active"
    )


def organisations_for(actor: Actor) -> QuerySet[Organisation]:
    """Organisations the actor may see: those it belongs to (a token: its own)."""
    if actor.user_id is not None:
        return Organisation.objects.filter(memberships__user_id=actor.user_id).order_by("name")
    if actor.organisation_id is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=actor.organisation_id).order_by("name")


def organisation_get_for(*, actor: Actor, organisation_id: int) -> Organisation:
    """Return an organisation the actor belongs to.

    Raises:
        OrganisationNotFound: it does not exist or the actor is not a member (the same error,
            so that ids of other organisations cannot be probed).
    """
    org = organisations_for(actor).filter(pk=organisation_id).first()
    if org is None:
        raise OrganisationNotFound()
    return org


def organisation_get_by_slug_for(*, actor: Actor, slug: str) -> Organisation:
    """Like `organisation_get_for`, by slug (for pages)."""
    org = organisations_for(actor).filter(slug=slug).first()
    if org is None:
        raise OrganisationNotFound()
    return org


def tokens_for(*, actor: Actor, organisation_id: int) -> QuerySet[ApiToken]:
    """API tokens of an organisation; only its owners and administrators may list them.

    Raises:
        NotAManager: the actor does not manage the organisation.
    """
    if actor.organisation_id != organisation_id or not actor.can_manage:
        raise NotAManager()
    return ApiToken.objects.filter(organisation_id=organisation_id).order_by("-created_at", "-id")


def members_of(*, actor: Actor, organisation_id: int) -> QuerySet[Membership]:
    """Memberships of an organisation the actor belongs to."""
    organisation_get_for(actor=actor, organisation_id=organisation_id)
    return (
        Membership.objects.filter(organisation_id=organisation_id)
        .select_related("user")
        .order_by("user__email")
    )
