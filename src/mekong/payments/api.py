"""Payments hub API for participants (token auth): quotes, payments, proxies, positions."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["payments"])
