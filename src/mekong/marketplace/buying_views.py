"""Buying pages: currency chooser, cart, checkout, buyer's and seller's order pages.

Writes are POST with CSRF; domain errors are shown as a message on the page (never a 500).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from mekong.core.countries import COUNTRIES
from mekong.core.currencies import CURRENCIES
from mekong.core.errors import DomainError
from mekong.core.money import Money
from mekong.identity.contracts import Actor
from mekong.identity.facade import organisation_info
from mekong.marketplace import cart as cart_services
from mekong.marketplace import disputes, ordering, reviews
from mekong.marketplace.actors import actor_required, parse_int
from mekong.marketplace.errors import OrderNotFound
from mekong.marketplace.models import Dispute, Order, OrderStatus, Product, Review
from mekong.marketplace.pricing import SESSION_KEY
from mekong.marketplace.views import price_context


def _language() -> str:
    return translation.get_language() or "en"


@require_POST
def set_currency(request: HttpRequest) -> HttpResponse:
    """Remember the currency the visitor wants prices in (session), then go back."""
    code = request.POST.get("currency", "").upper()
    if code in CURRENCIES:
        request.session[SESSION_KEY] = code
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("marketplace:home")
    return HttpResponseRedirect(target)


@login_required
@require_POST
def cart_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a product (the chosen ``variant`` SKU when it has variants) to the cart."""
    actor = actor_required(request)
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        raise Http404
    quantity = parse_int(request.POST.get("quantity"), 1)
    try:
        cart_services.cart_add(
            user_id=actor.user_id or 0,
            product=product,
            quantity=quantity,
            variant=request.POST.get("variant", "")[:64],
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("marketplace:product", slug=slug)
    return redirect("marketplace:cart")


@login_required
@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    """Change a line's quantity (0, or the ``remove`` button, removes it); ``variant`` names
    the line of a variant (the cart page's per-line forms send ``product`` and ``variant``)."""
    actor = actor_required(request)
    product_id, variant = request.POST.get("product"), request.POST.get("variant", "")
    quantity = 0 if "remove" in request.POST else parse_int(request.POST.get("quantity"))
    product = Product.objects.filter(pk=parse_int(product_id)).first()
    if product is None:
        raise Http404
    try:
        cart_services.cart_set(
            user_id=actor.user_id or 0,
            product=product,
            quantity=quantity,
            variant=variant[:64],
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("marketplace:cart")


def _destination(request: HttpRequest, actor: Actor) -> str:
    chosen = request.GET.get("destination", request.POST.get("destination", "")).upper()
    if chosen in COUNTRIES:
        return chosen
    info = organisation_info(actor.organisation_id) if actor.organisation_id else None
    return info.country if info else "TH"


def _per_seller(params: dict[str, str], prefix: str, *, minimum: int = 1) -> dict[int, int]:
    """``<prefix><seller id>=<number>`` form fields as a dict (malformed ones left out)."""
    found = {}
    for key, value in params.items():
        if key.startswith(prefix):
            seller, number = parse_int(key.removeprefix(prefix)), parse_int(value)
            if seller > 0 and number >= minimum:
                found[seller] = number
    return found


def _shipping_choice(params: dict[str, str]) -> dict[int, int]:
    return _per_seller(params, "shipping_")


@login_required
@require_GET
def cart_page(request: HttpRequest) -> HttpResponse:
    """The cart split per seller, shipping choices, landed-cost estimate, wallet, checkout."""
    actor = actor_required(request)
    destination = _destination(request, actor)
    groups = cart_services.cart_groups(
        user_id=actor.user_id or 0,
        language=_language(),
        destination=destination,
        shipping_choice=_shipping_choice(request.GET.dict()),
    )
    book, currency_context = price_context(request)
    rows = []
    buyer_total: Money | None = Money.zero(book.currency)
    for group in groups:
        converted = book.price(group.total).buyer
        landed = book.price(group.landed.total).buyer if group.landed else None
        rows.append({"group": group, "buyer_total": converted, "buyer_landed": landed})
        buyer_total = buyer_total + converted if buyer_total and converted else None
    context = {
        "rows": rows,
        "destination": destination,
        "countries": sorted(COUNTRIES.values(), key=lambda c: c.name),
        "wallets": ordering.buyer_wallets(actor),
        "buyer_total": buyer_total,
        "checkout_key": uuid.uuid4().hex,
        "can_checkout": bool(groups) and all(g.shipping and not g.blocked for g in groups),
        **currency_context,
    }
    return render(request, "marketplace/cart.html", context)


@login_required
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    """Pay the cart: one order per seller, each paid into escrow from the chosen wallet."""
    actor = actor_required(request)
    try:
        result = ordering.checkout_submit(
            actor=actor,
            wallet_id=parse_int(request.POST.get("wallet")),
            idempotency_key=request.POST.get("idempotency_key", ""),
            destination=_destination(request, actor),
            shipping_choice=_shipping_choice(request.POST.dict()),
            language=_language(),
            # The goods amounts the cart page showed: a price edited meanwhile is refused.
            expected_goods=_per_seller(request.POST.dict(), "expected_", minimum=0) or None,
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("marketplace:cart")
    refused = [o for o in result.orders.all() if o.status == OrderStatus.CANCELLED]
    if refused:
        messages.error(
            request,
            translation.gettext("The payment was refused for %(count)d order(s).")
            % {"count": len(refused)},
        )
    return redirect(reverse("marketplace:orders") + f"?checkout={result.pk}")


@login_required
@require_GET
def orders_page(request: HttpRequest) -> HttpResponse:
    """The orders the actor's organisation bought, and those sold by its storefront."""
    actor = actor_required(request)
    visible = ordering.orders_visible_to(actor).prefetch_related("lines")
    bought = [o for o in visible if o.buyer_organisation_id == actor.organisation_id]
    sold = [o for o in visible if o.seller.organisation_id == actor.organisation_id]
    return render(request, "marketplace/orders.html", {"bought": bought, "sold": sold})


@login_required
@require_GET
def order_page(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    """One order with the actions its viewer may take (ship, confirm delivery, cancel)."""
    actor = actor_required(request)
    try:
        order = ordering.order_get_for(actor=actor, order_id=order_id)
    except DomainError:
        raise Http404 from None
    return render(request, "marketplace/order.html", _order_context(actor, order))


def _order_context(actor: Actor, order: Order) -> dict[str, object]:
    is_seller = actor.organisation_id == order.seller.organisation_id
    is_buyer = actor.organisation_id == order.buyer_organisation_id
    cur = order.currency
    return {
        "order": order,
        "lines": [
            (li, Money(li.unit_price_minor, cur), Money(li.unit_price_minor * li.quantity, cur))
            for li in order.lines.all()
        ],
        "goods": Money(order.goods_minor, cur),
        "shipping": Money(order.shipping_minor, cur),
        "total": order.total,
        "commission": Money(order.commission_minor, cur),
        "seller_amount": order.seller_amount,
        "paid": (
            Money(order.payer_amount_minor, order.payer_currency)
            if order.payer_amount_minor is not None and order.payer_currency
            else None
        ),
        "refunded": Money(order.refunded_minor, cur),
        "is_seller": is_seller,
        "is_buyer": is_buyer,
        "can_ship": is_seller and order.status == OrderStatus.PAID,
        "can_confirm": is_buyer and order.status == OrderStatus.SHIPPED,
        "can_cancel": order.status in (OrderStatus.PLACED, OrderStatus.PAID),
        "can_dispute": is_buyer and order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED),
        "dispute": Dispute.objects.filter(order=order).first(),
        "can_review": is_buyer and reviews.reviewable(order),
        "review": Review.objects.filter(order=order).first(),
    }


@login_required
@require_POST
def order_action(request: HttpRequest, order_id: uuid.UUID, action: str) -> HttpResponse:
    """Ship (seller), confirm delivery (buyer) or cancel (either, before shipment)."""
    actor = actor_required(request)
    try:
        if action == "ship":
            ordering.order_ship(
                actor=actor,
                order_id=order_id,
                carrier=request.POST.get("carrier", ""),
                tracking=request.POST.get("tracking_number", ""),
            )
        elif action == "confirm":
            ordering.order_confirm_delivery(actor=actor, order_id=order_id)
        elif action == "cancel":
            ordering.order_cancel(actor=actor, order_id=order_id)
        elif action == "dispute":
            disputes.dispute_open(
                actor=actor, order_id=order_id, evidence=request.POST.get("evidence", "")
            )
        elif action == "respond":
            disputes.dispute_respond(
                actor=actor, order_id=order_id, response=request.POST.get("response", "")
            )
        elif action == "review":
            reviews.review_create(
                actor=actor,
                order_id=order_id,
                rating=parse_int(request.POST.get("rating")),
                text=request.POST.get("text", ""),
            )
        else:
            raise Http404
    except OrderNotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("marketplace:order", order_id=order_id)
