"""The published trust list is anchored in the log; an edited copy fails verification."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from mekong.customs import anchoring, selectors, services
from mekong.customs.models import TrustListAnchor
from mekong.customs.tests.factories import issue, make_authority
from mekong.customs.trust_list import published_trust_list
from mekong.identity.tests.factories import actor_of, make_org, make_user

pytestmark = pytest.mark.django_db


def issuer_check(file: dict[str, Any], trust: dict[str, Any]) -> Any:
    v = selectors.verify_parsed(file, trust=trust, checker=anchoring.platform_checker())
    return next(c for c in v.checks if c.name == "issuer_trusted"), v


@pytest.fixture
def form_d() -> dict[str, Any]:
    make_authority("TH")
    file: dict[str, Any] = json.loads(json.dumps(selectors.document_file(issue("atiga_form_d"))))
    return file


def test_published_list_verifies_and_says_when_it_was_anchored(form_d: dict[str, Any]) -> None:
    trust = json.loads(json.dumps(published_trust_list()))
    check, v = issuer_check(form_d, trust)
    assert v.valid, v.failed
    assert "trust list anchored at" in check.detail
    assert trust["anchor"]["sha256"] == TrustListAnchor.objects.get().sha256


def test_same_state_is_anchored_once_and_a_change_anchors_again(form_d: dict[str, Any]) -> None:
    first = published_trust_list()["anchor"]
    assert published_trust_list()["anchor"]["log_index"] == first["log_index"]
    assert TrustListAnchor.objects.count() == 1
    authority = make_authority("TH")
    services.authority_key_add(authority=authority, rotate=True)
    second = published_trust_list()["anchor"]
    assert second["sha256"] != first["sha256"]
    assert second["log_index"] > first["log_index"]
    assert TrustListAnchor.objects.count() == 2


def _slip_in_a_key(trust: dict[str, Any], form_d: dict[str, Any]) -> None:
    other = make_authority("VN")
    key = other.keys.get()
    trust["authorities"][0]["keys"].append(
        {
            "key_id": key.key_id,
            "algorithm": "Ed25519",
            "public_key": key.public_key,
            "valid_from": "2000-01-01T00:00:00.000000Z",
            "valid_until": None,
            "revoked_at": None,
        }
    )


def _drop_revocations(trust: dict[str, Any], form_d: dict[str, Any]) -> None:
    trust["revocations"] = []


def _unrevoke_key(trust: dict[str, Any], form_d: dict[str, Any]) -> None:
    trust["authorities"][0]["keys"][0]["valid_until"] = "2999-01-01T00:00:00.000000Z"


@pytest.mark.parametrize("edit", [_slip_in_a_key, _drop_revocations, _unrevoke_key])
def test_an_edited_list_fails_issuer_trusted(form_d: dict[str, Any], edit: Any) -> None:
    auth_org = make_org(kind="certificate_issuer", country="LA")
    make_authority("LA", org=auth_org)
    la_doc = issue("commercial_invoice", org=make_org(country="LA"))
    services.document_revoke(
        actor=actor_of(make_user(org=auth_org, role="admin"), auth_org), document=la_doc, reason="x"
    )
    trust = json.loads(json.dumps(published_trust_list()))
    assert issuer_check(form_d, trust)[1].valid
    edited = copy.deepcopy(trust)
    edit(edited, form_d)
    check, v = issuer_check(form_d, edited)
    assert not check.ok
    assert check.reason == "trust_list_altered"
    assert {c.name for c in v.failed} >= {"issuer_trusted", "signature"}


def test_an_anchor_pointing_at_another_entry_fails(form_d: dict[str, Any]) -> None:
    trust = json.loads(json.dumps(published_trust_list()))
    trust["anchor"]["receipt"] = form_d["receipt"]  # a valid receipt, of the document
    check, _v = issuer_check(form_d, trust)
    assert (check.ok, check.reason) == (False, "trust_list_anchor_invalid")


def test_malformed_anchor_is_reported_not_raised(form_d: dict[str, Any]) -> None:
    bads: list[Any] = ["x", {"sha256": 5}, {"sha256": "00" * 32, "receipt": "junk"}, []]
    for bad in bads:
        trust = json.loads(json.dumps(published_trust_list()))
        trust["anchor"] = bad
        check, _v = issuer_check(form_d, trust)
        assert not check.ok
        assert check.reason in {"bad_trust_list", "trust_list_altered"}


def test_cli_checks_the_anchor_and_warns_about_a_list_without_one(
    form_d: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = published_trust_list()
    doc_file = tmp_path / "doc.json"
    doc_file.write_text(json.dumps(form_d))
    anchored = tmp_path / "anchored.json"
    anchored.write_text(json.dumps(trust))
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({k: v for k, v in trust.items() if k != "anchor"}))
    from mekong.cli import main

    assert main(["docs", "verify", str(doc_file), "--trust-list", str(anchored)]) == 0
    out = capsys.readouterr()
    assert "trust list anchored at" in out.out
    assert "warning" not in out.err
    assert main(["docs", "verify", str(doc_file), "--trust-list", str(bare)]) == 0
    out = capsys.readouterr()
    assert "carries no anchor" in out.err
    trust["authorities"][0]["name"] = "Forged Authority"
    anchored.write_text(json.dumps(trust))
    assert main(["docs", "verify", str(doc_file), "--trust-list", str(anchored)]) == 1
    assert "trust_list_altered" in capsys.readouterr().out
