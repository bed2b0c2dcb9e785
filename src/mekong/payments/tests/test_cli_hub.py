"""``mekong payments``: resolve, rate, settlement; bad input exits 2 with one line."""

from __future__ import annotations

import pytest

from mekong.payments import cli, facade
from mekong.payments.tests.factories import make_hub

pytestmark = pytest.mark.django_db


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    import argparse

    parser = argparse.ArgumentParser(prog="mekong")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["payments", *argv])
    status = args.func(args)
    out, err = capsys.readouterr()
    return status, out, err


def test_resolve_rate_and_settlement(capsys):
    hub = make_hub()
    status, out, _ = _run(capsys, "resolve", "wallet_id", hub.wallets["LA"].account_ref)
    assert status == 0
    assert '"country":"LA"' in out
    status, out, _ = _run(capsys, "rate", "thb", "vnd")
    assert (status, out.strip()) == (0, "1 THB = 735.000000000000 VND")
    q = facade.quote(
        wallet_id=hub.wallets["VN"].pk,
        payee=facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref),
        amount=1_000_000,
    )
    facade.pay(quote_id=q.id, idempotency_key="cli")
    status, out, _ = _run(capsys, "settlement", "--since", "2000-01-01", "--until", "2100-01-01")
    assert status == 0
    lines = out.strip().splitlines()
    assert lines[0] == "participant,currency,paid_in,paid_out,net,payments"
    assert len(lines) == 1 + 4  # VN (VND), FX (VND, LAK), LA (LAK)


def test_bad_input_exits_2_with_one_line(capsys):
    make_hub()
    for argv in (
        ("resolve", "phone", "+66800000099"),
        ("resolve", "qr", "garbage"),
        ("rate", "MMK", "KHR"),
        ("settlement", "--since", "yesterday", "--until", "2100-01-01"),
        ("settlement", "--since", "2100-01-01", "--until", "2000-01-01"),
    ):
        status, out, err = _run(capsys, *argv)
        assert status == 2, argv
        assert out == ""
        assert len(err.strip().splitlines()) == 1
        assert err.startswith("error: ")
