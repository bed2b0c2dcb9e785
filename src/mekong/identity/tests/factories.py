"""Factories for identity's leaf entities; state is built through the services."""

from __future__ import annotations

import itertools

from django.test import Client

from mekong.identity.contracts import Actor
from mekong.identity.models import Organisation, User
from mekong.identity.selectors import actor_for_user
from mekong.identity.services import membership_grant, organisation_create, token_issue, user_create

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_org(*, kind: str = "sme", country: str = "LA", name: str | None = None) -> Organisation:
    n = next(_seq)
    return organisation_create(name=name or f"Test Org {n}", kind=kind, country=country)


def make_user(
    *, org: Organisation | None = None, role: str = "owner", email: str | None = None
) -> User:
    n = next(_seq)
    user = user_create(email=email or f"user{n}@example.org", password=PASSWORD)
    if org is not None:
        membership_grant(user=user, organisation=org, role=role)
    return user


def actor_of(user: User, org: Organisation | None = None) -> Actor:
    return actor_for_user(user, organisation_id=org.pk if org else None)


def make_token(org: Organisation, *, role: str = "member") -> str:
    admin = make_user(org=org, role="admin")
    _token, secret = token_issue(
        actor=actor_of(admin, org), organisation_id=org.pk, name="t", role=role
    )
    return secret


def client_for(cred: tuple[str, object] | None) -> tuple[Client, dict[str, str]]:
    """A test client and extra headers for a matrix caller: None, ("token", secret) or
    ("session", user)."""
    client = Client()
    headers: dict[str, str] = {}
    if cred is None:
        return client, headers
    kind, value = cred
    if kind == "token":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {value}"
    else:
        client.force_login(value)  # type: ignore[arg-type]
    return client, headers
