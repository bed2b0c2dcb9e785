"""Demo organisations and users of every type in all five countries.

Names are illustrative: they describe the kind of body that would take part (a coffee
co-operative, a national CERT, a customs department) and are not endorsements by, or data of,
any real institution. Later modules extend the same seed through `mekong.demo`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from mekong.identity.models import Membership, Organisation, User
from mekong.identity.services import membership_grant, organisation_create, user_create

DEMO_PASSWORD = "mekong-demo"  # noqa: S105 - a published demo password, never used in production
DEMO_DOMAIN = "demo.mekong.example"


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    name: str
    kind: str
    country: str
    registration_number: str = ""


# One organisation of every type in every member country: 11 types × 5 countries.
ORGS: tuple[DemoOrg, ...] = (
    # Cambodia
    DemoOrg("kh-kampot-pepper", "Kampot Pepper Growers (ម្រេចកំពត)", "sme", "KH", "00012345"),
    DemoOrg("kh-phnom-penh-traders", "Phnom Penh Wholesale Traders", "buyer", "KH", "00023456"),
    DemoOrg("kh-riel-wallet", "Riel Wallet Plc", "psp", "KH"),
    DemoOrg("kh-tonle-fx", "Tonle FX Exchange", "fx_provider", "KH"),
    DemoOrg(
        "kh-customs", "General Department of Customs and Excise (demo)", "customs_authority", "KH"
    ),
    DemoOrg("kh-moc-co", "Ministry of Commerce CO Office (demo)", "certificate_issuer", "KH"),
    DemoOrg("kh-cert", "CamCERT (demo)", "cert", "KH"),
    DemoOrg("kh-central-bank", "National Bank of Cambodia (demo)", "regulator", "KH"),
    DemoOrg("kh-startup-fund", "Khmer Enterprise Fund (demo)", "fund", "KH"),
    DemoOrg("kh-digital-academy", "Phnom Penh Digital Skills Academy", "training_provider", "KH"),
    DemoOrg("kh-mptc", "Ministry of Post and Telecommunications (demo)", "ministry", "KH"),
    # Lao PDR
    DemoOrg(
        "la-bolaven-coffee",
        "Bolaven Plateau Coffee Co-op (ກາເຟພູພຽງບໍລະເວນ)",
        "sme",
        "LA",
        "0101234567",
    ),
    DemoOrg("la-vientiane-market", "Vientiane Morning Market Buyers", "buyer", "LA"),
    DemoOrg("la-kip-pay", "KipPay Digital Wallet", "psp", "LA"),
    DemoOrg("la-mekong-fx", "Mekong Riverside FX", "fx_provider", "LA"),
    DemoOrg("la-customs", "Lao Customs Department (demo)", "customs_authority", "LA"),
    DemoOrg(
        "la-moic-co",
        "Lao Ministry of Industry and Commerce CO Division (demo)",
        "certificate_issuer",
        "LA",
    ),
    DemoOrg("la-cert", "LaoCERT (demo)", "cert", "LA"),
    DemoOrg("la-central-bank", "Bank of the Lao PDR (demo)", "regulator", "LA"),
    DemoOrg("la-innovation-fund", "Lao Innovation Fund (demo)", "fund", "LA"),
    DemoOrg("la-skills-centre", "Vientiane Skills Development Centre", "training_provider", "LA"),
    DemoOrg("la-mtc", "Ministry of Technology and Communications (demo)", "ministry", "LA"),
    # Myanmar
    DemoOrg("mm-shan-tea", "Shan Highlands Tea (ရှမ်းလက်ဖက်)", "sme", "MM", "112233445"),
    DemoOrg("mm-yangon-importers", "Yangon Importers Group", "buyer", "MM"),
    DemoOrg("mm-kyat-wallet", "Kyat Mobile Wallet", "psp", "MM"),
    DemoOrg("mm-irrawaddy-fx", "Irrawaddy FX Services", "fx_provider", "MM"),
    DemoOrg("mm-customs", "Myanmar Customs Department (demo)", "customs_authority", "MM"),
    DemoOrg(
        "mm-moc-co", "Myanmar Ministry of Commerce CO Office (demo)", "certificate_issuer", "MM"
    ),
    DemoOrg("mm-cert", "mmCERT (demo)", "cert", "MM"),
    DemoOrg("mm-central-bank", "Central Bank of Myanmar (demo)", "regulator", "MM"),
    DemoOrg("mm-sme-fund", "Myanmar SME Development Fund (demo)", "fund", "MM"),
    DemoOrg("mm-it-institute", "Mandalay Institute of Digital Skills", "training_provider", "MM"),
    DemoOrg("mm-motc", "Ministry of Transport and Communications (demo)", "ministry", "MM"),
    # Thailand
    DemoOrg(
        "th-doi-chaang", "Doi Chang Highland Coffee (กาแฟดอยช้าง)", "sme", "TH", "0105561234567"
    ),
    DemoOrg("th-bangkok-buyers", "Bangkok Food Buyers Co., Ltd.", "buyer", "TH", "0105559876543"),
    DemoOrg("th-baht-bank", "Siam Baht Bank", "psp", "TH"),
    DemoOrg("th-chao-phraya-fx", "Chao Phraya FX", "fx_provider", "TH"),
    DemoOrg("th-customs", "Thai Customs Department (demo)", "customs_authority", "TH"),
    DemoOrg(
        "th-dft-co", "Department of Foreign Trade CO Office (demo)", "certificate_issuer", "TH"
    ),
    DemoOrg("th-cert", "ThaiCERT (demo)", "cert", "TH"),
    DemoOrg("th-central-bank", "Bank of Thailand (demo)", "regulator", "TH"),
    DemoOrg("th-innovation-fund", "Thai Digital Innovation Fund (demo)", "fund", "TH"),
    DemoOrg("th-skills-academy", "Chiang Mai Digital Skills Academy", "training_provider", "TH"),
    DemoOrg("th-mdes", "Ministry of Digital Economy and Society (demo)", "ministry", "TH"),
    # Viet Nam
    DemoOrg(
        "vn-dak-lak-coffee", "Đắk Lắk Robusta Coffee (Cà phê Đắk Lắk)", "sme", "VN", "6000123456"
    ),
    DemoOrg("vn-saigon-buyers", "Sài Gòn Trading Buyers JSC", "buyer", "VN", "0301234567"),
    DemoOrg("vn-dong-wallet", "Đồng Wallet JSC", "psp", "VN"),
    DemoOrg("vn-mekong-delta-fx", "Mekong Delta FX", "fx_provider", "VN"),
    DemoOrg(
        "vn-customs", "General Department of Viet Nam Customs (demo)", "customs_authority", "VN"
    ),
    DemoOrg(
        "vn-moit-co", "Ministry of Industry and Trade CO Office (demo)", "certificate_issuer", "VN"
    ),
    DemoOrg("vn-cert", "VNCERT (demo)", "cert", "VN"),
    DemoOrg("vn-central-bank", "State Bank of Viet Nam (demo)", "regulator", "VN"),
    DemoOrg("vn-innovation-fund", "Viet Nam Innovation Fund (demo)", "fund", "VN"),
    DemoOrg("vn-tech-academy", "Hà Nội Technology Academy", "training_provider", "VN"),
    DemoOrg("vn-mic", "Ministry of Information and Communications (demo)", "ministry", "VN"),
)

#: People with readable names for the logins the demo prints.
PEOPLE: dict[str, str] = {
    "la-bolaven-coffee": "Somchanh Phommachanh",
    "vn-dak-lak-coffee": "Nguyễn Thị Lan",
    "th-doi-chaang": "Ayu Chuepa",
    "kh-kampot-pepper": "Sok Dara",
    "mm-shan-tea": "Aung Kyaw",
    "vn-customs": "Trần Văn Minh",
    "th-cert": "Pimchanok Srisuk",
    "th-baht-bank": "Somsak Wongsawat",
}


def user_email(slug: str) -> str:
    """The demo login of an organisation's owner."""
    return f"{slug}@{DEMO_DOMAIN}"


def seed() -> list[str]:
    """Create the demo organisations, an owner and a viewer for each, and one operator.

    Idempotent: existing organisations and users are left as they are.
    """
    created_orgs = 0
    created_users = 0
    with transaction.atomic():
        if not User.objects.filter(email=f"operator@{DEMO_DOMAIN}").exists():
            user_create(
                email=f"operator@{DEMO_DOMAIN}",
                password=DEMO_PASSWORD,
                display_name="Platform Operator",
                is_operator=True,
            )
            created_users += 1
        for spec in ORGS:
            org = Organisation.objects.filter(slug=spec.slug).first()
            if org is None:
                org = organisation_create(
                    name=spec.name,
                    kind=spec.kind,
                    country=spec.country,
                    slug=spec.slug,
                    registration_number=spec.registration_number,
                )
                created_orgs += 1
            for local, role in (("", "owner"), ("viewer.", "viewer")):
                email = f"{local}{spec.slug}@{DEMO_DOMAIN}"
                user = User.objects.filter(email=email).first()
                if user is None:
                    name = PEOPLE.get(spec.slug, spec.name) if role == "owner" else ""
                    user = user_create(
                        email=email, password=DEMO_PASSWORD, display_name=name or email
                    )
                    created_users += 1
                if not Membership.objects.filter(user=user, organisation=org).exists():
                    membership_grant(user=user, organisation=org, role=role)
    return [f"identity: {created_orgs} organisations and {created_users} users created"]


def logins() -> list[tuple[str, str]]:
    """The demo logins worth trying first, with what each one is."""
    return [
        (f"operator@{DEMO_DOMAIN}", "platform operator (Django admin at /admin/)"),
        (user_email("la-bolaven-coffee"), "Lao coffee SME (owner)"),
        (user_email("vn-dak-lak-coffee"), "Vietnamese coffee SME (owner)"),
        (user_email("th-doi-chaang"), "Thai coffee SME (owner)"),
        (user_email("kh-kampot-pepper"), "Cambodian pepper SME (owner)"),
        (user_email("mm-shan-tea"), "Myanmar tea SME (owner)"),
        (user_email("th-baht-bank"), "Thai payment service provider (owner)"),
        (user_email("vn-customs"), "Vietnamese customs officer (owner)"),
        (user_email("th-cert"), "ThaiCERT analyst (owner)"),
    ]
