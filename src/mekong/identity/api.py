"""Identity API: who am I, my organisations, and their API tokens."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from mekong.core.pagination import Page, paginate
from mekong.core.schemas import COMMON_ERRORS, PageOut, ProblemOut
from mekong.identity import selectors, services
from mekong.identity.contracts import Actor
from mekong.identity.models import ApiToken, Organisation

router = Router(tags=["identity"])


class MeOut(Schema):
    """The caller as the API sees it."""

    organisation_id: int | None
    role: str | None
    user_id: int | None
    token_id: int | None


class OrganisationOut(Schema):
    """An organisation the caller belongs to."""

    id: int
    name: str
    slug: str
    kind: str
    country: str
    registration_number: str
    website: str


class TokenOut(Schema):
    """An API token (never its secret)."""

    id: int
    name: str
    prefix: str
    role: str
    scope: str = Field(description="all: every API; sandbox: only /api/v1/payments/sandbox/")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    """A request for a new API token."""

    name: str = Field(min_length=1, max_length=100)
    role: str = Field(default="member", pattern="^(admin|member|viewer)$")
    scope: str = Field(
        default="all",
        pattern="^(all|sandbox)$",
        description="all: every API; sandbox: only /api/v1/payments/sandbox/ (ADR 0011)",
    )
    expires_at: datetime | None = None


class TokenCreatedOut(TokenOut):
    """A new token; ``token`` is shown once and cannot be retrieved again."""

    token: str


def _actor(request: HttpRequest) -> Actor:
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor


def _org_out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=org.pk,
        name=org.name,
        slug=org.slug,
        kind=org.kind,
        country=org.country,
        registration_number=org.registration_number,
        website=org.website,
    )


def _token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        role=token.role,
        scope=token.scope,
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


@router.get("/me", response={200: MeOut, **COMMON_ERRORS}, summary="Who am I")
def me(request: HttpRequest) -> MeOut:
    """Return the organisation, role and user or token the request acts as."""
    actor = _actor(request)
    return MeOut(
        organisation_id=actor.organisation_id,
        role=actor.role,
        user_id=actor.user_id,
        token_id=actor.token_id,
    )


@router.get(
    "/organisations",
    response={200: PageOut[OrganisationOut], **COMMON_ERRORS},
    summary="List my organisations",
)
def organisations_list(request: HttpRequest, page: Query[Page]) -> PageOut[OrganisationOut]:
    """Organisations the caller belongs to (a token: its own organisation only)."""
    items, count = paginate(selectors.organisations_for(_actor(request)), page)
    return PageOut[OrganisationOut](items=[_org_out(o) for o in items], count=count)


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, 404: ProblemOut, **COMMON_ERRORS},
    summary="Get one of my organisations",
)
def organisation_get(request: HttpRequest, organisation_id: int) -> OrganisationOut:
    """One organisation; 404 when it does not exist or the caller is not a member."""
    org = selectors.organisation_get_for(actor=_actor(request), organisation_id=organisation_id)
    return _org_out(org)


@router.get(
    "/organisations/{organisation_id}/tokens",
    response={200: PageOut[TokenOut], 403: ProblemOut, **COMMON_ERRORS},
    summary="List API tokens",
)
def tokens_list(request: HttpRequest, organisation_id: int, page: Query[Page]) -> PageOut[TokenOut]:
    """API tokens of the organisation (owners and administrators only)."""
    qs = selectors.tokens_for(actor=_actor(request), organisation_id=organisation_id)
    items, count = paginate(qs, page)
    return PageOut[TokenOut](items=[_token_out(t) for t in items], count=count)


@router.post(
    "/organisations/{organisation_id}/tokens",
    response={201: TokenCreatedOut, 403: ProblemOut, **COMMON_ERRORS},
    summary="Issue an API token",
)
def token_create(
    request: HttpRequest, organisation_id: int, payload: TokenIn
) -> Status[TokenCreatedOut]:
    """Issue a token; the secret is in the response once and never again."""
    token, secret = services.token_issue(
        actor=_actor(request),
        organisation_id=organisation_id,
        name=payload.name,
        role=payload.role,
        expires_at=payload.expires_at,
        scope=payload.scope,
    )
    return Status(201, TokenCreatedOut(**_token_out(token).model_dump(), token=secret))


@router.delete(
    "/organisations/{organisation_id}/tokens/{token_id}",
    response={200: TokenOut, 403: ProblemOut, 404: ProblemOut, **COMMON_ERRORS},
    summary="Revoke an API token",
)
def token_delete(request: HttpRequest, organisation_id: int, token_id: int) -> TokenOut:
    """Revoke a token; it stops working at once. Revoking twice is harmless."""
    token = services.token_revoke(
        actor=_actor(request), organisation_id=organisation_id, token_id=token_id
    )
    return _token_out(token)
