"""Pages of the site shell."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mekong.core import clock
from mekong.core.countries import COUNTRIES, GMS_CODES
from mekong.core.money import Money
from mekong.identity.models import Organisation
from mekong.site.modules import MODULES


def home(request: HttpRequest) -> HttpResponse:
    """The home page: what the platform is, its modules, and who takes part."""
    per_country = dict(
        Organisation.objects.filter(is_active=True, country__in=GMS_CODES)
        .values_list("country")
        .annotate(n=Count("id"))
        .values_list("country", "n")
    )
    countries = [
        {"code": code, "name": COUNTRIES[code].name, "organisations": per_country.get(code, 0)}
        for code in GMS_CODES
    ]
    context = {
        "modules": MODULES,
        "countries": countries,
        "organisation_count": sum(per_country.values()),
        "now": clock.now(),
        # The SDG 10.c target, shown with an example so the percentage means something.
        "sdg_target": 0.03,
        "example_amount": Money(500_000, "THB"),
        "example_cost": Money(15_000, "THB"),
    }
    return render(request, "site/home.html", context)
