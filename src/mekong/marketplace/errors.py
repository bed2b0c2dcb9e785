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
