"""The buyer's cart: lines per user, grouped by seller into future orders, with shipping and
the landed-cost estimate. Reads and writes of the cart only; checkout is in `ordering`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Sum

from mekong.core.money import Money
from mekong.marketplace.errors import (
    BelowMinimumOrder,
    InsufficientStock,
    InvalidQuantity,
    UnknownVariant,
    VariantRequired,
)
from mekong.marketplace.landed_cost import LandedCost, estimate
from mekong.marketplace.models import CartLine, Product, ProductVariant, Seller, ShippingOption
from mekong.marketplace.selectors import pick_translation
from mekong.marketplace.tiers import Tier, next_tier, tiers_from, unit_price_minor, variant_label

MAX_QUANTITY = 10_000


def resolve_variant(product: Product, sku: str | None) -> ProductVariant | None:
    """The variant of ``product`` named by ``sku``; None for a product without variants.

    Raises:
        VariantRequired: the product has variants and no SKU was given.
        UnknownVariant: no such SKU on this product (another product's SKU included), or a SKU
            for a product without variants.
    """
    sku = (sku or "").strip()
    variants = ProductVariant.objects.filter(product=product)
    if not sku:
        if variants.exists():
            raise VariantRequired(params={"product": product.slug})
        return None
    found = variants.filter(sku=sku).first()
    if found is None:
        raise UnknownVariant(params={"product": product.slug})
    return found


def cart_set(
    *, user_id: int, product: Product, quantity: int, variant: str | None = None
) -> CartLine | None:
    """Put ``quantity`` of a product (of the variant with SKU ``variant``) in the cart.

    0 removes the line; returns the line or None. The product's quantity in the cart (all its
    lines) must reach its minimum order quantity (`tiers` module docstring); removing a line is
    always allowed (the cart then shows the shortfall and checkout refuses it).

    Raises:
        InvalidQuantity: negative or above ``MAX_QUANTITY``.
        VariantRequired, UnknownVariant: see `resolve_variant`.
        InsufficientStock: above the stock of the variant (or of the product without variants).
        BelowMinimumOrder: the product's quantity in the cart would be below its minimum.
    """
    if quantity < 0 or quantity > MAX_QUANTITY:
        raise InvalidQuantity()
    if quantity == 0 and not (variant or "").strip():
        # Also removes a line kept from before the product had variants (`needs_variant`).
        CartLine.objects.filter(user_id=user_id, product=product, variant=None).delete()
        return None
    chosen = resolve_variant(product, variant)
    mine = CartLine.objects.filter(user_id=user_id, product=product, variant=chosen)
    with transaction.atomic():
        if quantity == 0:
            mine.delete()
            return None
        available = chosen.stock if chosen is not None else product.stock
        if quantity > available:
            raise InsufficientStock(params={"available": available, "product": product.slug})
        others = (
            CartLine.objects.filter(user_id=user_id, product=product)
            .exclude(pk__in=mine.values("pk"))
            .aggregate(n=Sum("quantity"))["n"]
            or 0
        )
        minimum = max(1, product.min_order_quantity)
        if others + quantity < minimum:
            raise BelowMinimumOrder(params={"product": product.slug, "minimum": minimum})
        line, _created = CartLine.objects.update_or_create(
            user_id=user_id, product=product, variant=chosen, defaults={"quantity": quantity}
        )
        return line


def cart_add(
    *, user_id: int, product: Product, quantity: int = 1, variant: str | None = None
) -> CartLine | None:
    """Add ``quantity`` to what the cart already holds of the product (and variant)."""
    chosen = resolve_variant(product, variant)
    current = CartLine.objects.filter(user_id=user_id, product=product, variant=chosen).first()
    return cart_set(
        user_id=user_id,
        product=product,
        quantity=quantity + (current.quantity if current else 0),
        variant=chosen.sku if chosen else None,
    )


def cart_clear(*, user_id: int) -> None:
    """Empty the cart (after a checkout)."""
    CartLine.objects.filter(user_id=user_id).delete()


@dataclass(frozen=True, slots=True)
class TierHint:
    """The "buy N+ for X each" hint: the next tier of the product, at this line's price."""

    min_quantity: int
    unit_price: Money


@dataclass(frozen=True, slots=True)
class CartItem:
    """One cart line as the cart page shows it, priced by the tier rule (`tiers`).

    ``product_quantity`` is the product's total in the cart (all variants): the quantity tiers
    and the minimum order quantity count.
    """

    product: Product
    title: str
    quantity: int
    unit_price: Money
    amount: Money
    variant: ProductVariant | None = None
    variant_label: str = ""
    base_unit_price: Money | None = None
    product_quantity: int = 0
    next_tier: TierHint | None = None
    needs_variant: bool = False

    @property
    def tier_applied(self) -> bool:
        """True when a tier lowered the unit price."""
        return self.base_unit_price is not None and self.unit_price != self.base_unit_price

    @property
    def minimum(self) -> int:
        """The product's minimum order quantity."""
        return max(1, self.product.min_order_quantity)

    @property
    def below_minimum(self) -> bool:
        """True when the product's quantity in the cart is below its minimum order quantity."""
        return self.product_quantity < self.minimum

    @property
    def available(self) -> int:
        """Stock of the line's variant, or of the product."""
        return self.variant.stock if self.variant is not None else self.product.stock

    @property
    def over_stock(self) -> bool:
        """True when the line asks for more than is in stock now."""
        return self.quantity > self.available

    @property
    def unit_weight_grams(self) -> int:
        """The variant's weight when it has one, else the product's."""
        if self.variant is not None and self.variant.weight_grams is not None:
            return self.variant.weight_grams
        return self.product.weight_grams

    @property
    def blocked(self) -> bool:
        """True when this line cannot be checked out as it is."""
        return self.needs_variant or self.below_minimum or self.over_stock


@dataclass(slots=True)
class SellerGroup:
    """The lines of one seller: a future order, with its shipping choice and tax estimate."""

    seller: Seller
    items: list[CartItem] = field(default_factory=list)
    options: list[ShippingOption] = field(default_factory=list)
    shipping: ShippingOption | None = None
    landed: LandedCost | None = None

    @property
    def currency(self) -> str:
        """The seller's currency (every product of a seller is priced in it)."""
        return self.items[0].unit_price.currency

    @property
    def goods(self) -> Money:
        """Sum of the lines."""
        total = Money.zero(self.currency)
        for item in self.items:
            total = total + item.amount
        return total

    @property
    def shipping_cost(self) -> Money:
        """The chosen shipping option's cost (zero when none is available)."""
        return Money(self.shipping.cost_minor if self.shipping else 0, self.currency)

    @property
    def total(self) -> Money:
        """What the buyer pays for this seller's order: goods and shipping."""
        return self.goods + self.shipping_cost

    @property
    def weight_grams(self) -> int:
        """Weight of the goods (variant weights where set)."""
        return sum(i.unit_weight_grams * i.quantity for i in self.items)

    @property
    def blocked(self) -> bool:
        """True when a line needs fixing before checkout (variant, minimum, stock)."""
        return any(i.blocked for i in self.items)


def _item(
    line: CartLine, title: str, tiers: list[Tier], product_quantity: int, has_variants: bool
) -> CartItem:
    product, variant = line.product, line.variant
    currency = product.currency
    own = variant.price_minor if variant is not None else None

    def unit(quantity: int) -> int:
        return unit_price_minor(
            product_price_minor=product.price_minor,
            variant_price_minor=own,
            tiers=tiers,
            product_quantity=quantity,
        )

    price = unit(product_quantity)
    upcoming = next_tier(tiers, product_quantity)
    return CartItem(
        product=product,
        title=title,
        quantity=line.quantity,
        unit_price=Money(price, currency),
        amount=Money(price * line.quantity, currency),
        variant=variant,
        variant_label=variant_label(variant) if variant is not None else "",
        base_unit_price=Money(product.price_minor if own is None else own, currency),
        product_quantity=product_quantity,
        next_tier=(
            TierHint(upcoming.min_quantity, Money(unit(upcoming.min_quantity), currency))
            if upcoming is not None
            else None
        ),
        needs_variant=variant is None and has_variants,
    )


def cart_groups(
    *, user_id: int, language: str, destination: str, shipping_choice: dict[int, int] | None = None
) -> list[SellerGroup]:
    """The cart split per seller (in order of first line added), with shipping to ``destination``.

    Lines are priced by the rule of the `tiers` module: tiers count the product's quantity over
    all its lines. ``shipping_choice`` maps seller id → shipping option id; otherwise the
    cheapest option to the destination is chosen. A group without any option cannot be checked
    out, nor one with a ``blocked`` line.
    """
    lines = list(
        CartLine.objects.filter(user_id=user_id)
        .select_related("product__seller", "variant")
        .prefetch_related("product__translations", "product__price_tiers")
    )
    totals: dict[int, int] = defaultdict(int)
    for line in lines:
        totals[line.product_id] += line.quantity
    with_variants = set(
        ProductVariant.objects.filter(product_id__in=list(totals))
        .values_list("product_id", flat=True)
        .distinct()
    )
    groups: dict[int, SellerGroup] = {}
    for line in lines:
        product = line.product
        translation = pick_translation(
            list(product.translations.all()), language, product.source_language
        )
        group = groups.setdefault(product.seller_id, SellerGroup(seller=product.seller))
        group.items.append(
            _item(
                line,
                translation.title if translation else product.slug,
                tiers_from(product.price_tiers.all()),
                totals[product.pk],
                product.pk in with_variants,
            )
        )
    options = ShippingOption.objects.filter(
        seller_id__in=list(groups), destination_country=destination
    )
    for option in options:
        groups[option.seller_id].options.append(option)
    choice = shipping_choice or {}
    for seller_id, group in groups.items():
        chosen = [o for o in group.options if o.pk == choice.get(seller_id)]
        group.shipping = chosen[0] if chosen else (group.options[0] if group.options else None)
        group.landed = estimate(
            lines=[
                (i.product.category, i.product.origin_country, i.amount.minor) for i in group.items
            ],
            shipping_minor=group.shipping_cost.minor,
            currency=group.currency,
            seller_country=group.seller.country,
            destination=destination,
        )
    return list(groups.values())


def shipping_option_set(
    *, seller: Seller, destination_country: str, name: str, cost_minor: int, days: int = 7
) -> ShippingOption:
    """Create or update a seller's shipping option to one country (cost in its currency).

    Raises:
        InvalidQuantity: a negative cost.
    """
    if cost_minor < 0:
        raise InvalidQuantity()
    option, _created = ShippingOption.objects.update_or_create(
        seller=seller,
        destination_country=destination_country.upper(),
        name=name,
        defaults={"cost_minor": cost_minor, "days": days},
    )
    return option
