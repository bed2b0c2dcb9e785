"""Schemathesis over the payments API as a real participant (a PSP with wallets and money):
no input, valid or malformed, produces a 5xx, and every error is problem+json."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from mekong.identity.tests.factories import make_token
from mekong.payments.tests.factories import make_hub

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex="^/api/v1/payments/"
)


pytestmark = pytest.mark.usefixtures("wsgi_keeps_connection")


@pytest.fixture
def psp_token(db):
    hub = make_hub()
    return make_token(hub.psps["VN"].organisation, role="admin")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@pytest.mark.django_db
def test_payments_api_never_fails_for_a_participant(case, psp_token):
    response = case.call(headers={"Authorization": f"Bearer {psp_token}"})
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    if response.status_code >= 400:
        headers = {k.lower(): v for k, v in response.headers.items()}
        content_type = headers["content-type"]
        if isinstance(content_type, list):
            content_type = content_type[0]
        assert content_type.startswith("application/problem+json")
        body = response.json()
        assert body["status"] == response.status_code
        assert body["code"]
