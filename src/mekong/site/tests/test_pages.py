"""Site shell pages: six languages in the URL, language switcher, login, organisation page."""

import re

import pytest
from django.test import Client

from mekong.identity.models import ApiToken
from mekong.identity.tests.factories import PASSWORD, make_org, make_user

pytestmark = pytest.mark.django_db

LANGS = ["en", "th", "vi", "km", "lo", "my"]
# The home page's heading in each language (from the compiled catalogues).
HEADINGS = {
    "en": "One digital economy for the Mekong",
    "th": "เศรษฐกิจดิจิทัลหนึ่งเดียวของลุ่มน้ำโขง",
    "vi": "Một nền kinh tế số chung cho vùng Mê Kông",
    "km": "សេដ្ឋកិច្ចឌីជីថលតែមួយសម្រាប់តំបន់មេគង្គ",
    "lo": "ເສດຖະກິດດິຈິຕອນດຽວສຳລັບລຸ່ມແມ່ນ້ຳຂອງ",
    "my": "မဲခေါင်ဒေသအတွက် ဒစ်ဂျစ်တယ်စီးပွားရေး တစ်ခုတည်း",
}


@pytest.mark.parametrize("lang", LANGS)
def test_home_in_every_language(lang, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = Client().get(f"/{lang}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert HEADINGS[lang] in html
    # The switcher links to the same page in every language.
    for other in LANGS:
        assert f'href="/{other}/" lang="{other}"' in html


def test_root_redirects_to_the_browsers_language():
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="lo-LA,lo;q=0.9")
    assert response.status_code == 302
    assert response["Location"] == "/lo/"


def test_home_formats_money_per_locale():
    assert "฿5,000.00" in Client().get("/th/").content.decode()
    assert "5.000,00\xa0฿" in Client().get("/vi/").content.decode()


def test_home_has_landmarks_and_skip_link():
    html = Client().get("/en/").content.decode()
    for marker in (
        '<main id="main"',
        "<header",
        "<footer",
        'class="skip-link" href="#main"',
        "<nav",
    ):
        assert marker in html


def test_login_logout_and_organisation_page():
    org = make_org(name="Bolaven Coffee")
    user = make_user(org=org, role="owner", email="somchanh@example.org")
    client = Client(enforce_csrf_checks=True)
    page = client.get("/lo/login/")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert match
    token = match.group(1)
    response = client.post(
        "/lo/login/", {"username": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    org_page = client.get(f"/lo/organisations/{org.slug}/")
    assert org_page.status_code == 200
    assert "Bolaven Coffee" in org_page.content.decode()


def test_wrong_password_is_refused_with_the_form_again():
    make_user(email="a@example.org")
    response = Client().post("/en/login/", {"username": "a@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "correct email address and password" in response.content.decode().replace(
        "e-mail", "email"
    )


def test_other_organisations_pages_are_404():
    org_a, org_b = make_org(), make_org()
    user = make_user(org=org_a)
    client = Client()
    client.force_login(user)
    assert client.get(f"/en/organisations/{org_b.slug}/").status_code == 404
    assert client.get("/en/organisations/no-such-org/").status_code == 404


def test_pages_need_login():
    response = Client().get("/en/organisations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/login/")


def test_issue_and_revoke_token_from_the_page_shows_secret_once():
    org = make_org()
    owner = make_user(org=org, role="owner")
    client = Client()
    client.force_login(owner)
    client.post(f"/en/organisations/{org.slug}/tokens/", {"name": "erp", "role": "member"})
    first = client.get(f"/en/organisations/{org.slug}/").content.decode()
    match = re.search(r"(mkt_[0-9a-f]{8}_[\w-]+)", first)
    assert match
    secret = match.group(1)
    assert secret not in client.get(f"/en/organisations/{org.slug}/").content.decode()
    token = ApiToken.objects.get(name="erp")
    client.post(f"/en/organisations/{org.slug}/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_viewer_cannot_issue_tokens_from_the_page():
    org = make_org()
    viewer = make_user(org=org, role="viewer")
    client = Client()
    client.force_login(viewer)
    assert "Issue a new token" not in client.get(f"/en/organisations/{org.slug}/").content.decode()
    client.post(f"/en/organisations/{org.slug}/tokens/", {"name": "sneaky", "role": "member"})
    assert ApiToken.objects.filter(name="sneaky").count() == 0


def test_user_text_is_escaped():
    org = make_org(name='<script>alert("x")</script> Co')
    owner = make_user(org=org)
    client = Client()
    client.force_login(owner)
    html = client.get(f"/en/organisations/{org.slug}/").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_password_change():
    user = make_user(email="pw@example.org")
    client = Client()
    client.force_login(user)
    response = client.post(
        "/en/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-9",
            "new_password2": "a-new-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    assert Client().login(email="pw@example.org", password="a-new-long-passphrase-9")


def test_security_headers():
    response = Client().get("/en/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
