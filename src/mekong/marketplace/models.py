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
    origin_country = models.CharField(
        _("country of origin"), max_length=2, choices=country_choices()
    )
    source_language = models.CharField(_("source language"), max_length=2, choices=Language.choices)
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
