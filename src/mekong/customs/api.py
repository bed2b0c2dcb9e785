"""Customs documents API: issue, fetch, revoke and verify signed trade documents."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["customs"])
