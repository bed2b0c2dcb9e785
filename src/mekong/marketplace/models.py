"""Sellers, products, their translations and the search index rows.

The search index (:class:`SearchEntry`) holds one row per translation with the folded
(``search_key``) and exact (``exact_key``) forms of its title and description. On SQLite an FTS5
``trigram`` table mirrors the folded columns through triggers; on PostgreSQL GIN ``gin_trgm_ops``
indexes cover them (migration 0002, vendor-checked).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mekong.core.countries import country_choices
from mekong.core.money import Money

LANGUAGES: tuple[str, ...] = ("en", "th", "vi", "km", "lo", "my")


class Language(models.TextChoices):
    """The six catalogue languages (content, not UI: user text uses translation rows)."""

    EN = "en", "English"
    TH = "th", "ไทย"
    VI = "vi", "Tiếng Việt"
    KM = "km", "ខ្មែរ"
    LO = "lo", "ລາວ"
    MY = "my", "မြန်မာ"


class Verification(models.TextChoices):
    """Where a seller is in the operator's verification."""

    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Category(models.TextChoices):
    """Catalogue categories; each maps to an HS 2022 heading used as the product default."""

    COFFEE = "coffee", _("Coffee")
    TEA = "tea", _("Tea")
    SPICES = "spices", _("Spices")
    RICE = "rice", _("Rice")
    TEXTILES = "textiles", _("Silk and textiles")
    HANDICRAFTS = "handicrafts", _("Handicrafts")
    FOOD = "food", _("Food")


# Default HS 2022 heading per category (the seller may give a more precise subheading).
CATEGORY_HS: dict[str, str] = {
    "coffee": "0901",
    "tea": "0902",
    "spices": "0904",
    "rice": "1006",
    "textiles": "5007",
    "handicrafts": "4602",
    "food": "2103",
}


class Seller(models.Model):
    """An SME organisation's storefront.

    Invariants: one seller per organisation; ``country`` is the organisation's country and fixes
    the currency of every product price.
    """

    organisation = models.OneToOneField(
        "identity.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=country_choices())
    verification = models.CharField(
        _("verification"),
        max_length=16,
        choices=Verification.choices,
        default=Verification.PENDING,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        """True once an operator has verified the seller."""
        return self.verification == Verification.VERIFIED


class Product(models.Model):
    """A product listed by a seller, priced in the seller's currency.

    Invariants: ``currency`` is the seller country's currency; a translation in
    ``source_language`` exists (it is the fallback for every other language).
    """

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="products")
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    hs_code = models.CharField(_("HS code"), max_length=12)
    price_minor = models.BigIntegerField(_("price (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    weight_grams = models.PositiveIntegerField(_("weight (grams)"), default=0)
    origin_country = models.CharField(
        _("country of origin"), max_length=2, choices=country_choices()
    )
    source_language = models.CharField(_("source language"), max_length=2, choices=Language.choices)
    min_order_quantity = models.PositiveIntegerField(_("minimum order quantity"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        indexes = [models.Index(fields=["category"], name="mkt_product_category")]

    def __str__(self) -> str:
        return self.slug

    @property
    def price(self) -> Money:
        """The price as :class:`Money` in the seller's currency."""
        return Money(self.price_minor, self.currency)


class ProductImage(models.Model):
    """An uploaded product photo, validated and re-encoded, with its thumbnails.

    ``original`` is the re-encoded upload (metadata stripped); ``thumb_small`` and
    ``thumb_large`` are derived from it. ``sha256`` is of the re-encoded bytes, so the same
    photo uploaded twice to one product is stored once.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    original = models.FileField(_("image"), upload_to="marketplace/products/", max_length=200)
    thumb_small = models.FileField(upload_to="marketplace/thumbs/", max_length=200)
    thumb_large = models.FileField(upload_to="marketplace/thumbs/", max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    content_type = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    alt_text = models.CharField(_("description of the image"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "sha256"], name="mkt_image_once"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}:image:{self.position}"


class ProductVariant(models.Model):
    """A buyable variant of a product (size, roast, colour ...) with its own stock.

    ``price_minor`` is null when the variant costs the product's price; ``attributes`` maps
    an attribute name to a value, e.g. ``{"weight": "500 g", "roast": "dark"}``.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=64)
    attributes = models.JSONField(_("attributes"), default=dict)
    price_minor = models.BigIntegerField(_("price (minor units)"), null=True, blank=True)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    weight_grams = models.PositiveIntegerField(_("weight (grams)"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "sku"], name="mkt_variant_sku_once"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}:{self.sku}"


class PriceTier(models.Model):
    """A business-buyer price break: from ``min_quantity`` units on, each costs
    ``unit_price_minor`` (in the product's currency)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_tiers")
    min_quantity = models.PositiveIntegerField(_("from quantity"))
    unit_price_minor = models.BigIntegerField(_("unit price (minor units)"))

    class Meta:
        ordering = ["min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "min_quantity"], name="mkt_tier_quantity_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}:≥{self.min_quantity}@{self.unit_price_minor}"


class ProductTranslation(models.Model):
    """Title and description of a product in one language (normalised before storage)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "language"], name="mkt_translation_once")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.language}"


class SearchEntry(models.Model):
    """The search keys of one translation: folded for recall, exact for ranking.

    Written only by ``services`` together with the translation; never edited by hand. The FTS5
    mirror on SQLite is kept in step by triggers (migration 0002).
    """

    translation = models.OneToOneField(
        ProductTranslation, on_delete=models.CASCADE, related_name="search_entry"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    title_folded = models.TextField()
    description_folded = models.TextField()
    title_exact = models.TextField()
    description_exact = models.TextField()

    def __str__(self) -> str:
        return f"search:{self.translation_id}"


# --- buying: shipping, cart, checkout, orders ------------------------------------------------


class ShippingOption(models.Model):
    """A seller's delivery offer to one destination country, priced in the seller's currency.

    Invariants: ``cost_minor`` ≥ 0 in the seller's currency; one option per (seller, destination,
    name).
    """

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="shipping_options")
    destination_country = models.CharField(
        _("destination country"), max_length=2, choices=country_choices()
    )
    name = models.CharField(_("name"), max_length=80)
    cost_minor = models.BigIntegerField(_("cost (minor units)"))
    days = models.PositiveSmallIntegerField(_("delivery days"), default=7)

    class Meta:
        ordering = ["seller_id", "destination_country", "cost_minor", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "destination_country", "name"], name="mkt_shipping_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}→{self.destination_country}:{self.name}"


class CartLine(models.Model):
    """One product in a buyer's cart (a logged-in user acting for an organisation)."""

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        # A NULL variant never collides in a plain unique constraint, hence two partial ones.
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"],
                condition=models.Q(variant__isnull=True),
                name="mkt_cart_once",
            ),
            models.UniqueConstraint(
                fields=["user", "variant"],
                condition=models.Q(variant__isnull=False),
                name="mkt_cart_variant_once",
            ),
        ]

    def __str__(self) -> str:
        return f"cart:{self.user_id}:{self.product_id}×{self.quantity}"


class MarketplaceOperator(models.Model):
    """The organisation that runs the marketplace: receives buyers' payments, holds escrow.

    A single row (pk 1). ``commission_bps`` is the commission rate copied onto each order when it
    is placed (a frozen snapshot: later changes never touch existing orders).
    """

    organisation_id = models.BigIntegerField()
    commission_bps = models.PositiveIntegerField(default=500)
    release_days = models.PositiveIntegerField(default=14)

    def __str__(self) -> str:
        return f"operator:{self.organisation_id}"


class Checkout(models.Model):
    """One submitted cart: the idempotency anchor of a buyer's payment for N seller orders.

    Invariants: ``idempotency_key`` is unique per buyer user; submitting the same key twice
    returns the same checkout and pays nothing twice.
    """

    id = models.UUIDField(primary_key=True)
    idempotency_key = models.CharField(max_length=80)
    buyer_user = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    buyer_organisation_id = models.BigIntegerField()
    wallet_id = models.BigIntegerField()
    destination_country = models.CharField(max_length=2, choices=country_choices())
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["buyer_user", "idempotency_key"], name="mkt_checkout_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"checkout:{self.pk}"


class OrderStatus(models.TextChoices):
    """Where an order stands (docs/modules/marketplace.md has the state diagram)."""

    PLACED = "placed", _("Placed")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")
    DISPUTED = "disputed", _("Disputed")


class Order(models.Model):
    """What one buyer bought from one seller in one checkout, in the seller's currency.

    Invariants: ``total_minor`` = ``goods_minor`` + ``shipping_minor``; ``commission_minor`` is
    fixed when the order is placed; the order reaches ``paid`` only with a completed payment and
    a pending escrow transfer (``escrow_transfer_id``); ``completed`` only after that transfer
    was posted; ``cancelled``/``refunded`` after a paid order only after it was voided.
    """

    id = models.UUIDField(primary_key=True)
    number = models.CharField(max_length=20, unique=True)
    checkout = models.ForeignKey(Checkout, on_delete=models.PROTECT, related_name="orders")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="orders")
    buyer_user = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    buyer_organisation_id = models.BigIntegerField(db_index=True)
    buyer_country = models.CharField(max_length=2, choices=country_choices())
    destination_country = models.CharField(max_length=2, choices=country_choices())
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    currency = models.CharField(max_length=3)
    goods_minor = models.BigIntegerField()
    shipping_minor = models.BigIntegerField()
    total_minor = models.BigIntegerField()
    commission_bps = models.PositiveIntegerField()
    commission_minor = models.BigIntegerField()
    shipping_name = models.CharField(max_length=80)
    payer_currency = models.CharField(max_length=3, blank=True)
    payer_amount_minor = models.BigIntegerField(null=True, blank=True)
    quote_id = models.UUIDField(null=True, blank=True)
    payment_id = models.UUIDField(null=True, blank=True, db_index=True)
    refusal_code = models.CharField(max_length=64, blank=True)
    escrow_transfer_id = models.UUIDField(null=True, blank=True)
    refunded_minor = models.BigIntegerField(default=0)
    carrier = models.CharField(_("carrier"), max_length=80, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)
    customs_document_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    release_due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "number"]
        indexes = [
            models.Index(fields=["seller", "status"], name="mkt_order_seller_status"),
            # A reviewer's decision on a held payment finds its order by the payment's quote
            # (stored before paying: `ordering.orders_payment_update`).
            models.Index(fields=["quote_id"], name="mkt_order_quote"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Money:
        """What the buyer pays for this order, in the seller's currency."""
        return Money(self.total_minor, self.currency)

    @property
    def seller_amount(self) -> Money:
        """What the seller receives on release: the total minus the commission."""
        return Money(self.total_minor - self.commission_minor, self.currency)


class OrderLine(models.Model):
    """A product line of an order; title and unit price are copied at checkout."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=300)
    variant_label = models.CharField(max_length=200, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price_minor = models.BigIntegerField()
    hs_code = models.CharField(max_length=12)
    origin_country = models.CharField(max_length=2)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.product_id}×{self.quantity}"


# --- disputes, onboarding, reviews, requests for quotation -----------------------------------


class Dispute(models.Model):
    """A buyer's complaint about a shipped order, decided by an operator.

    Invariants: one per order; while open the order is ``disputed`` and its escrow can be
    neither released by the window nor cancelled; ``refund_minor`` (seller currency) is set
    once, by the decision, and 0 ≤ it ≤ the order total.
    """

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="dispute")
    evidence = models.TextField(_("evidence"))
    seller_response = models.TextField(_("seller's response"), blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    refund_minor = models.BigIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_user_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"dispute:{self.order_id}"

    @property
    def is_open(self) -> bool:
        """True until an operator decides."""
        return self.decided_at is None


class SellerApplication(models.Model):
    """An SME's application to sell: registration number, documents, payout wallet.

    Invariants: the registration number passed `registration.is_valid` for the organisation's
    country; the payout wallet is one of the organisation's own wallets in its currency.
    """

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="application")
    registration_number = models.CharField(_("business registration number"), max_length=40)
    payout_wallet_id = models.BigIntegerField()
    note = models.TextField(_("note"), blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"application:{self.seller_id}"


class SellerDocument(models.Model):
    """A document attached to an application (PDF, PNG or JPEG, checked by content, ≤ 2 MB)."""

    application = models.ForeignKey(
        SellerApplication, on_delete=models.CASCADE, related_name="documents"
    )
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """A rating and review of a completed order (verified purchase only), one per order.

    ``hidden`` is set by an operator after an abuse report.
    """

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="review")
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), blank=True)
    seller_reply = models.TextField(_("seller's reply"), blank=True)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="mkt_review_rating_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"review:{self.order_id}"


class ReviewReport(models.Model):
    """Somebody reported a review as abusive (one report per user and review)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    reporter_user_id = models.BigIntegerField()
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reporter_user_id"], name="mkt_review_report_once"
            )
        ]

    def __str__(self) -> str:
        return f"report:{self.review_id}"


class Rfq(models.Model):
    """A business buyer's request for quotation: what, how much, where to."""

    buyer_organisation_id = models.BigIntegerField(db_index=True)
    buyer_user_id = models.BigIntegerField()
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=20, default="kg")
    destination_country = models.CharField(max_length=2, choices=country_choices())
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class RfqOffer(models.Model):
    """A seller's answer to a request for quotation, in the seller's currency (one per seller)."""

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="offers")
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="rfq_offers")
    unit_price_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_price_minor", "pk"]
        constraints = [models.UniqueConstraint(fields=["rfq", "seller"], name="mkt_rfq_offer_once")]

    def __str__(self) -> str:
        return f"offer:{self.rfq_id}:{self.seller_id}"

    @property
    def unit_price(self) -> Money:
        """The offered unit price."""
        return Money(self.unit_price_minor, self.currency)
