"""Clearance API: lodge declarations, read lanes and duty, officer decisions."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["clearance"])
