"""Schemathesis over the OpenAPI schema: no input, valid or malformed, produces a 5xx, and
every error is problem+json. Runs each operation with and without a valid API token."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from mekong.identity.tests.factories import make_org, make_token

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


pytestmark = pytest.mark.usefixtures("wsgi_keeps_connection")


@pytest.fixture
def admin_token(db):
    return make_token(make_org(name="Fuzz Org"), role="admin")


def _check(response):
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    if response.status_code >= 400:
        headers = {k.lower(): v for k, v in response.headers.items()}
        content_type = headers["content-type"]
        if isinstance(content_type, list):
            content_type = content_type[0]
        assert content_type.startswith("application/problem+json")
        body = response.json()
        assert body["status"] == response.status_code
        assert isinstance(body["code"], str)
        assert body["code"]


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@pytest.mark.django_db
def test_api_never_fails_with_token(case, admin_token):
    _check(case.call(headers={"Authorization": f"Bearer {admin_token}"}))


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_never_fails_anonymous(case):
    _check(case.call())
