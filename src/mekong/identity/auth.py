"""API authentication: organisation tokens (Bearer or Token scheme) and browser sessions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from mekong.identity.contracts import Actor
from mekong.identity.selectors import actor_for_token, actor_for_user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; ``Token <token>`` is accepted too (TAXII clients)."""

    def __call__(self, request: HttpRequest) -> Actor | None:
        value = request.headers.get("Authorization", "")
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() not in {"bearer", "token"} or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        return actor_for_token(token)


class SessionActorAuth(SessionAuth):
    """A logged-in browser session (CSRF-checked on unsafe methods), as an `Actor`."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or not user.is_authenticated:
            return None
        org_id = request.session.get("organisation_id")
        return actor_for_user(user, organisation_id=org_id if isinstance(org_id, int) else None)


API_AUTH = [TokenAuth(), SessionActorAuth()]
