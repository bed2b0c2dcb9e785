"""Lodging with real signed documents, automatic checks, lanes, the officer workflow."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from mekong.core import clock
from mekong.core.events import capture_events
from mekong.customs.clearance import services
from mekong.customs.clearance.errors import (
    DeclarationNotFound,
    IdempotencyKeyReused,
    InvalidDeclaration,
    InvalidTransition,
    OfficerRequired,
    TraderRequired,
)
from mekong.customs.clearance.events import DeclarationLodged, DeclarationReleased
from mekong.customs.clearance.models import Declaration, DeclarationEvent
from mekong.customs.clearance.tests.factories import lodge, rice_declaration
from mekong.customs.models import Document
from mekong.customs.services import document_revoke
from mekong.identity.models import Organisation
from mekong.identity.tests.factories import actor_of, make_org, make_user

pytestmark = pytest.mark.django_db


def _rules(declaration):
    return [h["rule"] for h in declaration.risk_hits]


def test_rice_with_valid_documents_is_green_with_atiga_duty(corridor):
    d = lodge(corridor)
    assert (d.lane, d.status, _rules(d)) == ("green", "lodged", [])
    (line,) = d.assessment["lines"]
    # Hom Mali rice 10063040 into Viet Nam: ATIGA 0 % with the Form D (MFN would be 40 %).
    assert (line["regime"], line["rate_percent"], line["duty"]) == ("atiga", "0", 0)
    assert line["form_d"] == str(corridor.documents["form_d"].id)
    assert (d.assessment_currency, d.duty, d.vat) == ("VND", 0, 52_600_000)
    assert [c["valid"] for c in d.document_checks] == [True, True, True]
    assert d.customs_authority_id == corridor.customs.pk
    kinds = list(d.events.values_list("kind", flat=True))
    assert kinds == ["lodged", "auto_checks", "lane_assigned"]


def test_without_form_d_the_line_pays_mfn(corridor):
    ids = corridor.document_ids[:2]  # invoice and packing list only
    d = lodge(corridor, document_ids=tuple(ids))
    (line,) = d.assessment["lines"]
    assert (line["regime"], line["reasons"]) == ("mfn", ["form_d_not_valid"])
    assert d.duty == 210_400_000  # 40 % of VND 526,000,000
    assert d.lane == "green"


def test_tampered_form_d_sends_the_declaration_to_red_with_the_reason(corridor):
    form_d = corridor.documents["form_d"]
    # Someone with database access changes the origin criterion after signing.
    row = Document.objects.get(pk=form_d.id)
    row.data["items"][0]["origin_criterion"] = "RVC 40%"
    Document.objects.filter(pk=row.pk).update(data=row.data)
    d = lodge(corridor)
    assert d.lane == "red"
    hit = d.risk_hits[0]
    assert (hit["rule"], hit["params"]["document"]) == ("document_invalid", str(form_d.id))
    assert "integrity" in hit["params"]["checks"]
    (line,) = d.assessment["lines"]
    assert line["regime"] == "mfn"  # a tampered Form D proves nothing


def test_revoked_form_d_sends_the_declaration_to_red(corridor):
    issuer_admin = make_user(org=_org(corridor.authority_org_id), role="admin")
    document_revoke(
        actor=actor_of(issuer_admin, _org(corridor.authority_org_id)),
        document=Document.objects.get(pk=corridor.documents["form_d"].id),
        reason="issued in error",
    )
    d = lodge(corridor)
    assert d.lane == "red"
    assert _rules(d) == ["document_revoked"]


def _org(pk):
    return Organisation.objects.get(pk=pk)


def test_unknown_document_and_figures_that_disagree(corridor):
    bogus = str(uuid.uuid4())
    d = lodge(corridor, document_ids=(*corridor.document_ids, bogus, "not-a-uuid"))
    assert _rules(d) == ["document_missing", "document_missing"]
    line = rice_declaration([]).lines[0]
    heavier = replace(line, gross_mass_g=25_000_000, customs_value=1_500_000)
    d = lodge(corridor, lines=(heavier,))
    # USD 15,000 declared against a USD 20,000 invoice: undervaluation (red); 25 t against 20.4 t.
    assert _rules(d) == ["undervaluation", "weight_mismatch"]
    assert d.lane == "red"


def test_watchlisted_exporter_is_red(corridor):
    services.watchlist_add(actor=corridor.officer_actor, name="SIAM JASMINE rice export co.")
    d = lodge(corridor)
    assert (d.lane, _rules(d)) == ("red", ["watchlisted_party"])


def test_random_selection_is_configured_per_country(corridor, settings):
    settings.CLEARANCE_RISK = {"random_rates": {"VN": "1"}}
    d = lodge(corridor)
    assert (d.lane, _rules(d)) == ("yellow", ["random_selection"])
    settings.CLEARANCE_RISK = {"random_rates": {"TH": "1"}}
    assert lodge(corridor).lane == "green"


def test_field_level_validation_errors(corridor):
    line = rice_declaration([]).lines[0]
    bad = replace(line, hs_code="999999", origin_country="XX", customs_value=-1, preference="rcep")
    with pytest.raises(InvalidDeclaration) as e:
        lodge(corridor, lines=(bad, replace(line, hs_code="0101")), import_country="TH",
              currency="ZZZ", transport_mode="camel", exporter_name="  ")  # fmt: skip
    got = {(x["field"], x["code"]) for x in e.value.extra["errors"]}
    assert got == {
        ("exporter_name", "required"),
        ("import_country", "not_declarant_country"),
        ("export_country", "same_as_import_country"),
        ("transport_mode", "invalid_choice"),
        ("currency", "invalid_choice"),
        ("lines[0].hs_code", "unknown_subheading"),
        ("lines[0].origin_country", "invalid_choice"),
        ("lines[0].customs_value", "out_of_range"),
        ("lines[0].preference", "invalid_choice"),
        ("lines[1].hs_code", "wrong_length"),
    }
    assert Declaration.objects.count() == 0


def test_lodging_is_idempotent(corridor):
    key = uuid.uuid4()
    data = rice_declaration(corridor.document_ids)
    first = services.declaration_lodge(actor=corridor.trader, data=data, idempotency_key=key)
    again = services.declaration_lodge(actor=corridor.trader, data=data, idempotency_key=key)
    assert first.pk == again.pk
    assert Declaration.objects.count() == 1
    with pytest.raises(IdempotencyKeyReused):
        services.declaration_lodge(
            actor=corridor.trader, data=rice_declaration([]), idempotency_key=key
        )


def test_officer_releases_and_clearance_time_is_recorded(corridor):
    start = clock.now()
    with clock.frozen(start), capture_events() as lodged:
        d = lodge(corridor)
    with clock.frozen(start + timedelta(minutes=7)), capture_events() as released:
        d = services.declaration_release(actor=corridor.officer_actor, declaration_id=d.pk)
    assert (d.status, d.clearance_seconds) == ("released", 420)
    assert [type(e) for e in lodged] == [DeclarationLodged]
    assert [type(e) for e in released] == [DeclarationReleased]
    assert released[0].clearance_seconds == 420
    with pytest.raises(InvalidTransition):
        services.declaration_hold(actor=corridor.officer_actor, declaration_id=d.pk, note="late")


def test_information_round_trip_and_hold(corridor):
    d = lodge(corridor, document_ids=tuple(corridor.document_ids[:1]))
    officer = corridor.officer_actor
    with pytest.raises(InvalidDeclaration):
        services.declaration_request_info(actor=officer, declaration_id=d.pk, note=" ")
    services.declaration_request_info(actor=officer, declaration_id=d.pk, note="Send the Form D")
    with pytest.raises(InvalidTransition):
        services.declaration_release(actor=officer, declaration_id=d.pk)
    d = services.declaration_supply_info(
        actor=corridor.trader, declaration_id=d.pk, note="Attached",
        document_ids=[str(corridor.documents["form_d"].id)],
    )  # fmt: skip
    assert d.status == "lodged"
    assert [c["kind"] for c in d.document_checks] == ["invoice", "form_d"]
    d = services.declaration_hold(actor=officer, declaration_id=d.pk, note="Physical inspection")
    assert d.status == "held"
    kinds = list(DeclarationEvent.objects.filter(declaration=d).values_list("kind", flat=True))
    assert kinds[-3:] == ["info_requested", "info_supplied", "held"]


def test_red_lane_release_needs_a_note(corridor):
    d = lodge(corridor, document_ids=(str(uuid.uuid4()),))
    assert d.lane == "red"
    with pytest.raises(InvalidDeclaration):
        services.declaration_release(actor=corridor.officer_actor, declaration_id=d.pk)
    d = services.declaration_release(
        actor=corridor.officer_actor, declaration_id=d.pk, note="Checked with the exporter"
    )
    assert d.status == "released"


def test_who_may_do_what(corridor):
    d = lodge(corridor)
    other_trader = make_org(kind="sme", country="VN")
    thai_customs = make_org(kind="customs_authority", country="TH")
    viewer = make_user(org=corridor.customs, role="viewer")
    importer_viewer = make_user(org=corridor.importer, role="viewer")
    with pytest.raises(DeclarationNotFound):
        services.declaration_release(
            actor=actor_of(make_user(org=thai_customs), thai_customs), declaration_id=d.pk
        )
    with pytest.raises(OfficerRequired):
        services.declaration_release(actor=actor_of(viewer, corridor.customs), declaration_id=d.pk)
    with pytest.raises(OfficerRequired):
        services.declaration_release(actor=corridor.trader, declaration_id=d.pk)
    with pytest.raises(TraderRequired):
        services.declaration_lodge(
            actor=corridor.officer_actor, data=rice_declaration(corridor.document_ids)
        )
    with pytest.raises(TraderRequired):
        services.declaration_lodge(
            actor=actor_of(importer_viewer, corridor.importer),
            data=rice_declaration(corridor.document_ids),
        )
    services.declaration_request_info(actor=corridor.officer_actor, declaration_id=d.pk, note="?")
    with pytest.raises(DeclarationNotFound):
        services.declaration_supply_info(
            actor=actor_of(make_user(org=other_trader), other_trader), declaration_id=d.pk,
            note="not mine",
        )  # fmt: skip


def test_facade_stats_give_the_median_clearance_time(corridor):
    from mekong.customs.clearance import facade

    start = clock.now()
    for minutes in (5, 9, 30):
        with clock.frozen(start):
            d = lodge(corridor)
        with clock.frozen(start + timedelta(minutes=minutes)):
            services.declaration_release(actor=corridor.officer_actor, declaration_id=d.pk)
    lodge(corridor, document_ids=(str(uuid.uuid4()),))
    stats = facade.clearance_stats("vn")
    assert (stats.country, stats.lodged, stats.released) == ("VN", 4, 3)
    assert stats.lanes == {"green": 3, "yellow": 0, "red": 1}
    assert stats.median_clearance_seconds == 540.0
    assert facade.clearance_stats("TH").lodged == 0


def test_another_importer_reusing_the_documents_is_yellow(corridor):
    other = make_org(kind="sme", country="VN", name="Saigon Grain Traders")
    actor = actor_of(make_user(org=other), other)
    data = rice_declaration(corridor.document_ids, importer_name="Saigon Grain Traders")
    d = services.declaration_lodge(actor=actor, data=data)
    assert d.lane == "yellow"
    assert {(h["rule"], h["params"]["role"]) for h in d.risk_hits} == {
        ("document_party_mismatch", "importer")
    }
    assert len(d.risk_hits) == 3  # invoice, packing list and Form D all name Hanoi Foods
