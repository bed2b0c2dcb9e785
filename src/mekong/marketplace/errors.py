"""Domain errors of the marketplace (stable codes; the API renders them as problem+json)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mekong.core.errors import DomainError


class NotAnSme(DomainError):
    """Only active SME organisations may open a storefront."""

    code = "marketplace_not_an_sme"
    http_status = 422
    title = _("Only an SME organisation can sell on the marketplace.")


class SellerExists(DomainError):
    """The organisation already has a seller profile."""

    code = "marketplace_seller_exists"
    http_status = 409
    title = _("This organisation already has a storefront.")


class InvalidProduct(DomainError):
    """A product field is out of range or the source-language translation is missing."""

    code = "marketplace_invalid_product"
    http_status = 422
    title = _("The product is not valid.")


class CartEmpty(DomainError):
    """Checkout of an empty cart."""

    code = "marketplace_cart_empty"
    http_status = 422
    title = _("Your cart is empty.")


class InvalidQuantity(DomainError):
    """A quantity below one, above the stock or above the limit."""

    code = "marketplace_invalid_quantity"
    http_status = 422
    title = _("That quantity is not available.")


class OutOfStock(DomainError):
    """Not enough stock left for a cart line at checkout."""

    code = "marketplace_out_of_stock"
    http_status = 409
    title = _("A product in your cart is no longer in stock in that quantity.")


class NoShipping(DomainError):
    """The seller does not ship to the destination country (or the option is unknown)."""

    code = "marketplace_no_shipping"
    http_status = 422
    title = _("The seller does not ship to that country.")


class WalletNotYours(DomainError):
    """The chosen wallet does not belong to the buyer."""

    code = "marketplace_wallet_not_yours"
    http_status = 422
    title = _("Choose one of your own wallets.")


class NotConfigured(DomainError):
    """No marketplace operator is configured, so nobody can receive payments."""

    code = "marketplace_not_configured"
    http_status = 503
    title = _("Checkout is not available: the marketplace operator is not configured.")


class OrderNotFound(DomainError):
    """No such order for this actor (another organisation's order looks the same)."""

    code = "marketplace_order_not_found"
    http_status = 404
    title = _("Order not found.")


class InvalidTransition(DomainError):
    """The order is not in a state that allows this action."""

    code = "marketplace_invalid_transition"
    http_status = 409
    title = _("The order cannot do that in its current state.")


class PaymentUnderReview(DomainError):
    """The order's payment is held by the payments hub for a reviewer (or released and not yet
    recorded on the order): cancelling now would leave the money to arrive for no order."""

    code = "marketplace_payment_under_review"
    http_status = 409
    title = _(
        "The payment for this order is being reviewed. The order can be cancelled once it is "
        "decided."
    )


class EscrowFailed(DomainError):
    """The ledger refused an escrow movement (the funds were already released or voided)."""

    code = "marketplace_escrow_failed"
    http_status = 409
    title = _("The escrowed funds could not be moved.")


class InvalidInput(DomainError):
    """A form or API field is missing or malformed."""

    code = "marketplace_invalid_input"
    http_status = 422
    title = _("Some fields are missing or not valid.")


class InvalidRegistrationNumber(DomainError):
    """The business registration number does not have its country's format."""

    code = "marketplace_invalid_registration_number"
    http_status = 422
    title = _("This is not a valid business registration number for %(country)s.")


class BelowMinimumOrder(DomainError):
    """The product's quantity in the cart or order is below its minimum order quantity.

    ``params``: ``product`` (slug) and ``minimum`` (the product's minimum order quantity).
    """

    code = "marketplace_below_minimum_order"
    http_status = 422
    title = _("The minimum order for this product is %(minimum)s units.")


class InsufficientStock(DomainError):
    """A cart quantity above the stock of the product or of the chosen variant.

    ``params``: ``available`` (units in stock now).
    """

    code = "marketplace_insufficient_stock"
    http_status = 422
    title = _("Only %(available)s units are in stock.")


class VariantRequired(DomainError):
    """The product has variants and none was chosen."""

    code = "marketplace_variant_required"
    http_status = 422
    title = _("Choose a variant of this product.")


class UnknownVariant(DomainError):
    """The variant does not exist, or belongs to another product (or the product has none)."""

    code = "marketplace_unknown_variant"
    http_status = 422
    title = _("That variant is not available for this product.")


class PriceChanged(DomainError):
    """The cart's amounts changed since the buyer saw them (a price or tier was edited)."""

    code = "marketplace_price_changed"
    http_status = 409
    title = _("Prices in your cart have changed: check the new amounts and pay again.")
