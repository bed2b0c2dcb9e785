"""A fixed-window request limit per client address for the public verify endpoints.

Uses Django's cache (per process with the default local-memory cache; shared when a shared
cache is configured), so it bounds abuse rather than metering exactly.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from mekong.core.errors import RateLimited

#: Verifications per client address per minute (a verification costs about a millisecond).
VERIFY_PER_MINUTE = 120


def check(request: HttpRequest, scope: str, limit: int = VERIFY_PER_MINUTE) -> None:
    """Count this request; raise `RateLimited` (429) past ``limit`` in the current minute."""
    window = int(time.time() // 60)
    key = f"mk:rl:{scope}:{request.META.get('REMOTE_ADDR', '')}:{window}"
    if cache.add(key, 1, timeout=70):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=70)
        return
    if count > limit:
        raise RateLimited()
