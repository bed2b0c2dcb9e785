"""API authentication: organisation tokens (Bearer or Token scheme) and browser sessions.

Token scopes are enforced here, once for every endpoint (ADR 0011): a token whose scope is not
``all`` is accepted only on the URL routes listed for its scope in `SCOPE_ROUTES`, and refused
with 403 ``sandbox_token`` everywhere else. An endpoint added anywhere on the platform therefore
refuses sandbox tokens without doing anything, unless it is mounted under the sandbox prefix.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from mekong.identity.contracts import Actor
from mekong.identity.errors import CsrfFailed, SandboxTokenRefused
from mekong.identity.models import TokenScope
from mekong.identity.selectors import actor_for_token, actor_for_user

#: URL route prefixes (as Django's resolver writes them, no leading slash) where a token of a
#: restricted scope is accepted. ``all`` is not listed: it is accepted wherever its role is.
#: The payments API mounts its sandbox twin of every live endpoint under this prefix; if that
#: mount moves, sandbox tokens stop working (fail closed) and the payments sandbox tests fail.
SCOPE_ROUTES: dict[str, tuple[str, ...]] = {
    TokenScope.SANDBOX: ("api/v1/payments/sandbox/",),
}


def scope_allows(scope: str | None, route: str | None) -> bool:
    """True when a credential of ``scope`` may be used on the URL ``route``.

    Sessions (scope None) and full tokens (``all``) may be used anywhere; a restricted scope
    only on its listed routes. An unknown scope, or a request whose route is not known, is
    refused: a mistake here must fail closed.
    """
    if scope is None or scope == TokenScope.ALL:
        return True
    prefixes = SCOPE_ROUTES.get(scope)
    if not prefixes or route is None:
        return False
    return route.startswith(prefixes)


def _route(request: HttpRequest) -> str | None:
    # The pattern that matched, not the raw path: a route is a sandbox route by its own
    # literal prefix, so no path parameter of a live route can make a live endpoint look like
    # one (and ``..`` or encoded slashes in the path change nothing).
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", None)
    return route if isinstance(route, str) else None


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; ``Token <token>`` is accepted too (TAXII clients).

    Raises `SandboxTokenRefused` (403 ``sandbox_token``) for a valid token whose scope does not
    cover the requested route, rather than answering "not authenticated": the client sent a
    good credential to the wrong place and should be told so.
    """

    def __call__(self, request: HttpRequest) -> Actor | None:
        value = request.headers.get("Authorization", "")
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() not in {"bearer", "token"} or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        actor = actor_for_token(token)
        if actor is not None and not scope_allows(actor.token_scope, _route(request)):
            raise SandboxTokenRefused()
        return actor


class SessionActorAuth(SessionAuth):
    """A logged-in browser session (CSRF-checked on unsafe methods), as an `Actor`."""

    def _get_key(self, request: HttpRequest) -> str | None:
        """No session cookie, no session: without ambient credentials there is nothing for a
        CSRF check to protect, and a client that sent no (or a bad) token is told to
        authenticate (401 ``not_authenticated``) instead of failing that check (a bare 403)."""
        if self.param_name not in request.COOKIES:
            return None
        try:
            key: str | None = super()._get_key(request)
        except HttpError as error:
            # Ninja's CSRF check, its only refusal here.
            if error.status_code != 403:
                raise
            if not request.user.is_authenticated:
                # A dead session (expired, logged out, garbage) authenticates no one: the
                # client is told to authenticate (401), not to fetch a CSRF token.
                return None
            raise CsrfFailed() from error  # a code of its own, not a generic 403
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or not user.is_authenticated:
            return None
        org_id = request.session.get("organisation_id")
        return actor_for_user(user, organisation_id=org_id if isinstance(org_id, int) else None)


API_AUTH = [TokenAuth(), SessionActorAuth()]
