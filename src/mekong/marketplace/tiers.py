"""Unit prices for business buyers: variant prices, tiered prices and minimum order quantities.

The pricing rule, in one place for the cart, checkout, the product page and the API:

1. A line's **base unit price** is its variant's price when the variant has one, else the
   product's price (`Product.price_minor`), in the seller's currency.
2. **Tiers** (`PriceTier`) belong to the product and count the product's **total quantity in
   the order**: every variant of it together (an order is one seller's, so this is also the
   product's quantity in that seller's part of the cart). 30 × 250 g and 30 × 1 kg of one coffee
   reach the "50+" tier: business buyers order an assortment of one product and expect the
   volume price for the lot, as on a wholesale price list.
3. The **tier unit price** is the lowest price among the tiers reached (``min_quantity`` ≤ the
   product's quantity). For a line at the product price it replaces that price; a variant with
   its own price gets the same reduction in proportion (variant price × tier price / product
   price, rounded half up to the minor unit). A tier never raises a price: the unit price is
   at most the base price. Taking the lowest reached tier (not merely the largest threshold)
   keeps the unit price non-increasing in quantity even if a seller entered tiers out of order.
4. **Line total** = unit price × line quantity, in integer minor units. A larger quantity can
   cost less in total than a smaller one just below a tier (9 × 100 = 900 > 10 × 80 = 800):
   that is what a price break is.
5. The **minimum order quantity** (`Product.min_order_quantity`) counts the same product total;
   each line is also bounded by the stock of its variant, or of the product when it has none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mekong.core.money import Money
from mekong.marketplace.models import PriceTier, Product, ProductVariant


@dataclass(frozen=True, slots=True)
class Tier:
    """A price break: from ``min_quantity`` units of the product on, ``unit_price_minor`` each
    (the price of a unit at the product price; see the module docstring for variants)."""

    min_quantity: int
    unit_price_minor: int


def tiers_from(rows: Iterable[PriceTier]) -> list[Tier]:
    """Tier values from model rows, by ascending ``min_quantity``."""
    return sorted(
        (Tier(r.min_quantity, r.unit_price_minor) for r in rows), key=lambda t: t.min_quantity
    )


def _scaled(base_minor: int, tier_minor: int, product_minor: int) -> int:
    """``base × tier / product`` rounded half up (all non-negative integers)."""
    return (2 * base_minor * tier_minor + product_minor) // (2 * product_minor)


def unit_price_minor(
    *,
    product_price_minor: int,
    variant_price_minor: int | None,
    tiers: Sequence[Tier],
    product_quantity: int,
) -> int:
    """The unit price of a line (rule in the module docstring), in minor units.

    ``product_quantity`` is the product's total quantity in the order (all variants).
    """
    base = product_price_minor if variant_price_minor is None else variant_price_minor
    reached = [t.unit_price_minor for t in tiers if t.min_quantity <= product_quantity]
    if not reached or product_price_minor <= 0:
        return base
    tier_minor = max(0, min(reached))
    if variant_price_minor is None:
        return min(base, tier_minor)
    return min(base, _scaled(base, tier_minor, product_price_minor))


def next_tier(tiers: Sequence[Tier], product_quantity: int) -> Tier | None:
    """The first tier above ``product_quantity`` (the "buy N+ for X each" hint), if any."""
    return next((t for t in tiers if t.min_quantity > product_quantity), None)


def variant_label(variant: ProductVariant) -> str:
    """A variant's label for pages and order lines: its attribute values in the order of their
    names (``dark · 250 g`` for roast and size), or its SKU when it has none. Sorted because
    PostgreSQL's jsonb does not keep key order; names and values are the seller's text."""
    attributes = variant.attributes if isinstance(variant.attributes, dict) else {}
    values = [str(attributes[k]).strip() for k in sorted(attributes) if str(attributes[k]).strip()]
    return (" · ".join(values) or variant.sku)[:200]


@dataclass(frozen=True, slots=True)
class VariantOption:
    """A variant as a buyer chooses it: label, base price, stock and weight."""

    sku: str
    label: str
    attributes: dict[str, str]
    price: Money
    has_own_price: bool
    stock: int
    weight_grams: int


@dataclass(frozen=True, slots=True)
class TierOption:
    """A tier as the product page and API show it: from how many units, at what unit price."""

    min_quantity: int
    unit_price: Money


@dataclass(frozen=True, slots=True)
class PurchaseOptions:
    """What a buyer can choose for one product: variants, tiers, minimum order quantity."""

    product_id: int
    slug: str
    price: Money
    stock: int
    min_order_quantity: int
    variants: list[VariantOption] = field(default_factory=list)
    tiers: list[TierOption] = field(default_factory=list)

    @property
    def available(self) -> int:
        """Units that can be bought now: the product's stock, or its variants' stock together."""
        if self.variants:
            return sum(v.stock for v in self.variants)
        return self.stock

    @property
    def max_line_quantity(self) -> int:
        """The most one cart line can hold (the largest variant stock, or the product stock)."""
        if self.variants:
            return max(v.stock for v in self.variants)
        return self.stock

    @property
    def form_minimum(self) -> int:
        """The product page's quantity floor: the minimum order, unless no single line can
        reach it (then the minimum is met with several variants' lines, checked by the cart)."""
        return max(1, min(self.min_order_quantity, self.max_line_quantity))

    @property
    def buyable(self) -> bool:
        """True when the minimum order quantity can be met from the stock of one line or more."""
        return self.available >= max(1, self.min_order_quantity)

    @property
    def variants_priced_apart(self) -> bool:
        """True when some variant has its own price (the tier table then shows the reduction
        for the product price; those variants get it in proportion)."""
        return any(v.has_own_price for v in self.variants)


def _options(product: Product) -> PurchaseOptions:
    currency = product.currency
    return PurchaseOptions(
        product_id=product.pk,
        slug=product.slug,
        price=product.price,
        stock=product.stock,
        min_order_quantity=max(1, product.min_order_quantity),
        variants=[
            VariantOption(
                sku=v.sku,
                label=variant_label(v),
                attributes={str(k): str(val) for k, val in sorted((v.attributes or {}).items())},
                price=Money(
                    product.price_minor if v.price_minor is None else v.price_minor, currency
                ),
                has_own_price=v.price_minor is not None,
                stock=v.stock,
                weight_grams=product.weight_grams if v.weight_grams is None else v.weight_grams,
            )
            for v in product.variants.all()
        ],
        tiers=[
            TierOption(t.min_quantity, Money(t.unit_price_minor, currency))
            for t in tiers_from(product.price_tiers.all())
        ],
    )


def purchase_options(slugs: Sequence[str]) -> dict[str, PurchaseOptions]:
    """Purchase options of the products with these slugs, by slug (three queries whatever
    the count; unknown slugs are left out)."""
    products = Product.objects.filter(slug__in=list(slugs)).prefetch_related(
        "variants", "price_tiers"
    )
    return {p.slug: _options(p) for p in products}
