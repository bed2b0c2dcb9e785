"""The deferred-receipt loop survives the database dropping its connection (PostgreSQL)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from mekong.payments import facade, receipts
from mekong.payments.models import Payment
from mekong.payments.tests.factories import make_hub

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _wait_receipt(payment_id: uuid.UUID, seconds: float) -> int | None:
    """Poll until the loop anchored the payment (bounded: the loop wakes on every payment)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        index = Payment.objects.get(pk=payment_id).receipt_index
        if index is not None:
            return index
        time.sleep(0.1)
    return None


def test_the_loop_reconnects_after_the_database_drops_its_connection(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Any
) -> None:
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("PAYMENTS_RECEIPTS", "deferred")
    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    vn = hub.wallets["VN"].pk
    try:
        quote = facade.quote(wallet_id=vn, payee=payee, amount=200_000)
        first = facade.pay(quote_id=quote.id, idempotency_key="a")
        assert _wait_receipt(first.id, 60) is not None
        # A restart, failover or idle timeout drops every other session, the loop's included.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        quote = facade.quote(wallet_id=vn, payee=payee, amount=200_000)
        second = facade.pay(quote_id=quote.id, idempotency_key="b")
        assert _wait_receipt(second.id, 60) is not None  # anchored by the loop, not the CLI
    finally:
        receipts.stop()
