"""Payment status webhooks against a real HTTP receiver on loopback: signed deliveries that
verify with the secret, retries with backoff after errors and timeouts, one delivery per status
change (none for an idempotent retry or a rolled-back payment), the authorisation matrix."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from mekong.core import clock
from mekong.identity.tests.factories import make_user
from mekong.payments import facade, webhooks
from mekong.payments.cli import cmd_webhooks_deliver
from mekong.payments.errors import WebhookUrlInvalid
from mekong.payments.models import WatchlistEntry, WebhookDelivery, WebhookEndpoint
from mekong.payments.tests.factories import make_wallet
from mekong.payments.tests.test_api import BASE, Caller, _pay, _quote_body, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]


class Receiver:
    """A loopback HTTP server recording requests; answers from a script of behaviours."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        #: Per request: an HTTP status, or "slow" (answer after the client gave up).
        self.script: list[int | str] = []
        self.release = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                action = outer.script.pop(0) if outer.script else 204
                if action == "slow":
                    outer.release.wait(10)
                    action = 200
                if action in (301, 302):
                    self.send_response(int(action))
                    self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                    self.end_headers()
                    return
                self.send_response(int(action))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.PAYMENTS_WEBHOOKS_ALLOW_HTTP_LOOPBACK = True
    r = Receiver()
    yield r
    r.close()


def _register(caller: Caller, url: str, **extra: Any) -> dict[str, Any]:
    response = caller.post("/webhooks", {"url": url, **extra})
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def _verify_independently(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check written out, not through the module under test."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return (
        any(part == f"v1,{expected}" for part in headers["webhook-signature"].split())
        and abs(time.time() - int(headers["webhook-timestamp"])) < 300
    )


def test_completed_payment_is_delivered_signed_to_sender_and_receiver(world, receiver):
    hub, callers = world
    vn = _register(callers["vn"], receiver.url, description="core banking")
    la = _register(callers["la"], receiver.url + "/la", event_types=["payment.completed"])
    th = _register(callers["th"], receiver.url + "/th")
    assert vn["secret"].startswith("whsec_")
    assert vn["secret"] != la["secret"]
    payment = _pay(hub, callers)
    assert WebhookDelivery.objects.filter(endpoint_id=th["id"]).count() == 0  # not a party
    assert webhooks.deliver_due() == (2, 0)
    assert len(receiver.requests) == 2
    secrets = {"/hooks": vn["secret"], "/hooks/la": la["secret"]}
    by_secret = {}
    for headers, body in receiver.requests:
        event = json.loads(body)
        secret = next(s for s in secrets.values() if _verify_independently(s, headers, body))
        by_secret[secret] = event
        assert webhooks.verify(secret, headers, body)
        assert not webhooks.verify(th["secret"], headers, body)
        assert not webhooks.verify(secret, headers, body.replace(b"completed", b"refused"))
        assert headers["webhook-id"] == event["id"]
        assert event["type"] == "payment.completed"
        assert event["data"]["payment_id"] == payment["id"]
        assert event["data"]["status"] == "completed"
        assert event["data"]["source_amount"] == payment["quote"]["source_amount"]
        assert event["data"]["destination_currency"] == "LAK"
        assert "holder_name" not in body.decode()
        assert "account_ref" not in body.decode()
    assert set(by_secret) == set(secrets.values())
    # Delivered: nothing is due any more, and the API shows it.
    assert webhooks.deliver_due() == (0, 0)
    rows = callers["vn"].get(f"/webhooks/{vn['id']}/deliveries").json()
    assert rows["count"] == 1
    assert rows["items"][0]["status"] == "delivered"
    assert rows["items"][0]["last_status_code"] == 204
    assert rows["items"][0]["webhook_id"] == by_secret[vn["secret"]]["id"]


def test_server_errors_are_retried_with_backoff_then_delivered(world, receiver):
    hub, callers = world
    endpoint = _register(callers["vn"], receiver.url)
    receiver.script = [500, 503, 302]
    start = clock.now()
    with clock.frozen(start) as frozen:
        _pay(hub, callers)
        assert webhooks.deliver_due() == (0, 1)
        row = WebhookDelivery.objects.get(endpoint_id=endpoint["id"])
        assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
        assert row.next_attempt_at == start + timedelta(seconds=30)
        frozen.advance(timedelta(seconds=29))
        assert webhooks.deliver_due() == (0, 0)  # not due yet
        frozen.advance(timedelta(seconds=1))
        assert webhooks.deliver_due() == (0, 1)
        row.refresh_from_db()
        assert row.next_attempt_at == frozen.current + timedelta(minutes=2)
        frozen.advance(timedelta(minutes=2))
        # A redirect is not followed: it counts as a failure.
        assert webhooks.deliver_due() == (0, 1)
        row.refresh_from_db()
        assert (row.attempts, row.last_status_code) == (3, 302)
        assert row.next_attempt_at == frozen.current + timedelta(minutes=10)
        frozen.advance(timedelta(minutes=10))
        assert webhooks.deliver_due() == (1, 0)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("delivered", 4)
    assert len(receiver.requests) == 4
    # Every attempt carried the same webhook-id, so the receiver can dedupe.
    assert len({h["webhook-id"] for h, _b in receiver.requests}) == 1


def test_a_delivery_fails_after_the_last_retry(world, receiver):
    hub, callers = world
    _register(callers["vn"], receiver.url)
    receiver.script = [500] * 10
    with clock.frozen(clock.now()) as frozen:
        _pay(hub, callers)
        for wait in (timedelta(0), *webhooks.BACKOFF):
            frozen.advance(wait)
            assert webhooks.deliver_due() == (0, 1)
        frozen.advance(timedelta(days=1))
        assert webhooks.deliver_due() == (0, 0)
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts) == ("failed", len(webhooks.BACKOFF) + 1)


def test_a_timeout_is_retried(world, receiver):
    hub, callers = world
    _register(callers["vn"], receiver.url)
    receiver.script = ["slow"]
    with clock.frozen(clock.now()) as frozen:
        _pay(hub, callers)
        assert webhooks.deliver_due(timeout=0.3) == (0, 1)
        receiver.release.set()
        row = WebhookDelivery.objects.get()
        assert row.last_status_code is None
        assert "timed out" in row.last_error
        frozen.advance(webhooks.BACKOFF[0])
        assert webhooks.deliver_due(timeout=5) == (1, 0)
    assert WebhookDelivery.objects.get().status == "delivered"


def test_an_unreachable_receiver_is_retried(world, receiver):
    hub, callers = world
    url = receiver.url
    _register(callers["vn"], url)
    receiver.close()  # nothing listens on that port now
    _pay(hub, callers)
    assert webhooks.deliver_due(timeout=2) == (0, 1)
    row = WebhookDelivery.objects.get()
    assert row.status == "pending"
    assert row.last_status_code is None
    assert row.last_error


def test_idempotent_retry_and_rollback_create_no_delivery(world, receiver):
    hub, callers = world
    _register(callers["vn"], receiver.url)
    quote = callers["vn"].post("/quotes", _quote_body(hub)).json()
    first = callers["vn"].post("/payments", {"quote_id": quote["id"]}, key="same")
    again = callers["vn"].post("/payments", {"quote_id": quote["id"]}, key="same")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert WebhookDelivery.objects.count() == 1
    # A payment whose transaction rolls back leaves no delivery (same transaction).
    q2 = facade.quote(
        wallet_id=hub.wallets["VN"].pk,
        payee=facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref),
        amount=50_000,
    )
    inside: list[int] = []

    def pay_then_fail() -> None:
        with transaction.atomic():
            facade.pay(quote_id=q2.id, idempotency_key="rolled-back")
            inside.append(WebhookDelivery.objects.count())
            raise RuntimeError("the caller's transaction fails after paying")

    with pytest.raises(RuntimeError):
        pay_then_fail()
    assert inside == [2]
    assert WebhookDelivery.objects.count() == 1


def test_held_released_rejected_and_refunded_events(world, receiver):
    hub, callers = world
    th = _register(callers["th"], receiver.url)
    WatchlistEntry.objects.create(names=["Aung Kyaw Htet"], reason="test list")
    target = make_wallet(hub.psps["MM"], name="AUNG KYAW HTET")
    payee = facade.resolve_proxy("wallet_id", target.account_ref)
    user = make_user()
    held = facade.pay(
        quote_id=facade.quote(wallet_id=hub.wallets["TH"].pk, payee=payee, amount=1_000_00).id,
        idempotency_key="h1",
    )
    facade.review_release(held.id, reviewer_user_id=user.pk)
    other = facade.pay(
        quote_id=facade.quote(wallet_id=hub.wallets["TH"].pk, payee=payee, amount=2_000_00).id,
        idempotency_key="h2",
    )
    facade.review_reject(other.id, reviewer_user_id=user.pk)
    paid = facade.pay(
        quote_id=facade.quote(
            wallet_id=hub.wallets["TH"].pk,
            payee=facade.resolve_proxy("wallet_id", hub.wallets["VN"].account_ref),
            amount=3_000_00,
        ).id,
        idempotency_key="p3",
    )
    refund = callers["vn"].post(f"/payments/{paid.id}/refunds", {"amount": 100}, key="r1")
    assert refund.status_code == 201, refund.content
    rows = list(WebhookDelivery.objects.filter(endpoint_id=th["id"]).order_by("created_at", "id"))
    assert [r.event_type for r in rows] == [
        "payment.held",
        "payment.released",
        "payment.held",
        "payment.rejected",
        "payment.completed",
        "payment.refunded",
    ]
    assert rows[-1].payload["data"]["refund_of"] == str(paid.id)
    assert webhooks.deliver_due() == (6, 0)
    assert {json.loads(b)["type"] for _h, b in receiver.requests} >= {"payment.released"}


def test_authorisation_matrix_and_bad_input(world, receiver, settings):
    hub, callers = world
    mine = _register(callers["vn"], receiver.url)
    path = f"/webhooks/{mine['id']}"
    # The secret is shown once: never in the list or the deliveries.
    listed = callers["vn"].get("/webhooks").json()
    assert [e["id"] for e in listed] == [mine["id"]]
    assert "secret" not in listed[0]
    assert callers["vn_viewer"].get("/webhooks").json() == listed
    assert callers["la"].get("/webhooks").json() == []
    expected_get = {"vn": 200, "vn_viewer": 200, "la": 404, "th": 404, "hub": 404,
                    "outsider": 403, "anonymous": 401}  # fmt: skip
    for who, status in expected_get.items():
        got = callers[who].get(path + "/deliveries")
        assert got.status_code == status, (who, got.content)
    assert callers["la"].get(path + "/deliveries").json()["code"] == "webhook_not_found"
    body = {"url": "https://psp.example/hooks"}
    expected_post = {"vn_viewer": 403, "outsider": 403, "anonymous": 401, "la": 201}
    for who, status in expected_post.items():
        assert callers[who].post("/webhooks", body).status_code == status, who
    # Deleting: only the owner; another participant's endpoint answers 404.
    for who, status in {"la": 404, "th": 404, "vn_viewer": 403, "anonymous": 401}.items():
        response = callers[who].client.delete(BASE + path, **callers[who].headers)
        assert response.status_code == status, who
    assert WebhookEndpoint.objects.get(pk=mine["id"]).active
    deleted = callers["vn"].client.delete(BASE + path, **callers["vn"].headers)
    assert deleted.status_code == 204
    assert callers["vn"].get("/webhooks").json() == []
    assert callers["vn"].get(path + "/deliveries").status_code == 404
    _pay(hub, callers)
    assert WebhookDelivery.objects.filter(endpoint_id=mine["id"]).count() == 0
    # Bad input: stable problem codes, never a 500.
    bad = {
        "http://psp.example/hooks": "webhook_url_invalid",
        "ftp://psp.example/hooks": "webhook_url_invalid",
        "https://user:pw@psp.example/": "webhook_url_invalid",
        "https:///nohost": "webhook_url_invalid",
        "https://psp.example:99999/": "webhook_url_invalid",
        "https://psp.example/a b": "webhook_url_invalid",
    }
    for url, code in bad.items():
        response = callers["vn"].post("/webhooks", {"url": url})
        assert response.status_code == 422, url
        assert response.json()["code"] == code, url
    wrong = callers["vn"].post("/webhooks", {"url": body["url"], "event_types": ["payment.x"]})
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "webhook_event_type_invalid"
    assert callers["vn"].get("/webhooks/not-a-uuid/deliveries").status_code == 422
    # Plain http to loopback is for development only.
    settings.PAYMENTS_WEBHOOKS_ALLOW_HTTP_LOOPBACK = False
    refused = callers["vn"].post("/webhooks", {"url": receiver.url})
    assert refused.json()["code"] == "webhook_url_invalid"


def test_concurrent_claims_send_each_delivery_once(world, receiver):
    hub, callers = world
    _register(callers["vn"], receiver.url)
    _pay(hub, callers)
    now = clock.now()
    first = webhooks._claim(10, now)
    second = webhooks._claim(10, now)  # a second deliverer at the same moment
    assert len(first) == 1
    assert second == []
    # Once the lease runs out (a deliverer died mid-send) the row is claimed again, once.
    later = now + webhooks.LEASE
    assert [r.pk for r in webhooks._claim(10, later)] == [first[0].pk]
    assert webhooks._claim(10, later) == []


def test_cli_delivers_once(world, receiver, capsys):
    import argparse

    hub, callers = world
    _register(callers["vn"], receiver.url)
    _pay(hub, callers)
    args = argparse.Namespace(once=True, limit=100, interval=2.0)
    assert cmd_webhooks_deliver(args) == 0
    assert "1 webhooks delivered" in capsys.readouterr().out
    assert cmd_webhooks_deliver(argparse.Namespace(once=True, limit=0, interval=1.0)) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_deliverers_send_each_delivery_once_on_postgres(receiver, monkeypatch):
    from collections import Counter

    monkeypatch.setenv("PAYMENTS_WEBHOOKS_LOOP", "off")  # only the three deliverers below

    from django.db import connection as main_connection

    from mekong.payments.tests.factories import make_hub

    hub = make_hub()
    endpoint = webhooks.endpoint_create(
        participant=hub.psps["VN"], url=receiver.url, event_types=[]
    )
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    for i in range(12):
        quote = facade.quote(wallet_id=hub.wallets["VN"].pk, payee=payee, amount=10_000 + i)
        facade.pay(quote_id=quote.id, idempotency_key=f"c{i}")
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 12
    barrier = threading.Barrier(3)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def deliverer() -> None:
        from django.db import connection

        try:
            barrier.wait(10)
            while True:
                got = webhooks.deliver_due(limit=2)
                if got == (0, 0):
                    break
                results.append(got)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliverer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert main_connection.vendor == "postgresql"
    sent = Counter(h["webhook-id"] for h, _b in receiver.requests)
    assert len(sent) == 12
    assert set(sent.values()) == {1}
    assert sum(ok for ok, _bad in results) == 12
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


@pytest.mark.django_db(transaction=True)
def test_the_server_loop_delivers_after_commit(receiver, monkeypatch):
    from mekong.payments.tests.factories import make_hub

    monkeypatch.setenv("PAYMENTS_WEBHOOKS_LOOP", "on")
    hub = make_hub()
    webhooks.endpoint_create(participant=hub.psps["LA"], url=receiver.url, event_types=[])
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    quote = facade.quote(wallet_id=hub.wallets["VN"].pk, payee=payee, amount=10_000)
    paid = facade.pay(quote_id=quote.id, idempotency_key="loop")  # commits: kicks the loop
    try:
        for _ in range(400):  # wait (up to 20 s on a busy machine) for the loop's round
            if WebhookDelivery.objects.filter(status="delivered").exists():
                break
            time.sleep(0.05)
    finally:
        webhooks.stop()
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts) == ("delivered", 1)
    assert [json.loads(b)["data"]["payment_id"] for _h, b in receiver.requests] == [str(paid.id)]


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[fd00::1]/hook",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
    ],
)
def test_addresses_inside_a_private_network_are_refused(settings: Any, url: str) -> None:
    settings.DEBUG = False
    settings.PAYMENTS_WEBHOOKS_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(WebhookUrlInvalid):
        webhooks.validate_url(url)


def test_a_name_is_checked_where_it_resolves_at_each_delivery(settings: Any) -> None:
    settings.DEBUG = False
    settings.PAYMENTS_WEBHOOKS_ALLOW_HTTP_LOOPBACK = False
    assert webhooks.validate_url("https://localhost/hook")  # a name: resolved when delivering
    assert not webhooks._host_allowed("localhost")  # 127.0.0.1 / ::1
    assert webhooks._host_allowed("8.8.8.8")
    assert not webhooks._host_allowed("no-such-host.invalid")
    settings.PAYMENTS_WEBHOOKS_ALLOW_HTTP_LOOPBACK = True
    assert webhooks._host_allowed("localhost")
