"""Fixtures of the marketplace tests: the six-language catalogue behind every relevance test."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mekong.identity.models import Organisation, User
from mekong.identity.tests.factories import make_org, make_user
from mekong.marketplace import escrow
from mekong.marketplace.cart import shipping_option_set
from mekong.marketplace.catalogue import SELLERS
from mekong.marketplace.demo import load_catalogue
from mekong.marketplace.models import PriceTier, Product, ProductVariant, Seller
from mekong.marketplace.pricing import clear_rate_cache
from mekong.marketplace.services import product_create
from mekong.marketplace.stock import sync_stock_from_variants
from mekong.payments import facade as payments
from mekong.payments.contracts import WalletInfo
from mekong.payments.tests.factories import Hub, make_hub


@pytest.fixture(autouse=True)
def _fresh_rates() -> None:
    """Each test sees its own hub's rates, not those cached by an earlier test."""
    clear_rate_cache()


@pytest.fixture
def catalogue(db: None) -> dict[str, int]:
    """The demo catalogue (35 products, five sellers); returns organisation ids by slug."""
    org_ids = {}
    for slug, (country, _verified) in SELLERS.items():
        org = make_org(kind="sme", country=country, name=slug)
        org_ids[slug] = org.pk
    load_catalogue(org_ids)
    return org_ids


@dataclass
class Market:
    """A working marketplace on a test payments hub: operator, a Vietnamese buyer, Lao coffee."""

    hub: Hub
    operator_org: Organisation
    buyer_org: Organisation
    buyer: User
    wallet: WalletInfo
    seller: Seller
    product: Product


def fund_wallet(hub: Hub, wallet: WalletInfo, amount: int) -> None:
    """Top up a wallet by a payment from the test hub's wallet in the same country."""
    source = hub.wallets[wallet.country]
    payee = payments.resolve_proxy("wallet_id", wallet.account_ref)
    quote = payments.quote(wallet_id=source.pk, payee=payee, amount=amount, fixed="destination")
    payments.pay(quote_id=quote.id, idempotency_key=f"fund:{wallet.id}:{amount}")


@pytest.fixture
def market(catalogue: dict[str, int]) -> Market:
    """The catalogue, a hub, the operator (5 % commission) and a funded VN buyer's wallet."""
    hub = make_hub()
    operator_org = make_org(kind="regulator", country="TH", name="GMS Marketplace Operator")
    escrow.operator_configure(organisation_id=operator_org.pk, commission_bps=500)
    buyer_org = make_org(kind="buyer", country="VN", name="Hanoi Coffee Buyers")
    buyer = make_user(org=buyer_org)
    wallet = payments.wallet_open(country="VN", currency="VND", user_id=buyer.pk)
    fund_wallet(hub, wallet, 20_000_000)
    seller = Seller.objects.get(slug="la-bolaven-coffee")
    for country, cost in (("VN", 60_000_00), ("LA", 10_000_00), ("TH", 80_000_00)):
        shipping_option_set(
            seller=seller, destination_country=country, name="Mekong Post", cost_minor=cost
        )
    product = Product.objects.get(slug="la-bolaven-arabica")
    return Market(hub, operator_org, buyer_org, buyer, wallet, seller, product)


@dataclass
class Roast:
    """A Lao coffee sold by variant with volume prices: 100,000 LAK a 250 g bag, 300,000 LAK a
    1 kg bag (its own price and weight), a sold-out dark roast; minimum order 5 bags; tiers
    10+ at 90,000 and 20+ at 80,000 LAK (all variants together)."""

    product: Product
    small: ProductVariant
    large: ProductVariant
    sold_out: ProductVariant


@pytest.fixture
def roast(market: Market) -> Roast:
    """`Roast` on the `market` fixture's Lao seller (rows built directly: leaf entities)."""
    product = product_create(
        seller=market.seller,
        slug="la-bolaven-roast-sampler",
        category="coffee",
        price_minor=100_000_00,
        stock=0,
        source_language="en",
        texts={"en": ("Bolaven roast sampler", "Arabica from the Bolaven plateau, by the bag.")},
        weight_grams=250,
        min_order_quantity=5,
    )
    small = ProductVariant.objects.create(
        product=product, sku="R-250", attributes={"size": "250 g"}, stock=40, position=0
    )
    large = ProductVariant.objects.create(
        product=product,
        sku="R-1K",
        attributes={"size": "1 kg"},
        price_minor=300_000_00,
        stock=10,
        weight_grams=1000,
        position=1,
    )
    sold_out = ProductVariant.objects.create(
        product=product,
        sku="R-DARK",
        attributes={"size": "250 g", "roast": "dark"},
        stock=0,
        position=2,
    )
    PriceTier.objects.create(product=product, min_quantity=10, unit_price_minor=90_000_00)
    PriceTier.objects.create(product=product, min_quantity=20, unit_price_minor=80_000_00)
    sync_stock_from_variants([product.pk])  # what services.product_variants_set does
    product.refresh_from_db()
    return Roast(product, small, large, sold_out)
