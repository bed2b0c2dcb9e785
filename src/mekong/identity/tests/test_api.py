"""Identity API: authentication schemes and the object-level authorisation matrix."""

import pytest
from django.test import Client

from mekong.identity.models import ApiToken
from mekong.identity.services import token_issue
from mekong.identity.tests.factories import (
    PASSWORD,
    actor_of,
    client_for,
    make_org,
    make_token,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Org A (the target) and org B, with tokens and users of each kind."""
    org_a, org_b = make_org(name="Org A"), make_org(name="Org B", country="VN")
    owner_a = make_user(org=org_a, role="owner")
    viewer_a = make_user(org=org_a, role="viewer")
    owner_b = make_user(org=org_b, role="owner")
    victim, _ = token_issue(actor=actor_of(owner_a, org_a), organisation_id=org_a.pk, name="v")
    return {
        "org_a": org_a,
        "victim_token_id": victim.pk,
        "credentials": {
            "anonymous": None,
            "token_member_a": ("token", make_token(org_a, role="member")),
            "token_admin_a": ("token", make_token(org_a, role="admin")),
            "token_admin_b": ("token", make_token(org_b, role="admin")),
            "session_owner_a": ("session", owner_a),
            "session_viewer_a": ("session", viewer_a),
            "session_owner_b": ("session", owner_b),
        },
    }


# Expected status per (endpoint, caller). Org A is the target of every call.
MATRIX = {
    "get_org": {
        "anonymous": 401,
        "token_member_a": 200,
        "token_admin_a": 200,
        "token_admin_b": 404,
        "session_owner_a": 200,
        "session_viewer_a": 200,
        "session_owner_b": 404,
    },
    "list_tokens": {
        "anonymous": 401,
        "token_member_a": 403,
        "token_admin_a": 200,
        "token_admin_b": 403,
        "session_owner_a": 200,
        "session_viewer_a": 403,
        "session_owner_b": 403,
    },
    "create_token": {
        "anonymous": 401,
        "token_member_a": 403,
        "token_admin_a": 201,
        "token_admin_b": 403,
        "session_owner_a": 201,
        "session_viewer_a": 403,
        "session_owner_b": 403,
    },
    "revoke_token": {
        "anonymous": 401,
        "token_member_a": 403,
        "token_admin_a": 200,
        "token_admin_b": 403,
        "session_owner_a": 200,
        "session_viewer_a": 403,
        "session_owner_b": 403,
    },
}
CALLERS = list(MATRIX["get_org"])


@pytest.mark.parametrize("endpoint", list(MATRIX))
@pytest.mark.parametrize("caller", CALLERS)
def test_authorisation_matrix(world, endpoint, caller):
    client, headers = client_for(world["credentials"][caller])
    org_id = world["org_a"].pk
    base = f"/api/v1/organisations/{org_id}"
    before = ApiToken.objects.filter(organisation_id=org_id, revoked_at__isnull=True).count()
    if endpoint == "get_org":
        response = client.get(base, **headers)
    elif endpoint == "list_tokens":
        response = client.get(f"{base}/tokens", **headers)
    elif endpoint == "create_token":
        response = client.post(
            f"{base}/tokens", {"name": "new"}, content_type="application/json", **headers
        )
    else:
        response = client.delete(f"{base}/tokens/{world['victim_token_id']}", **headers)
    expected = MATRIX[endpoint][caller]
    assert response.status_code == expected, response.content
    after = ApiToken.objects.filter(organisation_id=org_id, revoked_at__isnull=True).count()
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == expected
        assert after == before  # a refused call changes nothing
    if expected == 404:
        # Another organisation's id looks exactly like a missing one.
        assert response.json()["code"] == "organisation_not_found"


def test_list_shows_only_own_organisations(world, django_assert_max_num_queries):
    client, headers = client_for(world["credentials"]["token_admin_b"])
    with django_assert_max_num_queries(4):
        body = client.get("/api/v1/organisations", **headers).json()
    assert body["count"] == 1
    assert [o["name"] for o in body["items"]] == ["Org B"]


def test_token_scheme_is_accepted_like_bearer(world):
    secret = world["credentials"]["token_member_a"][1]
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 200
    assert response.json()["organisation_id"] == world["org_a"].pk


def test_new_token_secret_is_returned_once_and_works(world):
    client, headers = client_for(world["credentials"]["token_admin_a"])
    created = client.post(
        f"/api/v1/organisations/{world['org_a'].pk}/tokens",
        {"name": "erp", "role": "viewer"},
        content_type="application/json",
        **headers,
    ).json()
    assert created["role"] == "viewer"
    listed = client.get(f"/api/v1/organisations/{world['org_a'].pk}/tokens", **headers).json()
    assert all("token" not in item for item in listed["items"])
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {created['token']}").json()
    assert me["role"] == "viewer"


def test_session_writes_need_csrf(world):
    client = Client(enforce_csrf_checks=True)
    owner = world["credentials"]["session_owner_a"][1]
    assert client.login(email=owner.email, password=PASSWORD)
    response = client.post(
        f"/api/v1/organisations/{world['org_a'].pk}/tokens",
        {"name": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert ApiToken.objects.filter(name="x").count() == 0
    # With the token from the cookie, in the header, as a page's script sends it: accepted.
    response = client.post(
        f"/api/v1/organisations/{world['org_a'].pk}/tokens",
        {"name": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=_csrf_cookie(client),
    )
    assert response.status_code == 201, response.content
    assert ApiToken.objects.filter(name="x").count() == 1


@pytest.mark.parametrize("how", ["unknown-session", "logged-out"])
def test_a_write_with_a_dead_session_cookie_is_told_to_authenticate(world, how):
    """A session cookie that authenticates no one is no session: 401, as with no cookie,
    not 403 ``csrf_failed`` (fetching a CSRF token would not help)."""
    client = Client(enforce_csrf_checks=True)
    if how == "unknown-session":
        client.cookies["sessionid"] = "no-such-session"
    else:
        owner = world["credentials"]["session_owner_a"][1]
        assert client.login(email=owner.email, password=PASSWORD)
        old = client.cookies["sessionid"].value
        client.logout()
        client.cookies["sessionid"] = old  # the browser still sends the old cookie
    response = client.post(
        f"/api/v1/organisations/{world['org_a'].pk}/tokens",
        {"name": "x"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert ApiToken.objects.filter(name="x").count() == 0


def _csrf_cookie(client: Client) -> str:
    """A CSRF token for ``client``'s session, as a page would have set it."""
    client.get("/en/")  # any page that renders a form sets the cookie
    return client.cookies["csrftoken"].value


def _me(secret):
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


@pytest.mark.parametrize("spoil", ["revoked", "expired", "organisation_inactive", "wrong_secret"])
def test_a_token_that_no_longer_holds_is_refused(world, spoil):
    from datetime import timedelta

    from mekong.core import clock

    secret = world["credentials"]["token_member_a"][1]
    assert _me(secret) == 200
    token = ApiToken.objects.get(prefix=secret.split("_")[1])
    if spoil == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=clock.now())
    elif spoil == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=clock.now() - timedelta(seconds=1))
    elif spoil == "organisation_inactive":
        world["org_a"].is_active = False
        world["org_a"].save(update_fields=["is_active"])
    else:  # the right prefix with another secret
        secret = secret[: secret.rindex("_") + 1] + "x" * len(secret.split("_", 2)[2])
    assert _me(secret) == 401
    # The other organisation's token is untouched.
    assert _me(world["credentials"]["token_admin_b"][1]) == 200


@pytest.mark.parametrize("authorization", ["", "Bearer mk_nope_nope", "Basic eDp5"])
def test_a_write_without_valid_credentials_is_told_to_authenticate(world, authorization):
    """With CSRF enforced, as for a real client: no session cookie means nothing for CSRF to
    protect, so a missing or bad token answers 401 ``not_authenticated``, not a bare 403."""
    client = Client(enforce_csrf_checks=True)
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.post(
        f"/api/v1/organisations/{world['org_a'].pk}/tokens",
        {"name": "x"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert ApiToken.objects.filter(name="x").count() == 0
