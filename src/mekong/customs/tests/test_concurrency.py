"""Races on PostgreSQL: concurrent submissions of one draft and revocations of one document."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from mekong.customs import errors, services
from mekong.customs.models import Document, Revocation
from mekong.customs.tests.factories import issue, make_authority, sample
from mekong.identity.tests.factories import actor_of, make_org, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 4


def race(action: Callable[[], Any]) -> list[str]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            action()
            result = "ok"
        except errors.AlreadyIssued:
            result = "already_issued"
        except errors.AlreadyRevoked:
            result = "already_revoked"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_one_draft_submitted_four_times_is_issued_once() -> None:
    make_authority("TH")
    org = make_org(country="TH")
    user = make_user(org=org, role="owner")
    draft = services.document_draft_create(
        organisation_id=org.pk, doc_type="commercial_invoice", data=sample("commercial_invoice")
    )

    def submit() -> None:
        doc = Document.objects.get(pk=draft.pk)
        services.document_submit(actor=actor_of(user, org), document=doc, organisation_country="TH")

    assert race(submit) == ["already_issued"] * 3 + ["ok"]
    doc = Document.objects.get(pk=draft.pk)
    assert doc.status == "issued"
    assert doc.log_index is not None


def test_one_document_revoked_four_times_is_revoked_once() -> None:
    auth_org = make_org(kind="certificate_issuer", country="TH")
    make_authority("TH", org=auth_org)
    officer = make_user(org=auth_org, role="admin")
    doc = issue("atiga_form_d")

    def revoke() -> None:
        fresh = Document.objects.select_related("authority").get(pk=doc.pk)
        services.document_revoke(actor=actor_of(officer, auth_org), document=fresh, reason="x")

    outcomes = race(revoke)
    assert outcomes.count("ok") == 1
    assert set(outcomes) <= {"ok", "already_revoked"}
    assert Revocation.objects.filter(document_id=doc.pk).count() == 1
