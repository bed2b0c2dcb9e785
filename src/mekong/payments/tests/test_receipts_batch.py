"""Deferred receipts are anchored a chunk at a time: one trustlog append, one checkpoint.

`receipts.anchor_pending` reads the queue, anchors every payment's summary with one
`trustlog.anchor_many` call and fills each ``receipt_index`` with one UPDATE. On SQLite the
trustlog's writes queue in the process's writer queue, its witness requests do not.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import rfc8785
from django.db import connection

from mekong.core.events import capture_events
from mekong.payments import facade, paying, receipts, writer
from mekong.payments.models import Payment
from mekong.payments.tests.factories import make_hub
from mekong.trustlog import facade as trustlog
from mekong.trustlog.errors import CheckpointNotFound
from mekong.trustlog.tests.conftest import (
    LOG_VKEY,
    inproc_witnesses,  # noqa: F401 (fixture)
)


def _pay_deferred(monkeypatch: pytest.MonkeyPatch, n: int) -> list[uuid.UUID]:
    """``n`` completed payments whose receipts wait in the deferred queue."""
    monkeypatch.setenv("PAYMENTS_RECEIPTS", "deferred")
    monkeypatch.setenv("PAYMENTS_ANCHOR_LOOP", "off")  # the test drains, not a server thread
    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    ids = []
    for i in range(n):
        quote = facade.quote(wallet_id=hub.wallets["VN"].pk, payee=payee, amount=200_000)
        paid = facade.pay(quote_id=quote.id, idempotency_key=f"batch-{i}")
        assert (paid.status, paid.receipt_index) == ("completed", None)
        ids.append(paid.id)
    return ids


def stored_summary_entry(payment_id: uuid.UUID) -> tuple[str, bytes]:
    """The trustlog entry (kind, data) of the payment's receipt, made from the payment as
    stored: its public summary in RFC 8785 JSON."""
    payment = Payment.objects.select_related(
        "quote__fx_provider", "sender_participant", "receiver_participant"
    ).get(pk=payment_id)
    return "payment", rfc8785.dumps(paying.summary(payment))  # type: ignore[arg-type]


def _indexes(ids: list[uuid.UUID]) -> list[int | None]:
    by_id = dict(Payment.objects.filter(pk__in=ids).values_list("pk", "receipt_index"))
    return [by_id[i] for i in ids]


@pytest.mark.django_db
def test_a_deferred_chunk_is_anchored_with_one_append_and_one_checkpoint(monkeypatch):
    ids = _pay_deferred(monkeypatch, 4)

    with capture_events() as events:
        assert receipts.anchor_pending() == 4

    names = [e.name for e in events]
    assert names.count("trustlog.entries_appended") == 1
    assert names.count("trustlog.checkpoint_published") == 1
    indexes = _indexes(ids)
    first = indexes[0]
    assert first is not None
    assert indexes == list(range(first, first + 4))  # oldest first, consecutive entries
    size = trustlog.latest_checkpoint().size
    for pid, index in zip(ids, indexes, strict=True):
        assert index is not None
        receipt = trustlog.receipt_for(index)
        assert trustlog.verify_receipt(receipt, LOG_VKEY, [], 0).valid
        assert json.loads(receipt.entry.data)["payment_id"] == str(pid)
        # The very entry `paying.anchor_receipt` makes for one payment.
        assert (receipt.entry.kind, receipt.entry.data) == stored_summary_entry(pid)
    assert size == first + 4
    assert receipts.anchor_pending() == 0


@pytest.mark.django_db
def test_limit_bounds_the_chunk_and_the_rest_waits_for_the_next_one(monkeypatch):
    ids = _pay_deferred(monkeypatch, 3)

    with capture_events() as events:
        assert receipts.anchor_pending(limit=2) == 2
        assert receipts.anchor_pending(limit=2) == 1

    assert [e.name for e in events].count("trustlog.checkpoint_published") == 2
    assert None not in _indexes(ids)
    assert len(set(_indexes(ids))) == 3


@pytest.mark.django_db
def test_a_failed_anchor_leaves_the_whole_chunk_queued(monkeypatch, caplog):
    from mekong.trustlog.tests.conftest import LOG_SIGNER

    ids = _pay_deferred(monkeypatch, 3)
    # A log that cannot sign refuses to anchor (before appending anything).
    monkeypatch.setenv("TRUSTLOG_SIGNER_KEY", "not a signer key")

    with caplog.at_level(logging.ERROR, logger="mekong.payments.receipts"):
        assert receipts.anchor_pending() == 0

    assert _indexes(ids) == [None, None, None]
    assert "could not anchor the receipts of 3 payments" in caplog.text
    monkeypatch.setenv("TRUSTLOG_SIGNER_KEY", LOG_SIGNER.encode_skey())
    assert receipts.anchor_pending() == 3
    indexes = _indexes(ids)
    assert indexes[0] is not None
    assert indexes == list(range(indexes[0], indexes[0] + 3))


@contextlib.contextmanager
def _observed(target: str, held: list[bool]) -> Iterator[str]:
    """A loopback HTTP relay to the witness at ``target`` that notes, per request, whether
    this process's SQLite writer lock was held at that moment; yields the relay's URL."""

    class Relay(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            held.append(writer._lock.locked())
            body = self.rfile.read(int(self.headers["Content-Length"]))
            request = urllib.request.Request(target + self.path, data=body, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status, data = answer.status, answer.read()
            except urllib.error.HTTPError as exc:
                status, data = exc.code, exc.read()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Relay)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_witnesses_are_asked_outside_the_writer_queue(monkeypatch, inproc_witnesses):  # noqa: F811
    """The drain holds the process's SQLite writer lock for the log's writes only: payments
    of the same process never wait while a witness answers."""
    if connection.vendor != "sqlite":
        pytest.skip("the writer queue exists on SQLite only")
    witnesses = inproc_witnesses(2)
    held: list[bool] = []
    ids = _pay_deferred(monkeypatch, 3)

    with contextlib.ExitStack() as stack:
        relays = [stack.enter_context(_observed(w.url, held)) for w in witnesses]
        monkeypatch.setenv(
            "TRUSTLOG_WITNESSES",
            ",".join(f"{w.vkey}={url}" for w, url in zip(witnesses, relays, strict=True)),
        )

        assert receipts.anchor_pending() == 3

    assert held == [False, False]
    keys = [w.vkey for w in witnesses]
    for index in _indexes(ids):
        assert index is not None
        assert trustlog.verify_receipt(trustlog.receipt_for(index), LOG_VKEY, keys, 2).valid


@pytest.mark.django_db
def test_payment_status_reads_without_anchoring_and_payment_get_anchors(monkeypatch):
    # Event handlers read payments inside their own transaction: a read there must not write
    # the trustlog (a rollback would drop entries its witnesses may have signed already).
    (paid,) = _pay_deferred(monkeypatch, 1)
    monkeypatch.setenv("PAYMENTS_RECEIPTS", "inline")
    status = facade.payment_status(paid)
    assert status is not None
    assert (status.status, status.receipt_index) == ("completed", None)
    assert _indexes([paid]) == [None]
    with pytest.raises(CheckpointNotFound):  # nothing was ever anchored
        trustlog.latest_checkpoint()
    got = facade.payment_get(paid)
    assert got is not None
    assert got.receipt_index is not None
    assert facade.payment_status("not-a-uuid") is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_inline_receipts_share_anchoring_and_each_gets_its_own(monkeypatch):
    """Inline receipts requested at once by several threads of a process are anchored by
    group commit: every payment gets exactly one entry (a payment asked for twice, once),
    its index is stored, and its receipt verifies."""
    ids = _pay_deferred(monkeypatch, 6)
    monkeypatch.setenv("PAYMENTS_RECEIPTS", "inline")
    calls: list[int] = []
    real = trustlog.anchor_many

    def counted(items, **kwargs):
        calls.append(len(items))
        return real(items, **kwargs)

    monkeypatch.setattr(paying.trustlog, "anchor_many", counted)
    start = threading.Barrier(8)
    got: dict[int, int | None] = {}

    def ask(n: int, pid: uuid.UUID) -> None:
        try:
            payment = Payment.objects.get(pk=pid)
            start.wait()
            paying.receipt_ensure(payment)
            got[n] = payment.receipt_index
        finally:
            connection.close()

    jobs = [*ids, ids[0], ids[1]]  # two payments asked for twice
    threads = [threading.Thread(target=ask, args=(n, pid)) for n, pid in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    stored = _indexes(ids)
    assert None not in stored
    assert len(set(stored)) == 6
    assert sum(calls) == 6  # one entry per payment, however many asked for it
    assert [got[n] for n in range(8)] == [*stored, stored[0], stored[1]]
    for pid, index in zip(ids, stored, strict=True):
        receipt = trustlog.receipt_for(index)
        assert trustlog.verify_receipt(receipt, LOG_VKEY, [], 0).valid
        assert json.loads(receipt.entry.data)["payment_id"] == str(pid)


@pytest.mark.django_db(transaction=True)
def test_an_inline_receipt_that_cannot_be_anchored_leaves_the_payment_standing(monkeypatch, caplog):
    (paid,) = _pay_deferred(monkeypatch, 1)
    monkeypatch.setenv("PAYMENTS_RECEIPTS", "inline")

    def broken(items, **kwargs):
        raise RuntimeError("log unavailable")

    real = trustlog.anchor_many
    monkeypatch.setattr(paying.trustlog, "anchor_many", broken)
    payment = Payment.objects.get(pk=paid)
    with caplog.at_level(logging.ERROR, logger="mekong.payments.paying"):
        paying.receipt_ensure(payment)
    assert payment.receipt_index is None
    assert _indexes([paid]) == [None]
    assert "could not anchor the receipts of 1 payments" in caplog.text
    monkeypatch.setattr(paying.trustlog, "anchor_many", real)
    got = facade.payment_get(paid)  # the next read anchors it
    assert got is not None
    assert got.receipt_index is not None
