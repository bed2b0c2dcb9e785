"""Issue → file → offline verification: tampering, redaction, revocation, key validity."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest

from mekong.core import clock
from mekong.customs import errors, facade, selectors, services
from mekong.customs.documents import disclosure
from mekong.customs.documents.verify import CHECK_NAMES
from mekong.customs.tests.factories import issue, make_authority, sample
from mekong.identity.tests.factories import actor_of, make_org, make_user

pytestmark = pytest.mark.django_db


def failed(result: Any) -> set[str]:
    return {c.name for c in result.checks if not c.ok}


def verify(file: dict[str, Any], **kw: Any) -> Any:
    return selectors.verify_parsed(file, **kw)


@pytest.mark.parametrize(
    "doc_type", ["commercial_invoice", "atiga_form_d", "packing_list", "customs_declaration"]
)
def test_issued_document_verifies(doc_type: str) -> None:
    make_authority("TH")
    doc = issue(doc_type)
    file = selectors.document_file(doc)
    v = verify(json.loads(json.dumps(file)))
    assert [c.name for c in v.checks] == list(CHECK_NAMES)
    assert v.valid, v.failed
    assert facade.verify_stored(doc.pk).valid
    assert facade.verify_file(json.dumps(file).encode()).valid
    info = facade.document_get(doc.pk)
    assert info is not None
    assert info.hash_hex == doc.document_hash
    assert info.issuer_country == "TH"


def _leaf_pointers(file: dict[str, Any]) -> list[str]:
    return sorted(disclosure.flatten(file["data"]))


def _set(obj: Any, pointer: str, value: Any) -> None:
    parts = disclosure.pointer_parts(pointer)
    for p in parts[:-1]:
        obj = obj[int(p)] if isinstance(obj, list) else obj[p]
    last = parts[-1]
    if isinstance(obj, list):
        obj[int(last)] = value
    else:
        obj[last] = value


def _tampered(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "X"
    return "X"


# Every field of the Form D's data, and every envelope member, is tampered with in turn.
_FORM_D_LEAVES = sorted(disclosure.flatten(sample("atiga_form_d")))
_ENVELOPE = {
    "/id": "integrity-or-signature",
    "/type": "integrity",
    "/issuer/key_id": "issuer_trusted",
    "/issuer/authority": "issuer_trusted",
    "/issuer/country": "issuer_trusted",
    "/issued_at": "signature",
    "/document_hash": "integrity",
    "/signature": "signature",
    "/receipt/entry/index": "anchored",
    "/receipt/checkpoint": "anchored",
}


@pytest.fixture
def issued_form_d() -> dict[str, Any]:
    make_authority("TH")
    return selectors.document_file(issue("atiga_form_d"))


@pytest.mark.parametrize("pointer", _FORM_D_LEAVES)
def test_tampering_any_data_field_fails_integrity(
    issued_form_d: dict[str, Any], pointer: str
) -> None:
    file = copy.deepcopy(issued_form_d)
    parts = disclosure.pointer_parts(pointer)
    cur: Any = file["data"]
    for p in parts:
        cur = cur[int(p)] if isinstance(cur, list) else cur[p]
    _set(file["data"], pointer, _tampered(cur))
    v = verify(file)
    assert not v.valid
    assert "integrity" in {c.name for c in v.failed}


@pytest.mark.parametrize("pointer", sorted(_ENVELOPE))
def test_tampering_envelope_names_the_check(issued_form_d: dict[str, Any], pointer: str) -> None:
    file = copy.deepcopy(issued_form_d)
    parts = disclosure.pointer_parts(pointer)
    cur: Any = file
    for p in parts:
        cur = cur[p]
    _set(file, pointer, _tampered(cur) if pointer != "/signature" else "A" * 86 + "==")
    v = verify(file)
    names = {c.name for c in v.failed}
    expected = _ENVELOPE[pointer]
    assert not v.valid
    if expected == "integrity-or-signature":
        assert "signature" in names
        assert "anchored" in names
    else:
        assert expected in names, v.failed


def test_tampered_salt_fails_integrity(issued_form_d: dict[str, Any]) -> None:
    file = copy.deepcopy(issued_form_d)
    pointer = next(iter(file["privacy"]["salts"]))
    file["privacy"]["salts"][pointer] = "00" * 16
    assert {c.name for c in verify(file).failed} == {"integrity"}


def test_redacted_copy_verifies_and_hides_values() -> None:
    make_authority("TH")
    doc = issue("commercial_invoice")
    hide = ["/lines/0/unit_price_minor", "/lines/1/unit_price_minor", "/buyer/address"]
    file = selectors.document_file(doc, hide=hide)
    assert "unit_price_minor" not in file["data"]["lines"][0]
    assert "address" not in file["data"]["buyer"]
    assert len(file["privacy"]["obfuscated"]) == 3
    v = verify(file)
    assert v.valid, v.failed
    assert v.hidden_fields == 3
    # Hiding the whole lines array still verifies (totals then cannot be checked).
    assert verify(selectors.document_file(doc, hide=["/lines"])).valid
    # A redacted value put back with another value fails.
    file["data"]["lines"][0]["unit_price_minor"] = 1
    assert not verify(file).valid


def test_redacting_a_missing_field_is_refused() -> None:
    make_authority("TH")
    doc = issue("commercial_invoice")
    with pytest.raises(errors.InvalidRedaction):
        selectors.document_file(doc, hide=["/nope"])


def test_revoked_document_fails_not_revoked_only() -> None:
    auth_org = make_org(kind="certificate_issuer", country="TH")
    make_authority("TH", org=auth_org)
    doc = issue("atiga_form_d")
    file = selectors.document_file(doc)
    officer = make_user(org=auth_org, role="admin")
    services.document_revoke(
        actor=actor_of(officer, auth_org), document=doc, reason="wrong consignee"
    )
    v = verify(file)
    assert {c.name for c in v.failed} == {"not_revoked"}
    assert not facade.verify_stored(doc.pk).valid
    assert facade.document_get(doc.pk).revoked  # type: ignore[union-attr]
    with pytest.raises(errors.AlreadyRevoked):
        services.document_revoke(actor=actor_of(officer, auth_org), document=doc, reason="again")


def test_only_the_authority_revokes() -> None:
    make_authority("TH")
    exporter = make_org(country="TH")
    doc = issue("commercial_invoice", org=exporter)
    owner = make_user(org=exporter, role="owner")
    with pytest.raises(errors.NotTheAuthority):
        services.document_revoke(actor=actor_of(owner, exporter), document=doc, reason="x")


def test_forged_revocation_by_another_authority_is_ignored(issued_form_d: dict[str, Any]) -> None:
    other_org = make_org(kind="certificate_issuer", country="VN")
    make_authority("VN", org=other_org)
    doc_vn = issue("commercial_invoice", org=make_org(country="VN"))
    officer = make_user(org=other_org, role="admin")
    rev = services.document_revoke(actor=actor_of(officer, other_org), document=doc_vn, reason="r")
    trust = selectors.trust_list()
    forged = dict(
        rev.statement, document_id=issued_form_d["id"], document_hash=issued_form_d["document_hash"]
    )
    trust["revocations"].append(forged)
    assert verify(issued_form_d, trust=trust).valid


def test_signed_with_revoked_key_fails() -> None:
    authority = make_authority("TH")
    key = authority.keys.get()
    doc = issue("commercial_invoice")
    file = selectors.document_file(doc)
    assert verify(file).valid
    assert doc.issued_at is not None
    services.authority_key_revoke(key=key, at=doc.issued_at - timedelta(seconds=1))
    v = verify(file)
    assert {c.name for c in v.failed} == {"issuer_trusted"}
    assert next(c for c in v.checks if c.name == "issuer_trusted").reason == "key_revoked"


def test_signed_with_not_yet_valid_key_fails() -> None:
    authority = make_authority("TH")
    key = authority.keys.get()
    doc = issue("commercial_invoice")
    file = selectors.document_file(doc)
    trust = selectors.trust_list()
    assert doc.issued_at is not None
    later = doc.issued_at + timedelta(days=1)
    trust["authorities"][0]["keys"][0]["valid_from"] = later.isoformat()
    v = verify(file, trust=trust)
    assert {c.name for c in v.failed} == {"issuer_trusted"}
    assert next(c for c in v.checks if c.name == "issuer_trusted").reason == "key_not_yet_valid"
    assert key.key_id == file["issuer"]["key_id"]


def test_rotation_keeps_old_documents_valid_and_signs_with_the_new_key() -> None:
    authority = make_authority("TH")
    old_doc = issue("commercial_invoice")
    new_key = services.authority_key_add(authority=authority, rotate=True)
    new_doc = issue("commercial_invoice")
    assert new_doc.key_id == new_key.pk
    assert old_doc.key_id != new_key.pk
    assert verify(selectors.document_file(old_doc)).valid
    assert verify(selectors.document_file(new_doc)).valid


def test_backdated_issue_time_fails_anchored_and_signature(issued_form_d: dict[str, Any]) -> None:
    file = copy.deepcopy(issued_form_d)
    file["issued_at"] = "2020-01-01T00:00:00.000000Z"
    names = {c.name for c in verify(file).failed}
    assert {"signature", "anchored"} <= names


def test_invalid_data_gives_field_errors_and_issues_nothing() -> None:
    make_authority("TH")
    data = sample("commercial_invoice")
    data["lines"][0]["hs_code"] = "coffee"
    del data["buyer"]["country"]
    with pytest.raises(errors.InvalidDocument) as exc:
        issue("commercial_invoice", data=data)
    pointers = {e["pointer"] for e in exc.value.extra["errors"]}
    assert pointers == {"/lines/0/hs_code", "/buyer/country"}


def test_no_authority_for_the_country() -> None:
    with pytest.raises(errors.NoIssuingAuthority):
        issue("commercial_invoice", org=make_org(country="MM"))


def test_inconsistent_invoice_fails_consistency() -> None:
    make_authority("TH")
    data = sample("commercial_invoice")
    data["total_minor"] += 1
    v = verify(selectors.document_file(issue("commercial_invoice", data=data)))
    assert {c.name for c in v.failed} == {"consistency"}


def test_form_d_hs_codes_against_its_invoice() -> None:
    make_authority("TH")
    org = make_org(country="TH")
    issue("commercial_invoice", org=org)
    data = sample("atiga_form_d")
    data["items"][1]["hs_code"] = "8471.30"
    bad = issue("atiga_form_d", org=org, data=data)
    result = facade.verify_stored(bad.pk)
    assert {c.name for c in result.checks if not c.ok} == {"consistency"}
    good = issue("atiga_form_d", org=org)
    assert facade.verify_stored(good.pk).valid


def test_form_d_rvc_without_fob_is_refused_and_inconsistent() -> None:
    make_authority("TH")
    data = sample("atiga_form_d")
    del data["items"][1]["fob_value_minor"]
    with pytest.raises(errors.InvalidDocument) as exc:
        issue("atiga_form_d", data=data)
    assert [e["pointer"] for e in exc.value.extra["errors"]] == ["/items/1/fob_value_minor"]
    # A file signed elsewhere without it: the consistency check names it.
    from mekong.customs.documents.verify import _check_consistency

    check = _check_consistency({"type": "atiga_form_d", "data": data}, [])
    assert not check.ok
    assert "FOB" in check.detail


def test_witness_quorum_is_checked(inproc_witnesses: Any) -> None:
    inproc_witnesses(3)
    make_authority("TH")
    file = selectors.document_file(issue("commercial_invoice"))
    assert verify(file).valid
    trust_log = selectors.trust_list()["log"]
    assert len(trust_log["witness_keys"]) == 3
    # A reader who trusts other witnesses does not accept the receipt.
    from mekong.customs import anchoring

    strangers = [w.vkey for w in inproc_witnesses(3, names=["x0.t", "x1.t", "x2.t"])]
    checker = anchoring.receipt_checker(trust_log["key"], strangers)
    assert {c.name for c in verify(file, checker=checker).failed} == {"anchored"}


def test_draft_for_shipment_creates_invoice_and_wo_form_d() -> None:
    from mekong.customs.contracts import ShipmentIn, ShipmentLine

    org = make_org(country="TH")
    coffee = ShipmentLine("Green coffee beans", "0901.11", 10, 32000, "TH", 10000)
    ids = facade.draft_for_shipment(
        ShipmentIn("ORD-1", org.pk, "TH", "Hanoi Roasters", "VN", "THB", [coffee])
    )
    assert len(ids) == 2
    inv, form_d = (facade.document_get(i) for i in ids)
    assert inv is not None
    assert inv.status == "draft"
    assert inv.data["total_minor"] == 320000
    assert form_d is not None
    assert form_d.doc_type == "atiga_form_d"
    assert form_d.data["items"][0]["origin_criterion"] == "WO"
    laptop = ShipmentLine("Laptop", "8471.30", 1, 2000000, "CN", 2000)
    ids = facade.draft_for_shipment(
        ShipmentIn("ORD-2", org.pk, "TH", "Hanoi Roasters", "VN", "THB", [coffee, laptop])
    )
    assert len(ids) == 1


def test_issue_document_facade_and_clock() -> None:
    make_authority("TH")
    org = make_org(country="TH")
    info = facade.issue_document(
        doc_type="packing_list", data=sample("packing_list"), issuer_organisation_id=org.pk
    )
    assert info.status == "issued"
    assert info.issued_at is not None
    assert abs((clock.now() - info.issued_at).total_seconds()) < 3600


def test_form_d_certified_after_departure_is_marked_retroactive() -> None:
    make_authority("TH")
    today = clock.now().date()
    data = sample("atiga_form_d")
    data["transport"]["departure_date"] = (today - timedelta(days=10)).isoformat()
    doc = issue("atiga_form_d", data=data)
    assert doc.data["flags"]["issued_retroactively"] is True
    assert verify(selectors.document_file(doc)).valid
    data["transport"]["departure_date"] = (today - timedelta(days=400)).isoformat()
    with pytest.raises(errors.InvalidDocument) as exc:
        issue("atiga_form_d", data=data)
    assert [e["code"] for e in exc.value.extra["errors"]] == ["retroactive"]
