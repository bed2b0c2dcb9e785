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


#: Larger integers are refused before they reach the database (SQLite stores 64-bit ints).
MAX_INT = 2**53


def parse_int(raw: str | None, default: int = 0) -> int:
    """An integer form field; -1 (never a valid id, quantity or amount) when malformed or out
    of ±2**53."""
    try:
        value = int(raw or default)
    except ValueError:
        return -1
    return value if -MAX_INT <= value <= MAX_INT else -1
