"""The platform's modules as the home page and navigation present them.

A module appears in the navigation once its Django app is installed and its start page URL
resolves; until then the home page lists it as planned, so nobody clicks into a dead link.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    """One platform module (a Django app) as shown to users."""

    app_label: str
    url_name: str
    title: Promise
    summary: Promise
    pillar: str

    @property
    def url(self) -> str | None:
        """The module's start page in the active language, or None while not installed."""
        return _module_url(self.app_label, self.url_name, translation.get_language())


@lru_cache(maxsize=256)
def _module_url(app_label: str, url_name: str, language: str | None) -> str | None:
    # The URLconf and installed apps are fixed for the life of a process, so the answer per
    # language never changes; caching saves a failed reverse() per planned module per request.
    if not apps.is_installed(f"mekong.{app_label}"):
        return None
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


MODULES: tuple[Module, ...] = (
    Module(
        "payments",
        "payments:home",
        _("Payments"),
        _(
            "Pay any national QR code across borders and send money home for less than 3 %, "
            "with locked exchange rates and ISO 20022 messages."
        ),
        "2.2",
    ),
    Module(
        "marketplace",
        "marketplace:home",
        _("Marketplace"),
        _(
            "Sell to buyers in five countries: storefronts, search in every local script, "
            "prices in the buyer's currency and escrow until delivery."
        ),
        "2.3",
    ),
    Module(
        "customs",
        "customs:home",
        _("Paperless trade"),
        _(
            "Signed certificates of origin and invoices that anyone can verify offline, "
            "customs declarations, ATIGA duty and fast green lanes."
        ),
        "2.3",
    ),
    Module(
        "trustlog",
        "trustlog:verify",
        _("Verifiable log"),
        _(
            "A tamper-evident public record co-signed by every member country: check any "
            "receipt yourself."
        ),
        "2.2",
    ),
    Module(
        "threatintel",
        "threatintel:home",
        _("Threat intelligence"),
        _(
            "Share indicators between national CERTs and banks over STIX and TAXII, with "
            "traffic-light protocol enforced on every read."
        ),
        "2.5",
    ),
    Module(
        "dataprotection",
        "dataprotection:home",
        _("Data protection"),
        _("Cross-border data agreements, consent and breach deadlines under each country's law."),
        "2.1",
    ),
    Module(
        "grants",
        "grants:home",
        _("Innovation fund"),
        _("Calls, applications, fair review and milestone payments for regional innovators."),
        "2.6",
    ),
    Module(
        "talent",
        "talent:home",
        _("Skills and talent"),
        _("Verifiable skill credentials and talent-visa applications."),
        "2.4",
    ),
    Module(
        "kpi",
        "kpi:home",
        _("Progress indicators"),
        _("Official indicators and live platform figures for the strategy's targets."),
        "3",
    ),
)


def available_modules() -> list[Module]:
    """Modules installed in this instance, in menu order."""
    return [m for m in MODULES if m.url is not None]
