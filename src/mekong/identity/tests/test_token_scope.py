"""Token scopes (ADR 0011): ``all`` works wherever its role does, as every token did before
scopes existed; ``sandbox`` is refused with 403 ``sandbox_token`` outside the payments sandbox,
by identity's `TokenAuth`, for every endpoint at once. The payments side (registration, the
live-endpoint matrix, the sweep over the whole API) is in payments/tests/test_sandbox_tokens.py.
"""

import pytest
from django.test import Client
from django.urls import reverse

from mekong.core.models import AuditEntry
from mekong.identity import facade, selectors
from mekong.identity.auth import scope_allows
from mekong.identity.errors import InvalidOrganisation, NotAManager
from mekong.identity.models import ApiToken, TokenScope
from mekong.identity.services import token_issue
from mekong.identity.tests.factories import actor_of, make_org, make_token, make_user

pytestmark = pytest.mark.django_db

SANDBOX_ROUTE = "api/v1/payments/sandbox/quotes"


@pytest.mark.parametrize(
    ("scope", "route", "allowed"),
    [
        (None, "api/v1/payments/quotes", True),  # a session
        ("all", "api/v1/payments/quotes", True),
        ("all", SANDBOX_ROUTE, True),
        ("sandbox", SANDBOX_ROUTE, True),
        ("sandbox", "api/v1/payments/sandbox/register", True),
        ("sandbox", "api/v1/payments/quotes", False),
        ("sandbox", "api/v1/payments/sandbox", False),  # the prefix needs its slash
        ("sandbox", "api/v1/payments/sandboxes/quotes", False),
        ("sandbox", "api/v1/marketplace/orders", False),
        ("sandbox", "taxii2/", False),
        ("sandbox", None, False),  # route unknown: fail closed
        ("something-new", SANDBOX_ROUTE, False),  # unknown scope: fail closed
    ],
)
def test_scope_allows(scope, route, allowed):
    assert scope_allows(scope, route) is allowed


@pytest.fixture
def org_admin():
    org = make_org(name="Scope Org")
    admin = make_user(org=org, role="admin")
    return org, admin


def _issue(org, admin, **kwargs):
    return token_issue(actor=actor_of(admin, org), organisation_id=org.pk, name="t", **kwargs)


def test_tokens_default_to_all_and_actors_carry_the_scope(org_admin):
    org, admin = org_admin
    token, secret = _issue(org, admin)
    assert token.scope == TokenScope.ALL
    actor = selectors.actor_for_token(secret)
    assert actor is not None
    assert actor.token_scope == "all"
    sandbox_token, sandbox_secret = _issue(org, admin, scope="sandbox")
    sandbox_actor = selectors.actor_for_token(sandbox_secret)
    assert sandbox_actor is not None
    assert (sandbox_actor.token_id, sandbox_actor.token_scope) == (sandbox_token.pk, "sandbox")
    assert actor_of(admin, org).token_scope is None  # sessions have no scope
    audit = AuditEntry.objects.get(action="api_token.issued", object_id=sandbox_token.pk)
    assert audit.data["scope"] == "sandbox"


def test_unknown_scope_is_refused(org_admin):
    org, admin = org_admin
    with pytest.raises(InvalidOrganisation) as raised:
        _issue(org, admin, scope="live-only")
    assert raised.value.extra["errors"] == [{"field": "scope", "code": "invalid_choice"}]
    assert ApiToken.objects.filter(organisation=org).count() == 0


def test_facade_issues_a_sandbox_member_token_for_managers_only(org_admin):
    org, admin = org_admin
    issued = facade.sandbox_token_issue(actor=actor_of(admin, org), organisation_id=org.pk)
    assert (issued.name, issued.role, issued.scope) == ("sandbox", "member", "sandbox")
    assert issued.secret not in repr(issued)
    assert ApiToken.objects.get(pk=issued.id).scope == "sandbox"
    member = make_user(org=org, role="member")
    with pytest.raises(NotAManager):
        facade.sandbox_token_issue(actor=actor_of(member, org), organisation_id=org.pk)


def test_identity_api_issues_lists_and_refuses_sandbox_tokens(org_admin):
    org, _admin = org_admin
    admin_token = make_token(org, role="admin")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {admin_token}"}
    base = f"/api/v1/organisations/{org.pk}/tokens"
    client = Client()
    created = client.post(
        base, {"name": "ci", "scope": "sandbox"}, content_type="application/json", **auth
    )
    assert created.status_code == 201, created.content
    assert created.json()["scope"] == "sandbox"
    bad = client.post(base, {"name": "x", "scope": "god"}, content_type="application/json", **auth)
    assert bad.status_code == 422
    listed = {t["name"]: t["scope"] for t in client.get(base, **auth).json()["items"]}
    assert listed["ci"] == "sandbox"
    assert listed["t"] == "all"  # the factory's token: the default scope
    # The sandbox token cannot use identity's API, not even to read itself.
    sandbox = {"HTTP_AUTHORIZATION": f"Token {created.json()['token']}"}
    for path in ("/api/v1/me", base):
        refused = client.get(path, **sandbox)
        assert refused.status_code == 403
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["code"] == "sandbox_token"
    assert client.get("/api/v1/me", **auth).status_code == 200


def test_organisation_page_shows_each_tokens_scope_escaped(client, org_admin):
    org, admin = org_admin
    token_issue(
        actor=actor_of(admin, org), organisation_id=org.pk, name="<b>ci</b>", scope="sandbox"
    )
    client.force_login(admin)
    page = client.get(reverse("identity:organisation", args=[org.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<td data-testid="token-scope">Payments sandbox only</td>' in html
    assert "&lt;b&gt;ci&lt;/b&gt;" in html
    assert "<b>ci</b>" not in html


def test_taxii_refuses_a_sandbox_token(org_admin):
    org, admin = org_admin
    _token, normal = _issue(org, admin)
    _sandbox, sandbox = _issue(org, admin, scope="sandbox")
    client = Client()
    accept = {"HTTP_ACCEPT": "application/taxii+json;version=2.1"}
    ok = client.get("/taxii2/", HTTP_AUTHORIZATION=f"Token {normal}", **accept)
    assert ok.status_code == 200
    refused = client.get("/taxii2/", HTTP_AUTHORIZATION=f"Token {sandbox}", **accept)
    assert refused.status_code == 403
    # In TAXII's own error format, which a TAXII client can read.
    assert refused["Content-Type"].startswith("application/taxii+json")
    assert refused.json()["http_status"] == "403"
    assert "sandbox" in refused.json()["description"].lower()
