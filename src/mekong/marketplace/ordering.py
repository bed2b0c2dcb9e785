"""Checkout and the order lifecycle: placed → paid → shipped → delivered → completed.

Side branches: cancelled (before shipment; a paid order is voided in escrow and refunded) and
disputed → settled by an operator (partial refunds). Money moves through `escrow` and the
payments facade; every step is idempotent:

- a checkout is keyed by the buyer's idempotency key (unique per user): submitting it twice
  returns the first checkout and pays nothing twice;
- a payment's idempotency key is derived from the order id, so retrying pays once;
- ledger transfer ids are derived from the order id (`escrow`);
- stock is taken with one conditional UPDATE (``stock >= quantity``) of the variant when the
  line has one, else of the product, so two checkouts of the last item cannot both succeed
  and stock never goes negative; a cancellation or refused payment gives it back to the same
  row.

The cart may be stale when it is submitted: checkout prices it again from the current rows
(variant price, tiers), re-checks variants and minimum order quantities, takes stock
conditionally, and refuses with ``marketplace_price_changed`` when the buyer saw other amounts.

Order rows are locked (``select_for_update``) for every transition; the ledger decides between
a payout and a refund of the same funds (a reservation is posted or voided once).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypedDict

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet

from mekong.core import clock
from mekong.core.audit import audit_record
from mekong.core.countries import COUNTRIES
from mekong.core.errors import DomainError
from mekong.core.events import publish
from mekong.core.text import normalize_text
from mekong.identity.contracts import Actor
from mekong.identity.facade import organisation_info
from mekong.marketplace import escrow
from mekong.marketplace import events as ev
from mekong.marketplace.cart import CartItem, SellerGroup, cart_clear, cart_groups
from mekong.marketplace.errors import (
    BelowMinimumOrder,
    CartEmpty,
    EscrowFailed,
    InvalidInput,
    InvalidTransition,
    NoShipping,
    OrderNotFound,
    OutOfStock,
    PaymentUnderReview,
    PriceChanged,
    VariantRequired,
    WalletNotYours,
)
from mekong.marketplace.models import (
    Checkout,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    ProductVariant,
    Seller,
)
from mekong.marketplace.stock import sync_stock_from_variants
from mekong.payments import facade as payments
from mekong.payments.contracts import PaymentInfo, WalletInfo

logger = logging.getLogger(__name__)


# --- reads ----------------------------------------------------------------------------------
def buyer_wallets(actor: Actor) -> list[WalletInfo]:
    """The wallets the buyer may pay from: the user's own and its organisation's."""
    found: dict[int, WalletInfo] = {}
    if actor.user_id is not None:
        for w in payments.wallets_for(user_id=actor.user_id):
            found[w.id] = w
    if actor.organisation_id is not None:
        for w in payments.wallets_for(organisation_id=actor.organisation_id):
            found[w.id] = w
    return sorted(found.values(), key=lambda w: w.id)


def seller_of(actor: Actor) -> Seller | None:
    if actor.organisation_id is None:
        return None
    return Seller.objects.filter(organisation_id=actor.organisation_id).first()


def orders_visible_to(actor: Actor) -> QuerySet[Order]:
    """Orders the actor may see: bought by its organisation or sold by its storefront."""
    if actor.organisation_id is None:
        return Order.objects.none()
    return Order.objects.filter(
        Q(buyer_organisation_id=actor.organisation_id)
        | Q(seller__organisation_id=actor.organisation_id)
    ).select_related("seller")


def order_get_for(*, actor: Actor, order_id: uuid.UUID | str) -> Order:
    """One order the actor may see (buyer or seller side).

    Raises:
        OrderNotFound: unknown, malformed or another organisation's order (indistinguishable).
    """
    try:
        key = uuid.UUID(str(order_id))
    except ValueError:
        raise OrderNotFound() from None
    order = orders_visible_to(actor).filter(pk=key).first()
    if order is None:
        raise OrderNotFound()
    return order


# --- checkout -------------------------------------------------------------------------------
def checkout_submit(
    *,
    actor: Actor,
    wallet_id: int,
    idempotency_key: str,
    destination: str = "",
    shipping_choice: dict[int, int] | None = None,
    language: str = "en",
    expected_goods: dict[int, int] | None = None,
) -> Checkout:
    """Turn the buyer's cart into one order per seller and pay each from the chosen wallet.

    Idempotent on ``idempotency_key``: a second submit returns the first checkout (and retries
    payments of its still unpaid orders with the same payment keys, which pay at most once).
    Orders whose payment is refused are cancelled and their stock returned.

    The cart is priced again now (`tiers` rule); ``expected_goods`` (seller id → goods amount
    in minor units, as the buyer saw them) makes checkout refuse changed amounts, and sellers
    the buyer did not see (None: no check; API clients that never saw a cart). Order lines
    copy the variant, its label and the tier unit price.

    Raises:
        InvalidInput: no organisation, no key. WalletNotYours, CartEmpty, NoShipping,
        VariantRequired, BelowMinimumOrder, PriceChanged, OutOfStock (nothing is ordered
        then), NotConfigured.
    """
    key = (idempotency_key or "").strip()[:80]
    if actor.organisation_id is None or actor.user_id is None or not key:
        raise InvalidInput()
    existing = Checkout.objects.filter(buyer_user_id=actor.user_id, idempotency_key=key).first()
    if existing is not None:
        _pay_checkout(existing)
        return existing
    buyer = organisation_info(actor.organisation_id)
    if buyer is None:
        raise InvalidInput()
    destination = (destination or buyer.country).upper()
    if destination not in COUNTRIES:
        raise InvalidInput()
    if wallet_id not in {w.id for w in buyer_wallets(actor)}:
        raise WalletNotYours()
    groups = cart_groups(
        user_id=actor.user_id,
        language=language,
        destination=destination,
        shipping_choice=shipping_choice,
    )
    if not groups:
        # A concurrent submit of the same key may have just ordered (and emptied) this cart.
        existing = Checkout.objects.filter(buyer_user_id=actor.user_id, idempotency_key=key).first()
        if existing is not None:
            _pay_checkout(existing)
            return existing
        raise CartEmpty()
    if any(g.shipping is None for g in groups):
        raise NoShipping()
    _revalidate(groups, expected_goods)
    op = escrow.operator()
    try:
        with transaction.atomic():
            checkout = Checkout.objects.create(
                id=uuid.uuid4(),
                idempotency_key=key,
                buyer_user_id=actor.user_id,
                buyer_organisation_id=actor.organisation_id,
                wallet_id=wallet_id,
                destination_country=destination,
            )
            _take_stock([item for group in groups for item in group.items])
            for group in groups:
                assert group.shipping is not None
                order_id = uuid.uuid4()
                goods = group.goods.minor
                order = Order.objects.create(
                    id=order_id,
                    number="MK-" + order_id.hex[:10].upper(),
                    checkout=checkout,
                    seller=group.seller,
                    buyer_user_id=actor.user_id,
                    buyer_organisation_id=actor.organisation_id,
                    buyer_country=buyer.country,
                    destination_country=destination,
                    currency=group.currency,
                    goods_minor=goods,
                    shipping_minor=group.shipping.cost_minor,
                    total_minor=goods + group.shipping.cost_minor,
                    commission_bps=op.commission_bps,
                    commission_minor=escrow.commission_for(
                        goods + group.shipping.cost_minor, op.commission_bps
                    ),
                    shipping_name=group.shipping.name,
                )
                OrderLine.objects.bulk_create(
                    [
                        OrderLine(
                            order=order,
                            product=i.product,
                            variant=i.variant,
                            title=i.title,
                            variant_label=i.variant_label,
                            quantity=i.quantity,
                            unit_price_minor=i.unit_price.minor,
                            hs_code=i.product.hs_code,
                            origin_country=i.product.origin_country,
                        )
                        for i in group.items
                    ]
                )
                publish(ev.OrderPlaced(**order_ids(order)))
                audit_order(actor, order, "placed", total_minor=order.total_minor)
            cart_clear(user_id=actor.user_id)
    except IntegrityError:
        # The same key was submitted concurrently and the other request won: use its checkout.
        existing = Checkout.objects.filter(buyer_user_id=actor.user_id, idempotency_key=key).first()
        if existing is None:
            raise
        checkout = existing
    _pay_checkout(checkout)
    return checkout


def _revalidate(groups: list[SellerGroup], expected_goods: dict[int, int] | None) -> None:
    """Refuse a stale cart before anything is written (stock is re-checked when taken)."""
    for group in groups:
        for item in group.items:
            if item.needs_variant:
                raise VariantRequired(params={"product": item.product.slug})
            if item.below_minimum:
                raise BelowMinimumOrder(
                    params={"product": item.product.slug, "minimum": item.minimum}
                )
        # A seller missing from what the buyer saw (added in another tab) counts as changed.
        if expected_goods is not None and expected_goods.get(group.seller.pk) != group.goods.minor:
            raise PriceChanged(
                params={"seller": group.seller.slug},
                extra={"seller": group.seller.slug, "goods_minor": group.goods.minor},
            )


class _Ids(TypedDict):
    order_id: str
    number: str
    seller_organisation_id: int
    buyer_organisation_id: int


def order_ids(order: Order) -> _Ids:
    return {
        "order_id": str(order.pk),
        "number": order.number,
        "seller_organisation_id": order.seller.organisation_id,
        "buyer_organisation_id": order.buyer_organisation_id,
    }


def _pay_checkout(checkout: Checkout) -> None:
    for order in checkout.orders.select_related("seller").filter(status=OrderStatus.PLACED):
        _pay_order(order, checkout.wallet_id)


#: Payment refusals that end an order (nothing moved; the buyer may check out again).
REFUSALS = {
    "insufficient_funds",
    "insufficient_liquidity",
    "limit_exceeded",
    "quote_expired",
    "currency_not_supported",
    "invalid_amount",
    "wallet_not_found",
    "payee_not_found",
}


def _pay_order(order: Order, wallet_id: int) -> None:
    """Pay one placed order into escrow; on success hold the funds for the seller.

    The quote is stored on the order before paying, and the payment key is derived from the
    order id: a retry (double submit, crash after paying) sends the same request, which the hub
    answers with the same payment instead of paying again.
    """
    try:
        with transaction.atomic():
            locked = Order.objects.select_for_update().select_related("seller").get(pk=order.pk)
            if locked.status != OrderStatus.PLACED:
                return
            if locked.quote_id is None:
                payee = escrow.escrow_payee(country=locked.seller.country, currency=locked.currency)
                quote = payments.quote(
                    wallet_id=wallet_id,
                    payee=payee,
                    amount=locked.total_minor,
                    fixed="destination",
                )
                locked.quote_id = quote.id
                locked.save(update_fields=["quote_id"])
        payment = payments.pay(
            quote_id=locked.quote_id,
            idempotency_key=_payment_key(order.pk),
            reference=order.number,
        )
    except DomainError as exc:
        if exc.code in REFUSALS:
            _record_refusal(order, exc.code)
            return
        raise
    _record_payment(order.pk, payment)


def _payment_key(order_pk: uuid.UUID) -> str:
    """The hub's idempotency key for paying an order: the same for every try."""
    return f"marketplace:{order_pk}"


def _record_payment(order_pk: uuid.UUID, payment: PaymentInfo) -> None:
    """Record a payment's outcome on a placed order (locked): completed → escrow hold and
    ``paid``; held by screening → wait (the hub's later event decides); refused → cancel."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("seller").get(pk=order_pk)
        if locked.quote_id != payment.quote.id:
            # Not this order's payment: one found under the order's key that pays another
            # quote (a PSP chooses its own keys through the API).
            return
        if locked.status == OrderStatus.CANCELLED:
            _late_payment(locked, payment)
            return
        if locked.status != OrderStatus.PLACED:
            return
        locked.payment_id = payment.id
        if payment.status == "completed":
            locked.escrow_transfer_id = escrow.hold(locked)
            locked.status = OrderStatus.PAID
            locked.paid_at = clock.now()
            locked.payer_currency = payment.quote.source_currency
            locked.payer_amount_minor = payment.quote.total_debit
            publish(ev.OrderPaid(**order_ids(locked), payment_id=str(payment.id)))
        elif payment.status in ("refused", "rejected"):
            locked.status = OrderStatus.CANCELLED
            locked.refusal_code = (payment.refusal_code or payment.status)[:64]
            _restock(locked)
            publish(ev.OrderCancelled(**order_ids(locked), refunded_minor=0))
        locked.save()
        audit_order(None, locked, "payment", payment_status=payment.status)


def _late_payment(order: Order, payment: PaymentInfo) -> None:
    """The hub's answer for an order cancelled while its payment was on the way (a cancel
    between the quote's commit and the payment's, which sees no payment yet): keep the
    payment's id and give a completed payment back in full. A held one is kept to be
    refunded when a reviewer releases it (`orders_payment_update`)."""
    if order.payment_id not in (None, payment.id):
        return  # another payment is the order's
    if payment.status not in ("completed", "held"):
        return  # refused or rejected: nothing moved
    order.payment_id = payment.id
    if payment.status == "completed" and order.refunded_minor == 0:
        order.refunded_minor = refund_order(order, order.total_minor, "cancel")
    order.save(update_fields=["payment_id", "refunded_minor"])
    audit_order(None, order, "late_payment", payment_status=payment.status,
                refunded_minor=order.refunded_minor)  # fmt: skip


def orders_payment_update(payment_ids: Sequence[uuid.UUID | str]) -> None:
    """The hub decided payments later (held payments released or rejected by a reviewer):
    bring the placed orders they pay up to date, and refund a released payment whose order
    was cancelled while it was on the way (`_late_payment`). Idempotent; a no-op for other
    payments.

    Orders are found by the payment's quote, not by the payment id they record: an order
    stores its quote before paying, but its payment id only once the hub has answered, in
    `_record_payment`. A reviewer's decision in between (or after a crash in between) found
    no order by payment id and left it placed for good while the buyer's money moved.
    """
    decided: dict[uuid.UUID, PaymentInfo] = {}
    for payment_id in payment_ids:
        # Read only: this runs in the event handler's transaction (see `payment_status`).
        info = payments.payment_status(payment_id)
        if info is not None:
            decided[info.quote.id] = info
    if not decided:
        return
    waiting = (
        Order.objects.filter(
            status__in=(OrderStatus.PLACED, OrderStatus.CANCELLED), quote_id__in=sorted(decided)
        )
        .order_by("pk")
        .values_list("pk", "quote_id")
    )
    for order_id, quote_id in waiting:
        if quote_id is not None:  # always (filtered on); said for the type checker
            _record_payment(order_id, decided[quote_id])


def _record_refusal(order: Order, code: str) -> None:
    """The hub refused the payment: cancel the order and give its stock back."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("seller").get(pk=order.pk)
        if locked.status != OrderStatus.PLACED:
            return
        locked.status = OrderStatus.CANCELLED
        locked.refusal_code = code[:64]
        locked.save(update_fields=["status", "refusal_code"])
        _restock(locked)
        publish(ev.OrderCancelled(**order_ids(locked), refunded_minor=0))
        audit_order(None, locked, "payment_refused", code=code)


def _take_stock(items: list[CartItem]) -> None:
    """Take every line's stock: variant rows, then plain product rows, then the variant
    products' totals, each in primary-key order so two checkouts never lock in opposite orders
    (PostgreSQL would abort one of them as a deadlock)."""
    variants = sorted(
        (i for i in items if i.variant is not None),
        key=lambda i: i.variant.pk if i.variant is not None else 0,
    )
    plain = sorted((i for i in items if i.variant is None), key=lambda i: i.product.pk)
    for item in [*variants, *plain]:
        stocked = (
            ProductVariant.objects.filter(pk=item.variant.pk)
            if item.variant is not None
            else Product.objects.filter(pk=item.product.pk)
        )
        taken = stocked.filter(stock__gte=item.quantity).update(stock=F("stock") - item.quantity)
        if taken != 1:
            raise OutOfStock(params={"product": item.product.slug})
    for product_id in sorted({i.product.pk for i in variants}):
        sync_stock_from_variants([product_id])


def _restock(order: Order) -> None:
    """Give an order's stock back to the rows checkout took it from (variant, else product)."""
    for line in order.lines.all():
        if line.variant_id is not None:
            ProductVariant.objects.filter(pk=line.variant_id).update(
                stock=F("stock") + line.quantity
            )
        else:
            Product.objects.filter(pk=line.product_id).update(stock=F("stock") + line.quantity)
    sync_stock_from_variants(line.product_id for line in order.lines.all() if line.variant_id)


# --- lifecycle ------------------------------------------------------------------------------
def lock_for(actor: Actor, order_id: uuid.UUID | str) -> Order:
    order = order_get_for(actor=actor, order_id=order_id)
    return Order.objects.select_for_update().select_related("seller").get(pk=order.pk)


def _is_seller(actor: Actor, order: Order) -> bool:
    return actor.organisation_id == order.seller.organisation_id


def _is_buyer(actor: Actor, order: Order) -> bool:
    return actor.organisation_id == order.buyer_organisation_id


def audit_order(actor: Actor | None, order: Order, action: str, **data: object) -> None:
    audit_record(
        action=f"marketplace.order_{action}",
        actor_user_id=actor.user_id if actor else None,
        organisation_id=actor.organisation_id if actor else None,
        object_type="marketplace_order",
        object_id=str(order.pk),
        data={"status": order.status, **data},
    )


def order_ship(*, actor: Actor, order_id: uuid.UUID | str, carrier: str, tracking: str) -> Order:
    """The seller ships a paid order: carrier and tracking number; the release window starts.

    For a cross-border order, draft trade documents are requested from customs
    (`customs.facade.draft_for_shipment`) and their ids kept on the order.

    Raises:
        OrderNotFound, InvalidTransition (not the seller, not paid), InvalidInput (blank fields).
    """
    carrier = normalize_text(carrier or "")[:80]
    tracking = normalize_text(tracking or "")[:80]
    if not carrier or not tracking:
        raise InvalidInput()
    with transaction.atomic():
        order = lock_for(actor, order_id)
        if not _is_seller(actor, order) or order.status != OrderStatus.PAID:
            raise InvalidTransition()
        now = clock.now()
        order.status = OrderStatus.SHIPPED
        order.carrier = carrier
        order.tracking_number = tracking
        order.shipped_at = now
        order.release_due_at = now + timedelta(days=escrow.operator().release_days)
        if order.destination_country != order.seller.country:
            order.customs_document_ids = [str(i) for i in _customs_drafts(order)]
        order.save()
        publish(ev.OrderShipped(**order_ids(order), carrier=carrier, tracking_number=tracking))
        audit_order(actor, order, "shipped", carrier=carrier)
    return order


def _customs_drafts(order: Order) -> list[uuid.UUID]:
    from mekong.customs import facade as customs
    from mekong.customs.contracts import ShipmentIn, ShipmentLine

    buyer = organisation_info(order.buyer_organisation_id)
    lines = list(order.lines.select_related("product", "variant"))

    def unit_weight(line: OrderLine) -> int:
        # A variant's own weight (a 1 kg bag of a coffee sold in 250 g bags too) wins.
        if line.variant is not None and line.variant.weight_grams is not None:
            return line.variant.weight_grams
        return line.product.weight_grams

    return customs.draft_for_shipment(
        ShipmentIn(
            order_ref=order.number,
            seller_organisation_id=order.seller.organisation_id,
            seller_country=order.seller.country,
            buyer_name=buyer.name if buyer else "",
            buyer_country=order.destination_country,
            currency=order.currency,
            lines=[
                ShipmentLine(
                    description=f"{li.title} ({li.variant_label})"
                    if li.variant_label
                    else li.title,
                    hs_code=li.hs_code,
                    quantity=li.quantity,
                    unit_price_minor=li.unit_price_minor,
                    origin_country=li.origin_country,
                    weight_grams=unit_weight(li) * li.quantity,
                )
                for li in lines
            ],
        )
    )


def order_confirm_delivery(*, actor: Actor, order_id: uuid.UUID | str) -> Order:
    """The buyer confirms delivery: the order is delivered and escrow released (completed).

    Raises:
        OrderNotFound, InvalidTransition (not the buyer, not shipped).
    """
    with transaction.atomic():
        order = lock_for(actor, order_id)
        if not _is_buyer(actor, order) or order.status != OrderStatus.SHIPPED:
            raise InvalidTransition()
        order.status = OrderStatus.DELIVERED
        order.delivered_at = clock.now()
        order.save(update_fields=["status", "delivered_at"])
        publish(ev.OrderDelivered(**order_ids(order)))
        audit_order(actor, order, "delivered")
        _release(order, actor)
    return order


def _release(order: Order, actor: Actor | None) -> None:
    """Post the escrow to the seller minus commission and complete the order (locked row)."""
    seller_part, commission = escrow.settle(order)
    order.status = OrderStatus.COMPLETED
    order.completed_at = clock.now()
    order.commission_minor = commission
    order.save(update_fields=["status", "completed_at", "commission_minor"])
    publish(
        ev.OrderCompleted(
            **order_ids(order),
            seller_amount_minor=seller_part,
            commission_minor=commission,
            currency=order.currency,
        )
    )
    audit_order(actor, order, "completed", seller_minor=seller_part, commission_minor=commission)


def release_due(*, now: datetime | None = None) -> list[str]:
    """Release every shipped or delivered order whose release window has passed.

    Returns the numbers of the orders completed. Safe to run concurrently and repeatedly: each
    order is re-checked under its row lock.
    """
    moment = now or clock.now()
    due = Order.objects.filter(
        status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED], release_due_at__lte=moment
    ).values_list("pk", flat=True)
    done = []
    for pk in list(due):
        try:
            with transaction.atomic():
                order = Order.objects.select_for_update().select_related("seller").get(pk=pk)
                if order.status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
                    continue
                if order.release_due_at is None or order.release_due_at > moment:
                    continue
                _release(order, None)
                done.append(order.number)
        except EscrowFailed as exc:
            # One order whose funds cannot be moved must not stop the others' payouts; it
            # stays shipped for an operator to look at.
            logger.error("escrow release failed for order %s: %s", pk, exc.extra)
    return done


def order_cancel(*, actor: Actor, order_id: uuid.UUID | str) -> Order:
    """Cancel before shipment (buyer or seller): void the escrow, refund, restock.

    A placed order whose payment the hub holds for a reviewer cannot be cancelled until the
    reviewer decides: a release would then move the buyer's money into escrow for an order
    that no longer exists (rejected: the order is cancelled by the hub's event; released: it
    is paid, and cancelling refunds it).

    Raises:
        OrderNotFound, InvalidTransition (shipped or later, or already cancelled),
        PaymentUnderReview.
    """
    with transaction.atomic():
        order = lock_for(actor, order_id)
        if order.status == OrderStatus.PLACED and order.payment_id is None and order.quote_id:
            # The order was sent to the hub but never recorded its answer (the request
            # stopped in between): record it first, so a payment the hub made is held,
            # refunded or seen refused, never left in escrow for a cancelled order.
            unrecorded = payments.payment_by_key(
                wallet_id=order.checkout.wallet_id, idempotency_key=_payment_key(order.pk)
            )
            if unrecorded is not None:
                _record_payment(order.pk, unrecorded)
                order = lock_for(actor, order_id)
                if order.status == OrderStatus.CANCELLED:
                    return order  # the hub had refused it: cancelled, stock returned
        if order.status not in (OrderStatus.PLACED, OrderStatus.PAID):
            raise InvalidTransition()
        if order.status == OrderStatus.PLACED and order.payment_id is not None:
            # Read only (`payment_status`): this transaction holds the order row.
            paid_by = payments.payment_status(order.payment_id)
            if paid_by is not None and paid_by.status in ("held", "completed"):
                raise PaymentUnderReview()
        refunded = 0
        if order.status == OrderStatus.PAID:
            escrow.void(order)
            refunded = refund_order(order, order.total_minor, "cancel")
        order.status = OrderStatus.CANCELLED
        order.refunded_minor = refunded
        order.save(update_fields=["status", "refunded_minor"])
        _restock(order)
        publish(ev.OrderCancelled(**order_ids(order), refunded_minor=refunded))
        audit_order(actor, order, "cancelled", refunded_minor=refunded)
    return order


def refund_order(order: Order, amount_minor: int, purpose: str) -> int:
    """Refund ``amount_minor`` (seller currency) of the order's payment; idempotent per purpose."""
    if amount_minor <= 0 or order.payment_id is None:
        return 0
    payments.refund(
        payment_id=order.payment_id,
        amount=amount_minor,
        idempotency_key=f"marketplace:{purpose}:{order.pk}",
    )
    return amount_minor
