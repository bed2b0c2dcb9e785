"""The pure core without Django or a database: canonical JSON, disclosure, origin criteria,
schemas. Runs with the database blocked (no ``django_db`` mark)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from mekong.customs.documents import disclosure, origin, schemas
from mekong.customs.documents.canonical import canonical_scalars
from mekong.customs.tests.factories import SAMPLES, sample

scalar = st.one_of(
    st.text(), st.integers(min_value=-(2**60), max_value=2**60), st.booleans(), st.none()
)


@given(st.tuples(scalar, scalar, scalar))
def test_fast_canonical_scalars_equal_rfc8785(values: tuple[Any, ...]) -> None:
    try:
        expected = rfc8785.dumps(list(values))
    except Exception:
        return
    assert canonical_scalars(values) == expected


@given(
    st.recursive(
        scalar,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=5), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_hash_survives_any_redaction(data: Any) -> None:
    try:
        rfc8785.dumps(data)
    except Exception:
        return
    salts = disclosure.make_salts(data)
    full = disclosure.document_hash(data, salts)
    for pointer in list(disclosure.flatten(data))[:3]:
        if not pointer or pointer.rsplit("/", 1)[-1].isdigit():
            continue  # the root, or an item of an array of scalars: not hideable alone
        try:
            red, red_salts, hidden = disclosure.redact(data, salts, [], [pointer])
        except disclosure.DisclosureError:
            continue
        assert disclosure.document_hash(red, red_salts, hidden) == full


def test_redaction_of_array_items_keeps_indices() -> None:
    data = sample("commercial_invoice")
    salts = disclosure.make_salts(data)
    full = disclosure.document_hash(data, salts)
    red, red_salts, hidden = disclosure.redact(data, salts, [], ["/lines/0"])
    assert red["lines"][0] == {}
    assert red["lines"][1]["hs_code"] == "0813.40"
    assert disclosure.document_hash(red, red_salts, hidden) == full
    # The hidden fields' hashes are part of the document hash.
    assert disclosure.document_hash(red, red_salts, []) != full


@pytest.mark.parametrize(
    ("text", "fob"),
    [("WO", False), ("RVC 40%", True), ("40%", True), ("CTH", False), ("CTSH + 35%", True),
     ("RVC 40% or CTH", True), ("PC 25%", True), ("SP", False), ("PE", False), ("CC", False)],
)  # fmt: skip
def test_origin_criteria(text: str, fob: bool) -> None:
    assert origin.parse_criterion(text).needs_fob is fob


@pytest.mark.parametrize("text", ["", "XX", "RVC", "PC 40%", "RVC 140%", "WO + CTH", "40"])
def test_bad_origin_criteria(text: str) -> None:
    with pytest.raises(origin.CriterionError):
        origin.parse_criterion(text)


@pytest.mark.parametrize("doc_type", sorted(SAMPLES))
def test_samples_are_valid(doc_type: str) -> None:
    assert schemas.validate(doc_type, sample(doc_type)) == []


def test_schema_errors_are_field_level() -> None:
    data = sample("atiga_form_d")
    data["items"][0]["hs_code"] = "09"
    data["items"][0]["quantity"]["unit"] = "barrels"
    data["flags"]["back_to_back"] = True
    data["consignee"]["country"] = "Vietnam"
    data["extra"] = 1
    del data["transport"]["port_of_discharge"]
    found = {(e.pointer, e.code) for e in schemas.validate("atiga_form_d", data)}
    assert found == {
        ("/items/0/hs_code", "pattern"),
        ("/items/0/quantity/unit", "enum"),
        ("/back_to_back_original", "required"),
        ("/consignee/country", "pattern"),
        ("/extra", "unknown_field"),
        ("/transport/port_of_discharge", "required"),
    }


def test_every_form_d_box_is_in_the_schema() -> None:
    schema = schemas.schema_for("atiga_form_d")
    text = json.dumps(schema)
    for box in range(1, 14):
        assert f"Box {box}" in text or f"box {box}" in text, box


@pytest.mark.parametrize(
    ("doc_type", "change"),
    [
        ("packing_list", lambda d: d.update(total_gross_weight_grams=1)),
        ("customs_declaration", lambda d: d["items"][0].update(serial_number=2)),
        ("atiga_form_d", lambda d: d["items"][1].update(item_number=1)),
        ("commercial_invoice", lambda d: d["lines"][0].update(amount_minor=1)),
    ],
)
def test_consistency_rules(doc_type: str, change: Any) -> None:
    from mekong.customs.documents.verify import _check_consistency

    data = sample(doc_type)
    assert _check_consistency({"type": doc_type, "data": data}, []).ok
    change(data)
    check = _check_consistency({"type": doc_type, "data": data}, [])
    assert not check.ok
    assert check.reason == "inconsistent"


def test_pure_core_imports_no_django() -> None:
    """The vendorable package runs without Django installed in the process."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import mekong.customs.documents.verify, mekong.customs.documents.schemas\n"
        "import mekong.customs.documents.disclosure, mekong.customs.documents.signing\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("departure", "certified", "retro", "ok"),
    [
        ("2026-12-05", "2026-12-04", False, True),
        ("2026-12-05", "2026-12-05", False, True),
        ("2026-12-05", "2026-12-20", False, False),
        ("2026-12-05", "2026-12-20", True, True),
        ("2026-12-05", "2027-12-06", True, False),
        ("2026-12-05", "2026-12-01", True, False),
    ],
)
def test_issued_retroactively(departure: str, certified: str, retro: bool, ok: bool) -> None:
    data = sample("atiga_form_d")
    data["transport"]["departure_date"] = departure
    data["certification"] = {"place": "Bangkok", "date": certified, "authority": "DFT"}
    data["flags"]["issued_retroactively"] = retro
    errors = [e for e in schemas.validate("atiga_form_d", data) if e.code == "retroactive"]
    assert (errors == []) is ok
    if not ok:
        assert errors[0].pointer == "/flags/issued_retroactively"
