"""The demo seed: authorities in five countries, documents that verify, idempotent."""

from __future__ import annotations

import pytest

from mekong.customs import demo, facade
from mekong.customs.models import Document, IssuingAuthority
from mekong.identity.tests.factories import make_org

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_documents_verify() -> None:
    for country in demo.COUNTRIES:
        for kind in ("sme", "buyer", "certificate_issuer"):
            make_org(kind=kind, country=country)
    lines = demo.seed()
    assert "5 issuing authorities" in lines[0]
    assert set(IssuingAuthority.objects.values_list("country", flat=True)) == set(demo.COUNTRIES)
    docs = list(Document.objects.all())
    assert len(docs) == 5
    results = {d.source_ref: facade.verify_stored(d.pk) for d in docs}
    assert all(r.valid for ref, r in results.items() if not ref.endswith("revoked"))
    revoked = results["demo-th-form-d-revoked"]
    assert [c.name for c in revoked.checks if not c.ok] == ["not_revoked"]
    demo.seed()
    assert Document.objects.count() == 5
