"""Real payloads from public documentation and libraries (data/qr_payloads.json).

Each entry says what the decoder must make of it: a strict decode with these fields, a strict
rejection naming a tag, and/or a lenient decode with warnings naming tags. The file cites the
source of every payload and marks the few constructed here.
"""

from __future__ import annotations

from typing import Any

import pytest

from mekong.payments.qr import QrError, decode
from mekong.payments.qr.schemes import SCHEMES
from mekong.payments.tests.qr_support import fixtures

_NESTED = ("payee", "additional_data", "language", "tip")


def _ids(entries: tuple[dict[str, Any], ...]) -> list[str]:
    return [e["id"] for e in entries]


VALID = tuple(e for e in fixtures() if "expect" in e)
REJECTED = tuple(e for e in fixtures() if "strict_error_tag" in e)
LENIENT = tuple(e for e in fixtures() if "lenient" in e)


def test_every_entry_cites_a_source_and_says_whether_it_was_constructed() -> None:
    for entry in fixtures():
        assert entry["source"], entry["id"]
        assert isinstance(entry["constructed"], bool), entry["id"]
        assert entry["constructed"] == entry["source"].startswith("constructed"), entry["id"]


def test_at_least_three_valid_payloads_per_scheme() -> None:
    for scheme in SCHEMES:
        found = [e for e in VALID if e["expect"]["scheme"] == scheme]
        assert len(found) >= 3, scheme


@pytest.mark.parametrize("entry", VALID, ids=_ids(VALID))
def test_valid_payload_decodes_strictly(entry: dict[str, Any]) -> None:
    decoded: dict[str, Any] = decode(entry["payload"]).to_dict()
    assert decoded["crc_valid"] is True
    assert "warnings" not in decoded
    for key, expected in entry["expect"].items():
        if key in _NESTED:
            assert {k: decoded[key][k] for k in expected} == expected
        elif key == "raw_tags":
            raw = {node["tag"] for node in decoded["tlv"] if "children" not in node}
            assert set(expected) <= raw
        else:
            assert decoded[key] == expected, key


@pytest.mark.parametrize("entry", REJECTED, ids=_ids(REJECTED))
def test_invalid_payload_is_rejected_naming_the_tag(entry: dict[str, Any]) -> None:
    with pytest.raises(QrError) as caught:
        decode(entry["payload"])
    assert caught.value.tag == entry["strict_error_tag"]
    assert str(caught.value).startswith(f"tag {entry['strict_error_tag']}: ")


@pytest.mark.parametrize("entry", LENIENT, ids=_ids(LENIENT))
def test_quirky_payload_decodes_leniently_with_warnings(entry: dict[str, Any]) -> None:
    decoded: dict[str, Any] = decode(entry["payload"], lenient=True).to_dict()
    expected = dict(entry["lenient"])
    warning_tags = expected.pop("warning_tags")
    assert [w.split(":")[0] for w in decoded["warnings"]] == [f"tag {t}" for t in warning_tags]
    for key, value in expected.items():
        assert decoded[key] == value, key


@pytest.mark.parametrize("entry", VALID, ids=_ids(VALID))
def test_lenient_mode_changes_nothing_for_a_valid_payload(entry: dict[str, Any]) -> None:
    strict = decode(entry["payload"]).to_dict()
    lenient = decode(entry["payload"], lenient=True).to_dict()
    assert lenient.pop("warnings") == []
    assert lenient == strict


@pytest.mark.parametrize("entry", VALID, ids=_ids(VALID))
def test_the_tlv_tree_reassembles_into_the_payload(entry: dict[str, Any]) -> None:
    tree = decode(entry["payload"]).to_dict()["tlv"]
    assert isinstance(tree, list)
    rebuilt = "".join(f"{n['tag']}{len(n['value']):02d}{n['value']}" for n in tree)
    assert rebuilt == entry["payload"]
