"""Identity use cases: organisations, users, memberships, tokens."""

from datetime import timedelta

import pytest

from mekong.core import clock
from mekong.core.events import capture_events
from mekong.core.models import AuditEntry
from mekong.identity import selectors
from mekong.identity.errors import (
    EmailTaken,
    InvalidOrganisation,
    NotAManager,
    SlugTaken,
    TokenNotFound,
)
from mekong.identity.models import ApiToken
from mekong.identity.services import organisation_create, token_issue, token_revoke, user_create
from mekong.identity.tests.factories import actor_of, make_org, make_user

pytestmark = pytest.mark.django_db


def test_organisation_create_normalises_name_audits_and_publishes():
    with capture_events() as events:
        org = organisation_create(name="  Bolaven\u200b Coffee  ", kind="sme", country="la")
    assert org.name == "Bolaven Coffee"
    assert org.country == "LA"
    assert [e.name for e in events] == ["identity.organisation_created"]
    assert AuditEntry.objects.filter(action="organisation.created", object_id=str(org.pk)).exists()


@pytest.mark.parametrize(
    ("_case", "kwargs", "field"),
    [
        ("unknown type", {"name": "X", "kind": "bank", "country": "TH"}, "kind"),
        ("unknown country", {"name": "X", "kind": "sme", "country": "ZZ"}, "country"),
        ("empty name", {"name": "  ", "kind": "sme", "country": "TH"}, "name"),
    ],
)
def test_organisation_create_rejects_bad_input(_case, kwargs, field):
    with pytest.raises(InvalidOrganisation) as exc:
        organisation_create(**kwargs)
    assert field in [e["field"] for e in exc.value.extra["errors"]]


def test_duplicate_slug_is_a_conflict():
    organisation_create(name="Same", kind="sme", country="TH")
    with pytest.raises(SlugTaken):
        organisation_create(name="Same", kind="buyer", country="VN")


def test_user_email_is_unique_case_insensitively():
    user_create(email="Lan@Example.org", password="x" * 12)
    with pytest.raises(EmailTaken):
        user_create(email="lan@example.ORG", password="y" * 12)


def test_token_issue_stores_only_a_digest_and_authenticates():
    org = make_org()
    admin = make_user(org=org, role="admin")
    token, secret = token_issue(actor=actor_of(admin, org), organisation_id=org.pk, name="erp")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.digest, stored.prefix, stored.name)
    assert secret.startswith(f"mkt_{stored.prefix}_")
    actor = selectors.actor_for_token(secret)
    assert actor is not None
    assert (actor.organisation_id, actor.token_id, actor.role) == (org.pk, token.pk, "member")
    audit = AuditEntry.objects.get(action="api_token.issued")
    assert secret not in str(audit.data)


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_only_managers_issue_tokens(role):
    org = make_org()
    user = make_user(org=org, role=role)
    with pytest.raises(NotAManager):
        token_issue(actor=actor_of(user, org), organisation_id=org.pk, name="x")
    assert ApiToken.objects.count() == 0


def test_a_manager_of_one_org_cannot_touch_another_orgs_tokens():
    org_a, org_b = make_org(), make_org()
    admin_a = make_user(org=org_a, role="owner")
    admin_b = make_user(org=org_b, role="owner")
    token_b, _ = token_issue(actor=actor_of(admin_b, org_b), organisation_id=org_b.pk, name="b")
    with pytest.raises(NotAManager):
        token_issue(actor=actor_of(admin_a, org_a), organisation_id=org_b.pk, name="x")
    with pytest.raises(NotAManager):
        token_revoke(actor=actor_of(admin_a, org_a), organisation_id=org_b.pk, token_id=token_b.pk)
    # Asking for org B's token through org A's scope finds nothing.
    with pytest.raises(TokenNotFound):
        token_revoke(actor=actor_of(admin_a, org_a), organisation_id=org_a.pk, token_id=token_b.pk)
    assert ApiToken.objects.get(pk=token_b.pk).revoked_at is None


def test_revoked_and_expired_tokens_stop_working():
    org = make_org()
    admin = make_user(org=org, role="admin")
    actor = actor_of(admin, org)
    t1, s1 = token_issue(actor=actor, organisation_id=org.pk, name="a")
    _t2, s2 = token_issue(
        actor=actor, organisation_id=org.pk, name="b", expires_at=clock.now() + timedelta(hours=1)
    )
    token_revoke(actor=actor, organisation_id=org.pk, token_id=t1.pk)
    token_revoke(actor=actor, organisation_id=org.pk, token_id=t1.pk)  # idempotent
    assert selectors.actor_for_token(s1) is None
    assert selectors.actor_for_token(s2) is not None
    with clock.frozen(clock.now() + timedelta(hours=2)):
        assert selectors.actor_for_token(s2) is None
    assert AuditEntry.objects.filter(action="api_token.revoked").count() == 1


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "mkt_",
        "mkt_short_x",
        "Bearer abc",
        "mkt_00000000_" + "A" * 43,
        "x" * 5000,
        "mkt_\x00\x00_z",
    ],
)
def test_garbage_tokens_do_not_authenticate(raw):
    make_token_org = make_org()
    assert make_token_org.pk
    assert selectors.actor_for_token(raw) is None
