"""Proxy and QR resolution: an alias or a national QR code → the payee's wallet.

A decoded QR names its payee in the scheme's own terms; `qr_key` turns that into a directory
lookup: PromptPay proxies are the same aliases as everywhere (phone, national id, tax id,
e-wallet), the other schemes' merchant and account ids are ``qr_merchant`` entries keyed
``<scheme>:<ids>``.
"""

from __future__ import annotations

from decimal import Decimal

from mekong.core import clock
from mekong.core.money import Money, MoneyError
from mekong.payments import fastreads, names
from mekong.payments.contracts import PayeeInfo
from mekong.payments.errors import PayeeNotFound, ProxyInvalid, QrInvalid
from mekong.payments.models import ProxyEntry, ProxyKind, Wallet
from mekong.payments.qr import DecodedQr, QrError, decode

_PROMPTPAY_KINDS = {
    "mobile": ProxyKind.PHONE,
    "national_id": ProxyKind.NATIONAL_ID,
    "tax_id": ProxyKind.BUSINESS_ID,
    "ewallet": ProxyKind.WALLET_ID,
}


def payee_info(wallet: Wallet, *, proxy_kind: str = "", proxy_value: str = "") -> PayeeInfo:
    """The payer's view of a wallet: PSP, currency, account and the masked holder name."""
    participant = wallet.participant
    return PayeeInfo(
        participant_id=participant.pk,
        participant_name=participant.name,
        country=participant.country,
        currency=wallet.currency,
        account_ref=wallet.account_ref,
        display_name=names.mask_name(wallet.holder_name, business=wallet.is_business),
        ledger_account_id=wallet.ledger_account_id,
        proxy_kind=proxy_kind,
        proxy_value=proxy_value,
        is_business=wallet.is_business,
    )


def proxy_entry(kind: str, value: str, *, sandbox: bool = False) -> ProxyEntry | None:
    """The directory entry of an alias (``value`` normalised for ``kind``), or None."""
    key = names.normalise_proxy(kind, value)
    if key is None:
        return None
    return ProxyEntry.objects.filter(kind=kind, value=key, sandbox=sandbox).first()


def wallet_for_proxy(kind: str, value: str, *, sandbox: bool = False) -> tuple[Wallet, str]:
    """The wallet an alias names, and the alias's normalised value.

    Raises:
        ProxyInvalid: an unknown kind or a malformed value.
        PayeeNotFound: nothing is registered under it.
    """
    if kind not in ProxyKind.values:
        raise ProxyInvalid(params={"kind": kind})
    key = names.normalise_proxy(kind, value)
    if key is None:
        raise ProxyInvalid(params={"kind": kind})
    wallet = fastreads.wallet_of_proxy(kind, key, sandbox=sandbox)
    if wallet is None:
        raise PayeeNotFound()
    return wallet, key


def qr_key(decoded: DecodedQr) -> tuple[str, str]:
    """The directory (kind, value) that a decoded QR's payee fields name.

    Raises:
        QrInvalid: the scheme carries no routable payee (e.g. a generic EMVCo code).
    """
    p = decoded.payee
    scheme = decoded.scheme
    if scheme == "promptpay":
        kind = _PROMPTPAY_KINDS.get(p.get("proxy_type") or "")
        value = p.get("proxy_value") or ""
        if kind is None:  # a bank account: routed by the receiving bank's own directory
            return ProxyKind.QR_MERCHANT, f"promptpay:{p.get('proxy_type')}:{value}"
        return kind, value
    parts: dict[str, tuple[str | None, ...]] = {
        "promptpay_bill": (p.get("biller_id"),),
        "vietqr": (p.get("bank_bin"), p.get("account")),
        "vnpayqr": (p.get("merchant_id"),),
        "khqr": (p.get("bakong_account_id"),),
        "laoqr": (p.get("iin"), p.get("receiver_id")),
        "mmqr": (p.get("merchant_id"),),
    }
    ids = parts.get(scheme)
    if ids is None or not all(ids):
        raise QrInvalid(params={"reason": f"no routable payee in a {scheme} code"})
    return ProxyKind.QR_MERCHANT, ":".join([scheme, *(str(i) for i in ids)])


def qr_decode(payload: str) -> DecodedQr:
    """Decode strictly; fall back to the documented lenient quirks.

    Raises:
        QrInvalid: the payload is not a valid payment code even leniently.
    """
    if not payload.strip():
        raise QrInvalid(params={"reason": "empty"})
    try:
        return decode(payload.strip())
    except QrError as strict_error:
        try:
            return decode(payload.strip(), lenient=True)
        except QrError:
            raise QrInvalid(
                params={"reason": str(strict_error)}, extra={"reason": str(strict_error)}
            ) from None


def resolve_qr(
    payload: str, *, sandbox: bool = False
) -> tuple[Wallet, PayeeInfo, int | None, str | None]:
    """The payee wallet of a QR code, its payer view, and the amount and currency it carries.

    Raises:
        QrInvalid: not a valid code, no routable payee, or an amount the currency cannot hold.
        PayeeNotFound: the payee is not registered with the hub.
    """
    decoded = qr_decode(payload)
    expires = decoded.expires_at()
    if expires is not None and expires <= clock.now():
        raise QrInvalid(params={"reason": "expired"}, extra={"reason": "tag 99: expired"})
    kind, value = qr_key(decoded)
    try:
        wallet, key = wallet_for_proxy(kind, value, sandbox=sandbox)
    except ProxyInvalid:
        raise PayeeNotFound() from None
    amount: int | None = None
    amount_decimal: Decimal | None = decoded.amount_decimal
    if amount_decimal is not None and decoded.currency:
        try:
            amount = Money.from_decimal(amount_decimal, decoded.currency).minor
        except MoneyError:
            raise QrInvalid(params={"reason": "amount"}, extra={"reason": "tag 54"}) from None
    return wallet, payee_info(wallet, proxy_kind=kind, proxy_value=key), amount, decoded.currency
