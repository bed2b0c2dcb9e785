"""The payments hub's records: participants, their ledger accounts, wallets, the proxy
directory, FX rates, quotes and payments.

Money itself lives in the ledger (`mekong.ledger.facade`): every balance here is a ledger
account id, never a number kept in this app. Amounts on quotes and payments are integer minor
units of the named ISO 4217 currency.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mekong.core import clock
from mekong.core.countries import country_choices
from mekong.identity.models import Organisation, User


class ParticipantKind(models.TextChoices):
    """What a participant does in the hub."""

    PSP = "psp", _("Payment service provider")
    FX_PROVIDER = "fx_provider", _("FX provider")
    HUB = "hub", _("Hub operator")


class Participant(models.Model):
    """A member of the hub: a bank or wallet (PSP), an FX provider, or the hub itself.

    Invariants: one live and at most one sandbox participant per organisation; a sandbox
    participant only ever touches sandbox accounts (``sandbox`` on `Position` and `Wallet`
    follows its participant). ``is_default`` marks the PSP where `wallet_open` opens wallets
    in its country (one per country and mode).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="payment_participants"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ParticipantKind.choices)
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("member code"), max_length=35, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=country_choices())
    currency = models.CharField(_("home currency"), max_length=3)
    bic = models.CharField(_("BIC"), max_length=11, blank=True, default="")
    #: National scheme ids that route QR payments to this PSP (VietQR BIN, Lao QR IIN...).
    scheme_ids = models.JSONField(_("scheme ids"), default=dict, blank=True)
    is_default = models.BooleanField(_("default PSP of its country"), default=False)
    sandbox = models.BooleanField(_("sandbox"), default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sandbox"], name="payments_participant_one_per_mode"
            ),
            models.UniqueConstraint(
                fields=["country", "sandbox"],
                condition=Q(is_default=True),
                name="payments_participant_one_default_psp",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PositionKind(models.TextChoices):
    """The role of a participant's ledger account in one currency."""

    #: Prefunded money at the hub; cannot go below zero (debits_must_not_exceed_credits).
    SETTLEMENT = "settlement", _("Settlement position")
    #: The PSP's own books, from which it credits and debits its customers' wallets.
    TREASURY = "treasury", _("Treasury")
    #: The hub's fee income.
    FEES = "fees", _("Fees")
    #: The hub's funding account: the counterpart of prefunding deposits (may go negative).
    FUNDING = "funding", _("Funding")


class Position(models.Model):
    """One ledger account of a participant in one currency, with its role.

    Invariants: at most one account per participant, currency and kind; ``sandbox`` equals the
    participant's.
    """

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="positions")
    kind = models.CharField(_("kind"), max_length=16, choices=PositionKind.choices)
    currency = models.CharField(_("currency"), max_length=3)
    ledger_account_id = models.BigIntegerField(unique=True)
    sandbox = models.BooleanField(default=False)

    class Meta:
        ordering = ["participant_id", "currency", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "currency", "kind"], name="payments_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.kind} {self.currency}"


class KycTier(models.IntegerChoices):
    """How well the holder of a wallet is identified; limits grow with the tier."""

    BASIC = 1, _("Basic (phone verified)")
    STANDARD = 2, _("Standard (identity document)")
    FULL = 3, _("Full (verified in person or business)")


class Wallet(models.Model):
    """An account of a person or an organisation held at a PSP, in the PSP's currency.

    The balance is the ledger account's (``debits_must_not_exceed_credits``: never below zero).
    ``holder_name`` is the real name, shown only masked to payers (confirmation of payee).
    """

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="wallets")
    owner_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    account_ref = models.CharField(_("account number"), max_length=34, unique=True)
    holder_name = models.CharField(_("holder name"), max_length=140)
    is_business = models.BooleanField(default=False)
    currency = models.CharField(_("currency"), max_length=3)
    kyc_tier = models.PositiveSmallIntegerField(
        _("KYC tier"), choices=KycTier.choices, default=KycTier.STANDARD
    )
    ledger_account_id = models.BigIntegerField(unique=True)
    sandbox = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "owner_organisation", "currency"],
                condition=Q(owner_user__isnull=True, owner_organisation__isnull=False),
                name="payments_wallet_one_per_org",
            ),
            models.UniqueConstraint(
                fields=["participant", "owner_user", "currency"],
                condition=Q(owner_user__isnull=False),
                name="payments_wallet_one_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.account_ref


class ProxyKind(models.TextChoices):
    """Aliases the directory resolves to an account."""

    PHONE = "phone", _("Phone number")
    NATIONAL_ID = "national_id", _("National id")
    BUSINESS_ID = "business_id", _("Business id")
    WALLET_ID = "wallet_id", _("Wallet id")
    QR_MERCHANT = "qr_merchant", _("QR merchant")


class ProxyEntry(models.Model):
    """One alias → one wallet (phone in E.164, ids as written, QR keys ``scheme:…``).

    Invariants: a (kind, value) pair names at most one wallet per mode (live or sandbox).
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ProxyKind.choices)
    value = models.CharField(_("value"), max_length=120)
    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="proxies")
    sandbox = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value", "sandbox"], name="payments_proxy_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class FxRate(models.Model):
    """A rate an FX provider publishes: 1 ``base`` = ``mid`` ``quote`` (major units).

    The provider sells ``quote`` for ``base`` at ``mid × (1 − spread_bps / 20,000)`` and the
    reverse at the inverse of ``mid × (1 + spread_bps / 20,000)``: half the spread each side.
    A rate applies in ``[valid_from, valid_until)``; the newest valid one wins.
    """

    provider = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="rates")
    base_currency = models.CharField(max_length=3)
    quote_currency = models.CharField(max_length=3)
    mid = models.DecimalField(max_digits=24, decimal_places=12)
    spread_bps = models.PositiveIntegerField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["base_currency", "quote_currency", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.base_currency}/{self.quote_currency} {self.mid}"


class Quote(models.Model):
    """A locked price for one payment from a wallet to a payee; usable once before it expires.

    ``rate`` is the customer rate applied (destination major units per source major unit),
    ``mid`` the market mid rate it is compared with for the total cost. ``source_amount`` is
    the principal converted; ``total_debit`` = ``source_amount`` + ``fee_amount``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="quotes")
    payee_wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="+")
    payee_proxy_kind = models.CharField(max_length=16, blank=True, default="")
    payee_proxy_value = models.CharField(max_length=120, blank=True, default="")
    fx_provider = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fixed = models.CharField(max_length=12, default="source")
    source_currency = models.CharField(max_length=3)
    source_amount = models.BigIntegerField()
    destination_currency = models.CharField(max_length=3)
    destination_amount = models.BigIntegerField()
    rate = models.CharField(max_length=40)
    mid = models.CharField(max_length=40)
    fee_amount = models.BigIntegerField()
    total_debit = models.BigIntegerField()
    is_refund = models.BooleanField(default=False)
    sandbox = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.id)


class PaymentStatus(models.TextChoices):
    """Where a payment stands."""

    COMPLETED = "completed", _("Completed")
    HELD = "held", _("Held for review")
    REFUSED = "refused", _("Refused")
    REJECTED = "rejected", _("Rejected by a reviewer")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    """One payment (or refund) through the hub, with its ledger transfers and evidence.

    Invariants: ``(wallet, idempotency_key)`` is unique, so a retried request finds the first
    payment instead of paying again; ``request_hash`` tells a retry from a different request
    under the same key. A ``completed`` payment's transfers are posted; a ``held`` one's are
    pending (reserved); ``rejected`` ones are voided; a ``refused`` payment moved nothing.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="payments")
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="payments")
    idempotency_key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    reference = models.CharField(max_length=140, blank=True, default="")
    status = models.CharField(max_length=12, choices=PaymentStatus.choices)
    refusal_code = models.CharField(max_length=40, null=True, blank=True)
    refusal_detail = models.CharField(max_length=40, blank=True, default="")
    sender_participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    receiver_participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="+"
    )
    transfer_ids = models.JSONField(default=list)
    screening_hits = models.JSONField(default=list, blank=True)
    refund_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    refunded_amount = models.BigIntegerField(default=0)
    receipt_index = models.BigIntegerField(null=True, blank=True)
    pacs008_xml = models.TextField(blank=True, default="")
    pacs002_xml = models.TextField(blank=True, default="")
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    sandbox = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["wallet", "idempotency_key"], name="payments_payment_idempotency"
            )
        ]
        indexes = [
            models.Index(fields=["wallet", "created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return str(self.id)


class WalletSpend(models.Model):
    """What a wallet spent on one day, the local day of its PSP's country: the total debit (fees
    included, in minor units of the wallet's currency) of its own payments that count against
    its KYC limits — completed, held or refunded; not refused or rejected payments, not refunds.

    Kept in the transaction that decides each payment (and lowered when a reviewer rejects a
    held one), so a limit check reads at most a month of daily rows instead of summing every
    payment of the month: a busy wallet's check would otherwise grow with its activity, inside
    the writer lock. Invariant: ``(wallet, day)`` is unique and equals that sum
    (`mekong.payments.spending`).
    """

    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wallet", "day"], name="payments_walletspend_day")
        ]

    def __str__(self) -> str:
        return f"{self.wallet_id} {self.day}: {self.total}"


class WatchlistEntry(models.Model):
    """A name the hub screens payments against (sanctions or fraud list), with its spellings.

    ``names`` holds every known spelling (Latin, Thai, Burmese...): matching compares search
    keys (case, diacritics, Zawgyi and spacing folded) fuzzily within each spelling, so listing
    a person's names in each script is how a match across scripts is made. Every write to
    this table, however made, gives the list a new `WatchlistVersion`.
    """

    names = models.JSONField(_("names"), default=list)
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "watchlist entries"

    def __str__(self) -> str:
        return ", ".join(self.names[:2])


class WatchlistVersion(models.Model):
    """The watchlist's version: one row whose random ``token`` database triggers replace on
    every insert, update or delete of `WatchlistEntry` rows (and on a truncate, on
    PostgreSQL), in the writing transaction (migration 0006).

    Each process keys its screening index on it (`mekong.payments.screening`). A trigger
    sees every write (the admin, ``QuerySet.update``, fixtures, raw SQL); the row lock orders
    concurrent writers and the new token is seen only once its change is committed, which a
    timestamp taken in Python at ``save()`` is not; and a rolled-back change never leaves a
    token behind that a later change could repeat, which a counter would. The token cannot
    be set to a chosen value either: every insert or update of the row draws a fresh one
    (migration 0007), so loading a fixture never brings an old token back. The row may be
    missing after a table flush on SQLite; the next write puts it back, and screening keeps
    no index built without it. A migration that alters `WatchlistEntry` rebuilds the table
    on SQLite, which drops its triggers: such a migration must create them again
    (`tests/test_screening.py` fails without them).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token


class WebhookEndpoint(models.Model):
    """A participant's URL that receives signed payment status events (Standard Webhooks).

    Invariants: ``url`` is https (http only to loopback where allowed: tests, DEBUG);
    ``secret`` (``whsec_`` + base64 key) is generated by the hub, returned once at creation and
    never read back through the API or the admin; ``event_types`` lists subscribed types (empty
    list: all). A deleted endpoint is deactivated, so its delivery history stays.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.CharField(max_length=500)
    secret = models.CharField(max_length=100)
    event_types = models.JSONField(default=list, blank=True)
    description = models.CharField(max_length=200, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["participant", "active"])]

    def __str__(self) -> str:
        return self.url


class WebhookDeliveryStatus(models.TextChoices):
    """Where a webhook delivery stands."""

    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row the deliverer sends until a 2xx or give-up.

    Created in the transaction that changed the payment, so a rolled-back payment leaves none.
    ``(endpoint, event_id)`` is unique; ``event_id`` is the ``webhook-id`` receivers dedupe on
    (delivery is at least once). ``next_attempt_at`` is also the claim lease of a deliverer.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10,
        choices=WebhookDeliveryStatus.choices,
        default=WebhookDeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="payments_webhookdelivery_once"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
