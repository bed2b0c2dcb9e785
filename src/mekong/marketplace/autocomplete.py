"""Search-as-you-type suggestions for the marketplace search box.

Mounted under ``/marketplace/suggest`` by :mod:`mekong.marketplace.api`.
"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["marketplace"])
