"""Payments errors with stable codes (problem+json in the API; clients switch on ``code``).

Refusals that happen after a payment was recorded (``insufficient_liquidity``,
``insufficient_funds``, ``limit_exceeded``) carry ``extra["payment_id"]``: the refused
payment can be read back, and retrying the same request answers the same refusal.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mekong.core.errors import Conflict, DomainError, NotFound, ValidationFailed


class PayeeNotFound(NotFound):
    """No account is registered under this proxy, QR code or account."""

    code = "payee_not_found"
    title = _("No payee is registered under this identifier.")


class ProxyInvalid(ValidationFailed):
    """The proxy value is malformed for its kind (e.g. a phone number without country code)."""

    code = "proxy_invalid"
    title = _("This identifier is not valid for its kind.")


class QrInvalid(ValidationFailed):
    """The QR payload does not decode, or names no payee the hub can route to."""

    code = "qr_invalid"
    title = _("This QR code is not a valid payment code.")


class CurrencyNotSupported(ValidationFailed):
    """No FX provider quotes this pair, or the currency is unknown to the hub."""

    code = "currency_not_supported"
    title = _("This currency or currency pair is not supported.")


class InvalidAmount(ValidationFailed):
    """The amount is not a positive integer of minor units, or converts to nothing."""

    code = "invalid_amount"
    title = _("The amount is not valid.")


class InvalidIdempotencyKey(ValidationFailed):
    """The idempotency key is missing, longer than 200 characters or not printable."""

    code = "invalid_idempotency_key"
    title = _("The idempotency key must be 1-200 printable characters.")


class InvalidPeriod(ValidationFailed):
    """A settlement period that does not end after it starts."""

    code = "invalid_period"
    title = _("The period must end after it starts.")


class QuoteNotFound(NotFound):
    """No such quote (or it belongs to another participant's customer)."""

    code = "quote_not_found"
    title = _("Quote not found.")


class QuoteExpired(Conflict):
    """The quote's lock window has passed; ask for a new quote."""

    code = "quote_expired"
    title = _("The quote has expired. Ask for a new one.")


class QuoteUsed(Conflict):
    """The quote was already used by another payment."""

    code = "quote_used"
    title = _("The quote has already been used.")


class PaymentNotFound(NotFound):
    """No such payment, or the caller may not see it (the same answer, on purpose)."""

    code = "payment_not_found"
    title = _("Payment not found.")


class WalletNotFound(NotFound):
    """No such wallet, or the caller may not use it."""

    code = "wallet_not_found"
    title = _("Wallet not found.")


class InsufficientLiquidity(Conflict):
    """A settlement position (a PSP's or an FX provider's) cannot cover the payment."""

    code = "insufficient_liquidity"
    title = _("A settlement position cannot cover this payment. Nothing was moved.")


class InsufficientFunds(Conflict):
    """The sender's wallet (or, for a refund, the payee's) does not hold enough."""

    code = "insufficient_funds"
    title = _("The wallet does not hold enough for this payment.")


class LimitExceeded(Conflict):
    """The payment is above the wallet's per-payment, daily or monthly limit."""

    code = "limit_exceeded"
    title = _("This payment is above the wallet's %(period)s limit.")


class Screened(DomainError):
    """Screening matched the payee: the payment is held for a reviewer (status ``held``)."""

    code = "screened"
    http_status = 202
    title = _("The payment is held for review.")


class IdempotencyConflict(Conflict):
    """The idempotency key was used before for a different request."""

    code = "idempotency_conflict"
    title = _("This idempotency key was already used for a different request.")


class NotReviewable(Conflict):
    """Only a held payment can be released or rejected."""

    code = "payment_not_held"
    title = _("Only a held payment can be released or rejected.")


class RefundNotAllowed(Conflict):
    """The payment cannot be refunded (not completed, or the amount is above what is left)."""

    code = "refund_not_allowed"
    title = _("This payment cannot be refunded by this amount.")


class NotAParticipant(DomainError):
    """The calling organisation is not a participant of the hub (in this mode)."""

    code = "not_a_participant"
    http_status = 403
    title = _("Your organisation is not a participant of the payments hub.")


class WebhookUrlInvalid(ValidationFailed):
    """The URL is not https (http only to loopback in development), or has no host."""

    code = "webhook_url_invalid"
    title = _("The webhook URL must be an https URL with a host.")


class WebhookEventTypeInvalid(ValidationFailed):
    """An event type that does not exist."""

    code = "webhook_event_type_invalid"
    title = _("Unknown webhook event type.")


class WebhookLimitReached(ValidationFailed):
    """The participant already has the maximum number of active endpoints."""

    code = "webhook_limit_reached"
    title = _("Too many webhook endpoints.")


class WebhookEndpointNotFound(NotFound):
    """No such endpoint of the caller's participant (another's answers the same)."""

    code = "webhook_not_found"
    title = _("No such webhook endpoint.")


class HubBusy(DomainError):
    """The payment could not get its locks in time (a stuck or very long transaction ahead
    of it). Nothing was applied; the same request may be retried safely."""

    code = "hub_busy"
    http_status = 503
    title = _(
        "The hub is busy. Nothing was paid: retry the same request with the same Idempotency-Key."
    )
