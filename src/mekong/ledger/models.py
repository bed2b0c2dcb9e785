"""Accounts, transfers and the resolution of pending transfers (TigerBeetle's data model).

Only the four balance columns of `Account` ever change; `Transfer` and `PendingResolution` rows
are written once and never updated or deleted (ORM guard and database triggers). Corrections are
new transfers. See docs/adr/0007-ledger-semantics.md.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mekong.core import clock
from mekong.core.currencies import currency_choices
from mekong.core.db import append_only
from mekong.core.models import AppendOnlyModel
from mekong.identity.models import Organisation

#: Largest value of a balance column or an amount: PostgreSQL's and SQLite's signed 64-bit integer.
AMOUNT_MAX = 2**63 - 1
#: Account and transfer codes are TigerBeetle's u16 business codes; 0 means "not set".
CODE_MAX = 65_535
USER_DATA_MAX = 128


class Account(models.Model):
    """A ledger account of one organisation in one currency, with its running totals.

    Invariants: ``currency``, ``code``, the owner and the flags never change after creation;
    only the four balance columns do, and only in the same transaction as the transfer rows that
    move them, while the account row is locked (``SELECT … FOR NO KEY UPDATE`` in ascending id
    order on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite). CHECK constraints refuse negative
    totals and any state beyond a flagged limit, so even a bug cannot commit an overdraft.
    Accounts are never deleted (transfers reference them with ``PROTECT``).
    """

    id = models.BigAutoField(primary_key=True)
    external_id = models.UUIDField(
        _("external id"),
        unique=True,
        default=uuid.uuid4,
        help_text=_("Ledger-wide unique key chosen by the creator; makes creation idempotent."),
    )
    # Indexed by (organisation, currency) below; a second index on the key alone would only
    # slow down writes.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=200, blank=True, default="")
    currency = models.CharField(_("currency"), max_length=3, choices=currency_choices())
    code = models.PositiveIntegerField(
        _("code"), validators=[MinValueValidator(1), MaxValueValidator(CODE_MAX)]
    )
    debits_must_not_exceed_credits = models.BooleanField(default=False)
    credits_must_not_exceed_debits = models.BooleanField(default=False)
    debits_pending = models.BigIntegerField(default=0)
    debits_posted = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    user_data = models.CharField(_("user data"), max_length=USER_DATA_MAX, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organisation", "currency"], name="ledger_acct_org_cur")]
        constraints = [
            models.CheckConstraint(
                condition=Q(debits_pending__gte=0)
                & Q(debits_posted__gte=0)
                & Q(credits_pending__gte=0)
                & Q(credits_posted__gte=0),
                name="ledger_account_totals_non_negative",
            ),
            models.CheckConstraint(
                condition=~Q(
                    debits_must_not_exceed_credits=True, credits_must_not_exceed_debits=True
                ),
                name="ledger_account_flags_exclusive",
            ),
            models.CheckConstraint(
                condition=Q(debits_must_not_exceed_credits=False)
                | Q(credits_posted__gte=F("debits_posted") + F("debits_pending")),
                name="ledger_account_debits_within_credits",
            ),
            models.CheckConstraint(
                condition=Q(credits_must_not_exceed_debits=False)
                | Q(debits_posted__gte=F("credits_posted") + F("credits_pending")),
                name="ledger_account_credits_within_debits",
            ),
            models.CheckConstraint(
                condition=Q(code__gte=1) & Q(code__lte=CODE_MAX), name="ledger_account_code_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or 'account'} #{self.pk} ({self.currency})"


class Transfer(AppendOnlyModel):
    """One immutable movement of ``amount`` minor units from a debit to a credit account.

    ``id`` is the client's 128-bit id: a transfer id is applied at most once (primary key), which
    makes retries idempotent. A *pending* transfer reserves the amount in the ``*_pending``
    columns until a later *post_pending* transfer posts all or part of it, a *void_pending*
    transfer releases it, or it expires (``expires_at``); each pending transfer resolves at most
    once (`PendingResolution`'s primary key and the partial unique index on ``pending_id``).
    Post and void rows store the accounts, currency and code of their pending transfer and the
    amount they posted or released.

    Invariants: append-only (triggers refuse UPDATE and DELETE); ``seq`` increases in the order
    transfers were applied to any one account, because it is allocated while the accounts are
    locked.
    """

    id = models.UUIDField(primary_key=True)
    seq = models.BigIntegerField(unique=True, editable=False)
    # No single-column indexes on the foreign keys: the (account, seq) indexes and the partial
    # unique index on pending_id serve every lookup, and each index costs every insert.
    debit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    credit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=currency_choices())
    code = models.PositiveIntegerField()
    pending = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_column="pending_id",
        db_index=False,
        help_text=_("For post and void transfers: the pending transfer they resolve."),
    )
    is_pending = models.BooleanField(default=False)
    post_pending = models.BooleanField(default=False)
    void_pending = models.BooleanField(default=False)
    linked = models.BooleanField(default=False)
    timeout = models.PositiveIntegerField(default=0, help_text=_("Seconds; pending only."))
    user_data = models.CharField(max_length=USER_DATA_MAX, blank=True, default="")
    timestamp = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = append_only.register("ledger_transfer")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["debit_account", "seq"], name="ledger_xfer_debit_seq"),
            models.Index(fields=["credit_account", "seq"], name="ledger_xfer_credit_seq"),
            models.Index(
                fields=["expires_at"],
                name="ledger_xfer_expiry",
                condition=Q(is_pending=True, expires_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="ledger_transfer_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(code__gte=1) & Q(code__lte=CODE_MAX), name="ledger_transfer_code_range"
            ),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")),
                name="ledger_transfer_accounts_differ",
            ),
            models.CheckConstraint(
                condition=Q(is_pending=False, post_pending=False, void_pending=False)
                | Q(is_pending=True, post_pending=False, void_pending=False)
                | Q(is_pending=False, post_pending=True, void_pending=False)
                | Q(is_pending=False, post_pending=False, void_pending=True),
                name="ledger_transfer_one_kind",
            ),
            models.CheckConstraint(
                condition=Q(pending__isnull=True, post_pending=False, void_pending=False)
                | Q(pending__isnull=False, post_pending=True)
                | Q(pending__isnull=False, void_pending=True),
                name="ledger_transfer_pending_id_iff_resolving",
            ),
            # A pending transfer is posted or voided at most once, whatever the code does.
            models.UniqueConstraint(
                fields=["pending"],
                condition=Q(pending__isnull=False),
                name="ledger_transfer_resolves_once",
            ),
        ]

    def __str__(self) -> str:
        return f"transfer {self.id} {self.amount} {self.currency}"

    @property
    def kind(self) -> str:
        """``single``, ``pending``, ``post_pending`` or ``void_pending``."""
        if self.is_pending:
            return "pending"
        if self.post_pending:
            return "post_pending"
        if self.void_pending:
            return "void_pending"
        return "single"


class ResolutionStatus(models.TextChoices):
    """How a pending transfer ended."""

    POSTED = "posted", _("Posted")
    VOIDED = "voided", _("Voided")
    EXPIRED = "expired", _("Expired")


class PendingResolution(AppendOnlyModel):
    """The end of a pending transfer: posted, voided or expired; at most one per pending transfer.

    The primary key is the pending transfer, so a second resolution is refused by the database.
    ``resolved_by`` is the post or void transfer (empty for an expiry); ``amount_posted`` is what
    moved to the posted columns (0 for void and expiry); the rest of the pending amount was
    released. A pending transfer with no row here is still pending (or expired and not yet swept
    by `services.pending_expire`).

    Invariants: append-only (triggers); written in the same transaction as the balance change.
    """

    pending = models.OneToOneField(
        Transfer, primary_key=True, on_delete=models.PROTECT, related_name="resolution"
    )
    status = models.CharField(max_length=8, choices=ResolutionStatus.choices)
    resolved_by = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount_posted = models.BigIntegerField(default=0)
    timestamp = models.DateTimeField()

    class Meta:
        db_table = append_only.register("ledger_pendingresolution")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_posted__gte=0), name="ledger_resolution_amount_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pending_id} {self.status}"
