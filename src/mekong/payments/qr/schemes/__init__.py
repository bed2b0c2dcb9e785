"""National scheme profiles, in detection order.

A payload belongs to the first profile whose account template it carries (tag plus globally
unique identifier). The order only matters for payloads carrying several schemes' templates:
the Thai, Cambodian and Lao ones are checked before the generic fallback, and VietQR (the
interbank NAPAS network) before VNPAY-QR (one acquirer's merchant network).
"""

from __future__ import annotations

from mekong.payments.qr.schemes.base import Profile, Root
from mekong.payments.qr.schemes.emvco import Emvco
from mekong.payments.qr.schemes.khqr import Khqr
from mekong.payments.qr.schemes.laoqr import LaoQr
from mekong.payments.qr.schemes.mmqr import Mmqr
from mekong.payments.qr.schemes.promptpay import PromptPay, PromptPayBill
from mekong.payments.qr.schemes.vietqr import VietQr, VnpayQr

PROFILES: tuple[Profile, ...] = (
    PromptPay(),
    PromptPayBill(),
    Khqr(),
    VietQr(),
    LaoQr(),
    VnpayQr(),
    Mmqr(),
    Emvco(),
)
#: Scheme name -> profile.
BY_SCHEME: dict[str, Profile] = {profile.scheme: profile for profile in PROFILES}
#: The scheme names, as accepted by ``encode`` and the CLI.
SCHEMES: tuple[str, ...] = tuple(BY_SCHEME)


def detect(root: Root) -> tuple[Profile, str] | None:
    """Return the profile and its account template ID, or None without any account object."""
    for profile in PROFILES:
        tag = profile.account_tag(root)
        if tag is not None:
            return profile, tag
    return None


__all__ = ["BY_SCHEME", "PROFILES", "SCHEMES", "Profile", "detect"]
