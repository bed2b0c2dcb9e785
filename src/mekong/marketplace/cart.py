"""The buyer's cart: lines per user, grouped by seller into future orders, with shipping and
the landed-cost estimate. Reads and writes of the cart only; checkout is in `ordering`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from mekong.core.money import Money
from mekong.marketplace.errors import InvalidQuantity
from mekong.marketplace.landed_cost import LandedCost, estimate
from mekong.marketplace.models import CartLine, Product, Seller, ShippingOption
from mekong.marketplace.selectors import pick_translation

MAX_QUANTITY = 10_000


def cart_set(*, user_id: int, product: Product, quantity: int) -> CartLine | None:
    """Put ``quantity`` of a product in the cart (0 removes it); returns the line or None.

    Raises:
        InvalidQuantity: negative, above ``MAX_QUANTITY`` or above the stock.
    """
    if quantity < 0 or quantity > MAX_QUANTITY or quantity > product.stock:
        raise InvalidQuantity()
    with transaction.atomic():
        if quantity == 0:
            CartLine.objects.filter(user_id=user_id, product=product).delete()
            return None
        line, _created = CartLine.objects.update_or_create(
            user_id=user_id, product=product, defaults={"quantity": quantity}
        )
        return line


def cart_add(*, user_id: int, product: Product, quantity: int = 1) -> CartLine | None:
    """Add ``quantity`` to what the cart already holds of the product."""
    current = CartLine.objects.filter(user_id=user_id, product=product).first()
    return cart_set(
        user_id=user_id,
        product=product,
        quantity=quantity + (current.quantity if current else 0),
    )


def cart_clear(*, user_id: int) -> None:
    """Empty the cart (after a checkout)."""
    CartLine.objects.filter(user_id=user_id).delete()


@dataclass(frozen=True, slots=True)
class CartItem:
    """One cart line as the cart page shows it."""

    product: Product
    title: str
    quantity: int
    unit_price: Money
    amount: Money


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


def cart_groups(
    *, user_id: int, language: str, destination: str, shipping_choice: dict[int, int] | None = None
) -> list[SellerGroup]:
    """The cart split per seller (in order of first line added), with shipping to ``destination``.

    ``shipping_choice`` maps seller id → shipping option id; otherwise the cheapest option to the
    destination is chosen. A group without any option cannot be checked out.
    """
    lines = (
        CartLine.objects.filter(user_id=user_id)
        .select_related("product__seller")
        .prefetch_related("product__translations")
    )
    groups: dict[int, SellerGroup] = {}
    for line in lines:
        product = line.product
        translation = pick_translation(
            list(product.translations.all()), language, product.source_language
        )
        group = groups.setdefault(product.seller_id, SellerGroup(seller=product.seller))
        group.items.append(
            CartItem(
                product=product,
                title=translation.title if translation else product.slug,
                quantity=line.quantity,
                unit_price=product.price,
                amount=Money(product.price_minor * line.quantity, product.currency),
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
