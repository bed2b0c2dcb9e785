"""A teaching test file: how tests are written on this platform (after Zulip's test_example).

Read it top to bottom before writing your first test. Each test is real and can fail.
"""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from mekong.core.events import capture_events
from mekong.core.money import Money
from mekong.identity.services import token_issue

# Factories build leaf entities *through the services*, so every object a test sees is one the
# platform could really have produced (audit rows and events included).
from mekong.identity.tests.factories import actor_of, make_org, make_user


# 1. Database access is opt-in: mark the test (or the module with `pytestmark`). Each test runs
#    in a transaction that is rolled back afterwards, so tests never see each other's rows.
@pytest.mark.django_db
def test_a_service_call_with_given_when_then():
    # Given an organisation with an owner
    org = make_org(kind="psp", country="TH")
    owner = make_user(org=org, role="owner")
    # When the owner issues a token, capturing the domain events it publishes
    with capture_events() as events:
        token, secret = token_issue(actor=actor_of(owner, org), organisation_id=org.pk, name="erp")
    # Then assert exact values, not just "something happened"
    assert token.organisation_id == org.pk
    assert secret.startswith("mkt_")
    assert [e.name for e in events] == ["identity.api_token_issued"]


# 2. Test through stable interfaces: here the HTTP API, exactly as a client would call it.
#    `django_assert_max_num_queries` pins a query budget so an N+1 cannot creep in unnoticed.
@pytest.mark.django_db
def test_the_api_like_a_client(django_assert_max_num_queries):
    org = make_org()
    owner = make_user(org=org, role="owner")
    _token, secret = token_issue(actor=actor_of(owner, org), organisation_id=org.pk, name="t")
    with django_assert_max_num_queries(3):
        response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["organisation_id"] == org.pk


# 3. Parametrise with a leading `_case` string so failures read like a sentence.
@pytest.mark.parametrize(
    ("_case", "amount", "currency", "minor"),
    [("baht with satang", "12.50", "THB", 1250), ("dong has no minor unit", "25000", "VND", 25000)],
)
def test_parametrised(_case, amount, currency, minor):
    assert Money.from_decimal(amount, currency).minor == minor


# 4. Where an invariant is crisp, state it as a property and let hypothesis find the counterexample.
@given(a=st.integers(-(10**12), 10**12), b=st.integers(-(10**12), 10**12))
def test_a_property(a, b):
    assert (Money(a, "LAK") + Money(b, "LAK")) - Money(b, "LAK") == Money(a, "LAK")
