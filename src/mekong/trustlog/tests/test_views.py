"""The "Verify a receipt" page: forms, results, escaping, CSRF."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mekong.trustlog import facade
from mekong.trustlog.tests.conftest import LOG_VKEY

pytestmark = pytest.mark.django_db

URL = "/en/log/verify/"


@pytest.fixture
def anchored(inproc_witnesses):
    witnesses = inproc_witnesses(3)
    receipt = facade.anchor("customs.certificate", b"sha256:certificate-42")
    return receipt, [w.vkey for w in witnesses]


def _outcomes(html: str) -> dict[str, list[str]]:
    """``data-check`` code -> the pass/fail class of each row, in order."""
    out: dict[str, list[str]] = {}
    for cls, code in re.findall(r'<tr class="check (pass|fail)" data-check="([a-z_]+)">', html):
        out.setdefault(code, []).append(cls)
    return out


def _post(client, receipt_text: str, keys: list[str], **extra):
    data = {"receipt": receipt_text, "log_key": LOG_VKEY, "witness_keys": "\n".join(keys)}
    data.update(extra)
    return client.post(URL, data)


def test_url_name_and_prefilled_configured_keys(client, anchored):
    _, keys = anchored

    response = client.get(reverse("trustlog:verify"))

    assert reverse("trustlog:verify") == URL
    html = response.content.decode()
    assert response.status_code == 200
    assert LOG_VKEY in html
    assert all(k in html for k in keys)


def test_valid_receipt_passes_every_check(client, anchored):
    receipt, keys = anchored

    response = _post(client, receipt.to_json(), keys)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Valid receipt: every check passed." in html
    assert _outcomes(html) == {
        "entry_hash": ["pass"],
        "log_signature": ["pass"],
        "inclusion": ["pass"],
        "cosignature": ["pass", "pass", "pass"],
        "quorum": ["pass"],
    }
    assert "3 of 3 witnesses cosigned; 2 required." in html


def test_tampered_receipt_names_the_failing_check(client, anchored):
    receipt, keys = anchored
    data = receipt.to_dict()
    data["entry"]["data"] = "c2hhMjU2OmZvcmdlZA=="  # "sha256:forged"

    response = _post(client, json.dumps(data), keys)

    html = response.content.decode()
    assert "Invalid receipt: 2 checks failed." in html
    assert _outcomes(html)["entry_hash"] == ["fail"]
    assert _outcomes(html)["inclusion"] == ["fail"]
    assert _outcomes(html)["log_signature"] == ["pass"]
    assert "The entry&#x27;s data does not match the leaf hash in the receipt." in html


def test_uploaded_file_and_quorum(client, anchored):
    receipt, keys = anchored
    upload = SimpleUploadedFile("receipt.json", receipt.to_json().encode(), "application/json")

    response = client.post(
        URL, {"receipt_file": upload, "log_key": LOG_VKEY, "witness_keys": keys[0], "quorum": 1}
    )

    assert "Valid receipt" in response.content.decode()
    assert _outcomes(response.content.decode())["cosignature"] == ["pass"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"receipt": "not json"}, "This is not a readable receipt"),
        ({"receipt": ""}, "Paste a receipt or upload its file."),
        ({"log_key": "nonsense"}, "This is not a valid log verifier key."),
        ({"witness_keys": "a\nb"}, "Line 1 is not a valid witness verifier key."),
    ],
)
def test_bad_input_is_explained(client, anchored, fields, message):
    receipt, keys = anchored
    data = {"receipt": receipt.to_json(), "log_key": LOG_VKEY, "witness_keys": "\n".join(keys)}
    data.update(fields)

    response = client.post(URL, data)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_user_text_is_escaped(client, anchored):
    receipt, keys = anchored
    data = receipt.to_dict()
    data["entry"]["kind"] = "<script>alert(1)</script>"

    html = _post(client, json.dumps(data), keys).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert _outcomes(html)["entry_hash"] == ["fail"]


def test_post_needs_the_csrf_token(anchored):
    receipt, keys = anchored
    client = Client(enforce_csrf_checks=True)

    response = _post(client, receipt.to_json(), keys)

    assert response.status_code == 403


def test_page_in_thai_keeps_the_checks(client, anchored):
    receipt, keys = anchored

    response = client.post(
        "/th/log/verify/",
        {"receipt": receipt.to_json(), "log_key": LOG_VKEY, "witness_keys": "\n".join(keys)},
    )

    assert response.status_code == 200
    assert '<html lang="th">' in response.content.decode()
    assert len(_outcomes(response.content.decode())["cosignature"]) == 3
