"""The API's platform-wide behaviour: health, problem+json for every error."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_is_public():
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] in {"sqlite", "postgresql"}


@pytest.mark.parametrize(
    ("_case", "method", "path", "body", "status", "code"),
    [
        ("unknown path", "get", "/api/v1/nope", None, 404, "not_found"),
        ("no credentials", "get", "/api/v1/me", None, 401, "not_authenticated"),
        ("wrong method", "put", "/api/v1/health", None, 405, "method_not_allowed"),
    ],
)
def test_errors_are_problem_json(_case, method, path, body, status, code):
    response = getattr(Client(), method)(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["code"]) == (status, code)
    assert problem["type"].endswith(code)


def test_malformed_json_body_is_400_problem():
    from mekong.identity.tests.factories import make_org, make_token

    secret = make_token(make_org(), role="admin")
    org_id = (
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["organisation_id"]
    )
    response = Client().post(
        f"/api/v1/organisations/{org_id}/tokens",
        data=b"{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_validation_error_lists_fields():
    from mekong.identity.tests.factories import make_org, make_token

    secret = make_token(make_org(), role="admin")
    org_id = (
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["organisation_id"]
    )
    response = Client().post(
        f"/api/v1/organisations/{org_id}/tokens",
        {"name": "", "role": "owner"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert {tuple(e["loc"])[-1] for e in problem["errors"]} == {"name", "role"}


def test_problem_detail_is_translated():
    response = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
