"""The wallets' daily spend totals: equal to what their payments add up to after every kind of
outcome (completed, held then released or rejected, refused, refunded), rebuilt the same from
the payments, counted in the wallet holder's local days, and the basis of the monthly limit."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from mekong.core import clock
from mekong.identity.tests.factories import make_user
from mekong.payments import errors, facade, spending
from mekong.payments.models import Payment, WalletSpend, WatchlistEntry
from mekong.payments.tests.factories import make_hub, make_wallet

pytestmark = pytest.mark.django_db


#: The oracle's clocks: the tz database's zones of the member countries' capitals.
_ZONES = {
    "KH": ZoneInfo("Asia/Phnom_Penh"),
    "LA": ZoneInfo("Asia/Vientiane"),
    "MM": ZoneInfo("Asia/Yangon"),
    "TH": ZoneInfo("Asia/Bangkok"),
    "VN": ZoneInfo("Asia/Ho_Chi_Minh"),
}
BANGKOK = _ZONES["TH"]


def _recounted() -> dict[tuple[int, object], int]:
    """The oracle: each wallet's own completed, held or refunded payments summed per day of
    its PSP's country, straight from the payments."""
    out: dict[tuple[int, object], int] = defaultdict(int)
    payments = Payment.objects.select_related("quote", "wallet__participant")
    for p in payments.filter(refund_of__isnull=True):
        if p.status in ("completed", "held", "refunded"):
            zone = _ZONES[p.wallet.participant.country]
            out[(p.wallet_id, p.created_at.astimezone(zone).date())] += p.quote.total_debit
    return dict(out)


def _kept() -> dict[tuple[int, object], int]:
    return {(s.wallet_id, s.day): s.total for s in WalletSpend.objects.all() if s.total}


def _pay(wallet, payee_wallet, amount, key):
    payee = facade.resolve_proxy("wallet_id", payee_wallet.account_ref)
    quote = facade.quote(wallet_id=wallet.pk, payee=payee, amount=amount)
    return facade.pay(quote_id=quote.id, idempotency_key=key)


def test_the_daily_totals_follow_every_outcome_and_rebuild_to_the_same():
    hub = make_hub()
    th, vn, la = hub.wallets["TH"], hub.wallets["VN"], hub.wallets["LA"]
    WatchlistEntry.objects.create(names=["Somchai Held"], reason="test list")
    suspect = make_wallet(hub.psps["VN"], name="Somchai Held")
    reviewer = make_user().pk

    first = _pay(th, vn, 1_000_00, "a")
    assert first.status == "completed"
    kept = _pay(th, suspect, 2_000_00, "b")
    dropped = _pay(th, suspect, 3_000_00, "c")
    assert kept.status == dropped.status == "held"
    assert facade.review_release(kept.id, reviewer_user_id=reviewer).status == "completed"
    assert facade.review_reject(dropped.id, reviewer_user_id=reviewer).status == "rejected"
    refunded = _pay(vn, la, 500_000, "d")
    facade.refund(payment_id=refunded.id, amount=1_000, idempotency_key="r")
    with clock.frozen(clock.now() + timedelta(days=1)):  # another day, another row
        _pay(th, vn, 4_000_00, "e")
    poor = make_wallet(hub.psps["TH"], funds=100, name="Poor Sender")
    with pytest.raises(errors.InsufficientFunds):
        _pay(poor, vn, 1_000_00, "f")
    with pytest.raises(errors.LimitExceeded):  # refused: counts nothing
        _pay(make_wallet(hub.psps["TH"], funds=10**9, kyc_tier=1), vn, 50_000_00, "g")
    again = facade.pay(quote_id=Payment.objects.get(pk=first.id).quote_id, idempotency_key="a")
    assert again.id == first.id  # a retry adds nothing

    expected = _recounted()
    assert _kept() == expected
    assert len({w for w, _d in expected}) == 2  # TH's payments and VN's refunded one
    assert len({d for _w, d in expected}) == 2

    WalletSpend.objects.update(total=0)  # lost or edited by hand: rebuilt from the payments
    rows = spending.rebuild(apps.get_model("payments", "Payment"), WalletSpend)
    assert rows == len(expected)
    assert _kept() == expected


def test_the_monthly_limit_counts_the_days_of_this_local_month_only():
    hub = make_hub()
    # A basic-tier wallet may send USD 500 a payment, 1,000 a day and 3,000 a month
    # (mekong.payments.limits); THB 15,000 is about USD 435. Same currency: no FX rate needed
    # at the frozen times.
    basic = make_wallet(hub.psps["TH"], funds=10**9, kyc_tier=1)
    payee = make_wallet(hub.psps["TH"], name="Thai Payee")
    start = datetime(2027, 1, 28, 9, tzinfo=UTC)
    debits = []
    for n in range(3):  # 28-30 January: two payments a day, under the daily limit
        with clock.frozen(start + timedelta(days=n)):
            for m in range(2):
                paid = _pay(basic, payee, 15_000_00, f"{n}-{m}")
                assert paid.status == "completed"
                debits.append(Payment.objects.get(pk=paid.id).quote.total_debit)
    with clock.frozen(datetime(2027, 1, 31, 23, 59, tzinfo=BANGKOK)):
        assert spending.spent([(basic.pk, "TH")], now=clock.now()) == {basic.pk: (sum(debits), 0)}
        with pytest.raises(errors.LimitExceeded) as caught:  # ≈ USD 3,045 this month
            _pay(basic, payee, 15_000_00, "31 January")
        assert caught.value.extra["limit"] == "monthly"
    # A new month in Bangkok (still 31 January, 17:01, in UTC): January is gone.
    with clock.frozen(datetime(2027, 2, 1, 0, 1, tzinfo=BANGKOK)):
        assert spending.spent([(basic.pk, "TH")], now=clock.now()) == {}
        assert _pay(basic, payee, 15_000_00, "1 February").status == "completed"


def test_days_and_months_are_the_wallet_holders_own():
    hub = make_hub()
    th = make_wallet(hub.psps["TH"], funds=10**9, kyc_tier=1)
    mm = make_wallet(hub.psps["MM"], funds=10**12, kyc_tier=1)
    th_payee = make_wallet(hub.psps["TH"], name="Thai Payee")
    mm_payee = make_wallet(hub.psps["MM"], name="Myanmar Payee")
    # 17:15 UTC on 31 January is 00:15 on 1 February in Bangkok, 23:45 on 31 January in
    # Yangon (UTC+06:30).
    when = datetime(2027, 1, 31, 17, 15, tzinfo=UTC)
    with clock.frozen(when):
        assert _pay(th, th_payee, 1_000_00, "th").status == "completed"
        assert _pay(mm, mm_payee, 10_000_00, "mm").status == "completed"
    days = {s.wallet_id: s.day for s in WalletSpend.objects.filter(wallet__in=[th, mm])}
    assert days == {th.pk: date(2027, 2, 1), mm.pk: date(2027, 1, 31)}
    both = [(th.pk, "TH"), (mm.pk, "MM")]
    with clock.frozen(when + timedelta(minutes=10)):  # 23:55 in Yangon: each in its own day
        totals = spending.spent(both, now=clock.now())
        assert {w: today > 0 for w, (_month, today) in totals.items()} == {th.pk: True, mm.pk: True}
    with clock.frozen(when + timedelta(minutes=20)):  # 00:05 on 1 February in Yangon too
        assert set(spending.spent(both, now=clock.now())) == {th.pk}
    assert _kept() == _recounted()


def test_the_cli_rebuilds_the_totals_while_the_hub_runs(capsys):
    import argparse

    from mekong.payments import cli

    hub = make_hub()
    _pay(hub.wallets["TH"], hub.wallets["VN"], 1_000_00, "cli")
    expected = _recounted()
    WalletSpend.objects.all().delete()
    parser = argparse.ArgumentParser(prog="mekong")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["payments", "spend-rebuild"])
    assert args.func(args) == 0
    assert capsys.readouterr().out.strip() == "1 daily spend total rebuilt"
    assert _kept() == expected
