"""Seller and operator pages: dashboard, onboarding application, operator queue, RFQs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from mekong.core.countries import COUNTRIES, country
from mekong.core.errors import DomainError
from mekong.core.money import Money, MoneyError
from mekong.core.text import normalize_text
from mekong.identity.facade import organisation_info
from mekong.marketplace import disputes, onboarding, rfq
from mekong.marketplace.actors import actor_required, parse_int
from mekong.marketplace.cart import shipping_option_set
from mekong.marketplace.dashboard import seller_dashboard
from mekong.marketplace.errors import InvalidInput
from mekong.marketplace.models import Category, ShippingOption
from mekong.marketplace.ordering import seller_of
from mekong.payments import facade as payments

MAX_UPLOAD = onboarding.MAX_DOCUMENT_BYTES


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """The seller's dashboard (orders to ship, payouts, sales by buyer country) and its
    shipping options per destination country (POST adds or updates one; managers only)."""
    actor = actor_required(request)
    seller = seller_of(actor)
    if seller is None:
        return redirect("marketplace:apply")
    currency = country(seller.country).currency
    if request.method == "POST":
        dest = request.POST.get("destination_country", "").upper()
        name = normalize_text(request.POST.get("name", ""))[:80]
        try:
            cost = Money.from_decimal(request.POST.get("cost", ""), currency).minor
        except MoneyError:
            cost = -1
        days = parse_int(request.POST.get("days"), 7)
        if (
            not actor.can_manage
            or dest not in COUNTRIES
            or not name
            or not 0 <= cost <= 10**12
            or not 1 <= days <= 365
        ):
            messages.error(request, InvalidInput().detail)
        else:
            shipping_option_set(
                seller=seller, destination_country=dest, name=name, cost_minor=cost, days=days
            )
        return redirect("marketplace:dashboard")
    data = seller_dashboard(seller, currency)
    options = [
        (o, Money(o.cost_minor, currency))
        for o in ShippingOption.objects.filter(seller=seller).order_by("destination_country")
    ]
    return render(
        request,
        "marketplace/dashboard.html",
        {
            "seller": seller,
            "data": data,
            "options": options,
            "countries": sorted(COUNTRIES.values(), key=lambda c: c.name),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """An SME applies to sell: registration number, documents, payout wallet."""
    actor = actor_required(request)
    info = organisation_info(actor.organisation_id) if actor.organisation_id else None
    seller = seller_of(actor)
    wallets = (
        [
            w
            for w in payments.wallets_for(organisation_id=info.id)
            if w.currency == COUNTRIES[info.country].currency
        ]
        if info and info.country in COUNTRIES
        else []
    )
    if request.method == "POST":
        files = request.FILES.getlist("documents")
        documents = []
        for f in files[: onboarding.MAX_DOCUMENTS + 1]:
            if f.size is not None and f.size > MAX_UPLOAD:
                documents.append((f.name or "", b""))  # rejected by the service as unsupported
            else:
                documents.append((f.name or "", f.read()))
        try:
            onboarding.seller_apply(
                actor=actor,
                registration_number=request.POST.get("registration_number", ""),
                payout_wallet_id=parse_int(request.POST.get("payout_wallet")),
                documents=documents,
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            return redirect("marketplace:dashboard")
    return render(
        request,
        "marketplace/apply.html",
        {"organisation": info, "seller": seller, "wallets": wallets},
    )


@login_required
@require_http_methods(["GET", "POST"])
def operator(request: HttpRequest) -> HttpResponse:
    """The operator's queue: seller applications and open disputes."""
    actor = actor_required(request)
    try:
        allowed = disputes.is_marketplace_operator(actor)
    except DomainError:
        allowed = False
    if not allowed:
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("kind") == "application":
                onboarding.application_decide(
                    actor=actor,
                    application_id=parse_int(request.POST.get("id")),
                    verified=request.POST.get("decision") == "verify",
                    note=request.POST.get("note", ""),
                )
            else:
                disputes.dispute_decide(
                    actor=actor,
                    order_id=request.POST.get("id", ""),
                    refund_minor=parse_int(request.POST.get("refund_minor")),
                    note=request.POST.get("note", ""),
                )
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("marketplace:operator")
    queue = [(d, Money(d.order.total_minor, d.order.currency)) for d in disputes.disputes_open()]
    return render(
        request,
        "marketplace/operator.html",
        {"applications": onboarding.applications_pending(), "disputes": queue},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rfqs(request: HttpRequest) -> HttpResponse:
    """Requests for quotation: post one, see offers on yours, answer others' (sellers)."""
    actor = actor_required(request)
    seller = seller_of(actor)
    if request.method == "POST":
        try:
            if request.POST.get("kind") == "offer":
                currency = country(seller.country).currency if seller else "USD"
                try:
                    price = Money.from_decimal(request.POST.get("unit_price", ""), currency).minor
                except MoneyError:
                    price = 0
                rfq.rfq_offer(
                    actor=actor,
                    rfq_id=parse_int(request.POST.get("rfq")),
                    unit_price_minor=price,
                    message=request.POST.get("message", ""),
                )
            elif request.POST.get("kind") == "close":
                rfq.rfq_close(actor=actor, rfq_id=parse_int(request.POST.get("rfq")))
            else:
                rfq.rfq_create(
                    actor=actor,
                    title=request.POST.get("title", ""),
                    details=request.POST.get("details", ""),
                    category=request.POST.get("category", ""),
                    quantity=parse_int(request.POST.get("quantity")),
                    unit=request.POST.get("unit", "kg"),
                    destination_country=request.POST.get("destination_country", ""),
                )
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("marketplace:rfqs")
    mine = rfq.rfqs_of(actor)
    open_requests = (
        [r for r in rfq.rfqs_open() if r.buyer_organisation_id != actor.organisation_id]
        if seller
        else []
    )
    return render(
        request,
        "marketplace/rfqs.html",
        {
            "mine": mine,
            "open_requests": open_requests,
            "seller": seller,
            "categories": Category.choices,
            "countries": sorted(COUNTRIES.values(), key=lambda c: c.name),
        },
    )
