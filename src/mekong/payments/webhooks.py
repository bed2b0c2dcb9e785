"""Payment status webhooks: endpoints, an outbox of deliveries, Standard Webhooks signing.

A participant registers https endpoints (`endpoint_create`; the secret is returned once). Where
a payment's status changes (`mekong.payments.paying`), `enqueue` writes one `WebhookDelivery`
per active, subscribed endpoint of the sending and of the receiving participant, in that same
transaction: a rolled-back payment leaves no delivery, a committed one always has its rows.

`deliver_due` sends due deliveries (``mekong payments webhooks-deliver``) signed per
https://www.standardwebhooks.com/ (headers ``webhook-id``, ``webhook-timestamp``,
``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``). A 2xx answer
delivers; anything else (status, timeout, refused connection, redirect: none are followed) is
retried after 30 s, 2 min, 10 min, 1 h and 6 h, then the delivery is ``failed``. Delivery is at
least once: receivers dedupe on ``webhook-id``. A deliverer claims a row by moving its
``next_attempt_at`` forward by a lease with a compare-and-set update (rows locked with
``SKIP LOCKED`` where the database has it), so two deliverers never send one row at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction

from mekong.core import clock
from mekong.payments import fastreads
from mekong.payments.background import BackgroundLoop
from mekong.payments.errors import (
    WebhookEndpointNotFound,
    WebhookEventTypeInvalid,
    WebhookLimitReached,
    WebhookUrlInvalid,
)
from mekong.payments.models import (
    Participant,
    Payment,
    PaymentStatus,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)

log = logging.getLogger(__name__)

#: Event types a participant can subscribe to.
EVENT_TYPES = (
    "payment.completed",
    "payment.held",
    "payment.released",
    "payment.refused",
    "payment.rejected",
    "payment.refunded",
)
#: Waits before the 2nd, 3rd... attempt; after the last one fails the delivery is ``failed``.
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
#: How long a receiver may take to answer (seconds).
TIMEOUT = 5.0
#: A claimed row is not due again for this long (longer than any send can take).
LEASE = timedelta(seconds=60)
#: Endpoints a participant may have per mode.
MAX_ENDPOINTS = 10
_LOOPBACK_NAMES = frozenset({"localhost"})


# --- endpoints ---------------------------------------------------------------------------------
def _loopback_http_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "PAYMENTS_WEBHOOKS_ALLOW_HTTP_LOOPBACK", False))


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _public_or_allowed(address: str) -> bool:
    """Whether the hub may connect to ``address``: a public address, or loopback when allowed.

    Receivers are participants' servers on the internet; anything else (private ranges,
    link-local such as cloud metadata at 169.254.169.254, loopback) would let a participant
    make the hub call into its own network.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.is_loopback:
        return _loopback_http_allowed()
    return ip.is_global and not ip.is_multicast


def _host_allowed(host: str) -> bool:
    """Every address ``host`` resolves to is allowed (an IP literal is checked as it is)."""
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return False
        addresses = [str(info[4][0]) for info in infos]
    return bool(addresses) and all(_public_or_allowed(a) for a in addresses)


def validate_url(url: str) -> str:
    """The URL if receivers may be sent to it; raises `WebhookUrlInvalid` otherwise."""
    url = url.strip()
    if len(url) > 500 or any(c.isspace() or ord(c) < 32 for c in url):
        raise WebhookUrlInvalid()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise WebhookUrlInvalid() from None
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        raise WebhookUrlInvalid()
    try:
        if not _public_or_allowed(host):  # an IP literal inside a private network
            raise WebhookUrlInvalid()
    except ValueError:
        pass  # a name: checked when it is resolved, at every delivery
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and _is_loopback(host) and _loopback_http_allowed():
        return url
    raise WebhookUrlInvalid()


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def endpoint_create(
    *, participant: Participant, url: str, event_types: list[str], description: str = ""
) -> WebhookEndpoint:
    """Register an endpoint of ``participant`` (its secret is in the returned object only)."""
    url = validate_url(url)
    types = sorted(set(event_types))
    if any(t not in EVENT_TYPES for t in types):
        raise WebhookEventTypeInvalid()
    with transaction.atomic():
        active = WebhookEndpoint.objects.filter(participant=participant, active=True)
        if active.count() >= MAX_ENDPOINTS:
            raise WebhookLimitReached()
        return WebhookEndpoint.objects.create(
            participant=participant,
            url=url,
            secret=new_secret(),
            event_types=types,
            description=description,
        )


def endpoint_get_for(participant: Participant, endpoint_id: Any) -> WebhookEndpoint:
    """An active endpoint of ``participant``; any other is `WebhookEndpointNotFound`."""
    found = WebhookEndpoint.objects.filter(
        pk=endpoint_id, participant=participant, active=True
    ).first()
    if found is None:
        raise WebhookEndpointNotFound()
    return found


def endpoint_delete(endpoint: WebhookEndpoint) -> None:
    """Deactivate an endpoint: nothing new is queued for it, pending deliveries are dropped."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
        endpoint.deliveries.filter(status=WebhookDeliveryStatus.PENDING).update(
            status=WebhookDeliveryStatus.FAILED, last_error="endpoint deleted"
        )


# --- the outbox --------------------------------------------------------------------------------
def event_type_for(payment: Payment, *, reviewed: bool = False) -> str:
    """The webhook type of a payment's new status (``reviewed``: a reviewer's decision)."""
    if payment.refund_of_id is not None and payment.status == PaymentStatus.COMPLETED:
        return "payment.refunded"
    if payment.status == PaymentStatus.COMPLETED:
        return "payment.released" if reviewed else "payment.completed"
    return {
        PaymentStatus.HELD: "payment.held",
        PaymentStatus.REJECTED: "payment.rejected",
        PaymentStatus.REFUNDED: "payment.refunded",
    }.get(PaymentStatus(payment.status), "payment.refused")


def payload_for(payment: Payment, event_type: str, event_id: str, at: datetime) -> dict[str, Any]:
    """The JSON body: what GET /payments/{id} already shows the participant, no names."""
    q = payment.quote
    return {
        "id": event_id,
        "type": event_type,
        "created_at": at.isoformat().replace("+00:00", "Z"),
        "data": {
            "payment_id": str(payment.pk),
            "status": payment.status,
            "refusal_code": payment.refusal_code,
            "source_amount": q.source_amount,
            "source_currency": q.source_currency,
            "destination_amount": q.destination_amount,
            "destination_currency": q.destination_currency,
            "fee_amount": q.fee_amount,
            "refund_of": str(payment.refund_of_id) if payment.refund_of_id else None,
            "refunded_amount": payment.refunded_amount,
            "sandbox": payment.sandbox,
        },
    }


def enqueue(payment: Payment, *, reviewed: bool = False) -> int:
    """Queue the payment's status event for its sender's and receiver's endpoints.

    Call in the transaction that changed the status. Returns the number of deliveries queued.
    """
    return enqueue_many([payment], reviewed=reviewed)


def enqueue_many(payments: Sequence[Payment], *, reviewed: bool = False) -> int:
    """`enqueue` for payments decided together (one endpoint read, one insert)."""
    if not payments:
        return 0
    participants = {p.sender_participant_id for p in payments}
    participants |= {p.receiver_participant_id for p in payments}
    endpoints = fastreads.endpoints_of(sorted(participants))
    if not endpoints:
        return 0
    now = clock.now()
    rows = []
    for payment in payments:
        event_type = event_type_for(payment, reviewed=reviewed)
        event_uuid = uuid.uuid4()
        body = payload_for(payment, event_type, f"msg_{event_uuid.hex}", now)
        ends = (payment.sender_participant_id, payment.receiver_participant_id)
        rows += [
            WebhookDelivery(
                endpoint=e,
                event_id=event_uuid,
                event_type=event_type,
                payload=body,
                next_attempt_at=now,
                created_at=now,
            )
            for e in endpoints
            if e.participant_id in ends and (not e.event_types or event_type in e.event_types)
        ]
    WebhookDelivery.objects.bulk_create(rows)
    if rows:
        transaction.on_commit(kick)
    return len(rows)


# --- signing -----------------------------------------------------------------------------------
def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one message (Standard Webhooks ``v1``)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers: dict[str, str], body: bytes, *, tolerance: int = 300) -> bool:
    """Check a received webhook's signature and timestamp (what a receiver does; tests)."""
    msg_id = headers.get("webhook-id", "")
    try:
        ts = int(headers.get("webhook-timestamp", ""))
    except ValueError:
        return False
    if abs(clock.now().timestamp() - ts) > tolerance:
        return False
    expected = sign(secret, msg_id, ts, body).split(",", 1)[1]
    for part in headers.get("webhook-signature", "").split():
        version, _sep, value = part.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


# --- delivery ----------------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class Attempt:
    """What one send got: the HTTP status (None if no answer) and an error text."""

    status_code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def send(delivery: WebhookDelivery, *, timeout: float = TIMEOUT) -> Attempt:
    """POST one delivery to its endpoint, signed; never raises for network trouble."""
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    msg_id = f"msg_{delivery.event_id.hex}"
    ts = int(clock.now().timestamp())
    parts = urlsplit(endpoint.url)
    if parts.scheme not in ("https", "http"):
        return Attempt(None, "unsupported URL scheme")
    # Checked at each delivery, since DNS can change after the endpoint was registered. (A
    # name that changes between this check and the connection is not caught: a fully closed
    # door needs connecting to the checked address itself.)
    if not _host_allowed(parts.hostname or ""):
        return Attempt(None, "refused: the host is not a public internet address")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above and at creation
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "mekong-webhooks/1",
            "webhook-id": msg_id,
            "webhook-timestamp": str(ts),
            "webhook-signature": sign(endpoint.secret, msg_id, ts, body),
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(1024)
            return Attempt(response.status, "")
    except urllib.error.HTTPError as exc:
        return Attempt(exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Attempt(None, f"{type(exc).__name__}: {reason}"[:300])


def _claim(limit: int, now: datetime) -> list[WebhookDelivery]:
    due = WebhookDelivery.objects.filter(
        status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "id")
    claimed: list[WebhookDelivery] = []
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        for row in list(due[:limit]):
            # Compare-and-set: only the deliverer that moves the lease sends the row.
            won = WebhookDelivery.objects.filter(
                pk=row.pk,
                status=WebhookDeliveryStatus.PENDING,
                next_attempt_at=row.next_attempt_at,
            ).update(next_attempt_at=now + LEASE)
            if won:
                claimed.append(row)
    return claimed


def _record(delivery: WebhookDelivery, attempt: Attempt, now: datetime) -> None:
    attempts = delivery.attempts + 1
    updates: dict[str, Any] = {
        "attempts": attempts,
        "last_status_code": attempt.status_code,
        "last_error": attempt.error,
    }
    if attempt.ok:
        updates |= {"status": WebhookDeliveryStatus.DELIVERED, "delivered_at": now}
    elif attempts > len(BACKOFF):
        updates["status"] = WebhookDeliveryStatus.FAILED
    else:
        updates["next_attempt_at"] = now + BACKOFF[attempts - 1]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**updates)


def deliver_due(*, limit: int = 100, timeout: float = TIMEOUT) -> tuple[int, int]:
    """Send the deliveries due now (at most ``limit``); return (delivered, not delivered)."""
    now = clock.now()
    rows = _claim(limit, now)
    endpoints = {
        e.pk: e for e in WebhookEndpoint.objects.filter(pk__in={r.endpoint_id for r in rows})
    }
    ok = bad = 0
    for row in rows:
        row.endpoint = endpoints[row.endpoint_id]
        attempt = send(row, timeout=timeout)
        _record(row, attempt, clock.now())
        if attempt.ok:
            ok += 1
        else:
            bad += 1
            log.info("webhook %s to endpoint %s: %s", row.event_id, row.endpoint_id, attempt.error)
    return ok, bad


# --- the server's loop ---------------------------------------------------------------------------
#: The loop's longest sleep when nothing wakes it (retries fall due while it sleeps).
IDLE_WAIT = 5.0


def kick() -> None:
    """Deliveries were committed: wake this process's delivery loop (started on first use).
    Not with ``PAYMENTS_WEBHOOKS_LOOP=off`` (deliver with the CLI instead)."""
    if connection.in_atomic_block or not _loop.enabled():
        return
    _loop.kick()


def stop(timeout: float = 10.0) -> None:
    """Stop this process's loop (after its current round) and wait for it."""
    _loop.stop(timeout)


def _deliver_round(stopping: Callable[[], bool]) -> None:
    """One round of the loop: deliver due rows while full batches keep coming."""
    while not stopping() and sum(deliver_due(limit=100)) == 100:
        pass


_loop = BackgroundLoop(
    "payments-webhooks",
    _deliver_round,
    idle_wait=IDLE_WAIT,
    failure="delivering payment webhooks failed",
    off_switch="PAYMENTS_WEBHOOKS_LOOP",  # off: deliver with the CLI instead
)
