"""Who is looking at a marketplace page: the request's actor, if logged in."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from mekong.identity.auth import SessionActorAuth
from mekong.identity.contracts import Actor


def request_actor(request: HttpRequest) -> Actor | None:
    """The logged-in user acting for their session organisation, or None for a visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    actor = SessionActorAuth().authenticate(request, None)
    return actor if isinstance(actor, Actor) else None


def actor_required(request: HttpRequest) -> Actor:
    """The actor of a ``login_required`` view (404 if the session has none, never a 500)."""
    actor = request_actor(request)
    if actor is None:
        raise Http404
    return actor


def parse_int(raw: str | None, default: int = 0) -> int:
    """An integer form field; -1 (never a valid id, quantity or amount) when malformed."""
    try:
        return int(raw or default)
    except ValueError:
        return -1
