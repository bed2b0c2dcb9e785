"""Human explanations of risk-rule hits and duty decisions, in the active language.

The engines return stable codes with parameters; the pages and the API turn them into text
here, so that a rule's wording is written (and translated) once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RULES: dict[str, Promise] = {
    "document_missing": _("Document %(document)s does not exist."),
    "document_revoked": _("Document %(document)s was revoked by its issuer."),
    "document_invalid": _("Document %(document)s failed verification: %(checks)s."),
    "no_invoice": _("No commercial invoice is referenced."),
    "document_party_mismatch": _("Document %(document)s names another %(role)s: %(stated)s."),
    "undervaluation": _(
        "The declared value (%(declared)s) is far below the invoice total (%(invoice)s)."
    ),
    "value_mismatch": _(
        "The declared value (%(declared)s) differs from the invoice total (%(invoice)s)."
    ),
    "weight_mismatch": _(
        "The declared gross mass (%(declared)s g) differs from the packing list "
        "(%(packing_list)s g)."
    ),
    "watchlisted_party": _("%(party)s is on the customs watchlist."),
    "indicator_hit": _(
        "%(observable)s matches the threat-intelligence indicator “%(indicator)s” "
        "(score %(score)s)."
    ),
    "random_selection": _(
        "Selected at random for a documentary check (%(rate)s %% of declarations)."
    ),
}

REASONS: dict[str, Promise] = {
    "no_preference_claimed": _("No preference claimed: MFN rate."),
    "origin_not_asean": _("Origin is not an ASEAN member: MFN rate."),
    "no_atiga_rate": _("The tariff line has no ATIGA rate: MFN rate."),
    "origin_excluded": _("This origin is excluded from the ATIGA rate on this line: MFN rate."),
    "form_d_not_valid": _("No valid Form D covers this line: MFN rate."),
    "form_d_valid": _("A valid Form D covers this line."),
    "origin_proof_waived": _("Proof of origin waived (consignment up to US$200 FOB)."),
    "atiga_not_lower": _("The ATIGA rate is not lower than MFN: MFN rate."),
    "atiga_rate": _("ATIGA preferential rate applied."),
}


KINDS: dict[str, Promise] = {
    "invoice": _("Commercial invoice"),
    "packing_list": _("Packing list"),
    "form_d": _("ATIGA Form D"),
    "other": _("Other document"),
}


ROLES: dict[str, Promise] = {"exporter": _("exporter"), "importer": _("importer")}


def kind_text(kind: str) -> str:
    """The name of a document kind."""
    message = KINDS.get(kind)
    return str(message) if message is not None else kind


def rule_text(rule: str, params: Mapping[str, Any]) -> str:
    """The explanation of one risk-rule hit (the code itself for an unknown rule)."""
    message = RULES.get(rule)
    if message is None:
        return rule
    values = dict(params)
    if values.get("role") in ROLES:
        values["role"] = str(ROLES[values["role"]])
    try:
        return str(message) % values
    except (KeyError, ValueError, TypeError):
        return str(message)


def reason_text(code: str) -> str:
    """The explanation of one duty decision."""
    message = REASONS.get(code)
    return str(message) if message is not None else code
