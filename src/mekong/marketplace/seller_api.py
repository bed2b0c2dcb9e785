"""Marketplace seller API: create and edit products, their images, variants and price tiers.

Mounted under ``/marketplace/seller`` by :mod:`mekong.marketplace.api`.
"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["marketplace"])
