"""Who is looking at a marketplace page: the request's actor, if logged in."""

from __future__ import annotations

from django.http import HttpRequest

from mekong.identity.auth import SessionActorAuth
from mekong.identity.contracts import Actor


def request_actor(request: HttpRequest) -> Actor | None:
    """The logged-in user acting for their session organisation, or None for a visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    actor = SessionActorAuth().authenticate(request, None)
    return actor if isinstance(actor, Actor) else None
