"""The ``qr`` command: exit codes, one JSON object per decode, one error line on stderr.

Run through ``python -m mekong.payments.qr`` in a subprocess (as a user would, and proving no
Django settings are needed), plus `register` plugged into a parent parser in-process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mekong.payments.cli import register
from mekong.payments.tests.qr_support import fixture

SRC = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(SRC)
    return subprocess.run(
        [sys.executable, "-m", "mekong.payments.qr", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def test_decode_prints_one_json_object_and_exits_0() -> None:
    result = run("decode", fixture("mmqr-odoo-l10n-mm"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    decoded = json.loads(result.stdout)
    assert decoded["scheme"] == "mmqr"
    assert decoded["language"]["merchant_name"] == "ကုမ္ပဏီ"
    assert "warnings" not in decoded
    assert "django" not in result.stderr.lower()


def test_decode_error_is_one_line_naming_the_tag_and_exits_2() -> None:
    result = run("decode", fixture("khqr-ts-khqr-readme-no-expiry"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: tag 99/01: ")
    assert result.stderr.count("\n") == 1


def test_lenient_decode_adds_warnings() -> None:
    result = run("decode", "--lenient", fixture("emvco-aya-pay-three-quirks"))
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["warnings"]) == 3


def test_encode_then_image_then_read(tmp_path: Path) -> None:
    encoded = run(
        "encode",
        "--scheme",
        "promptpay",
        "--proxy-type",
        "mobile",
        "--proxy-value",
        "081-222-3333",
        "--amount",
        "30.00",
    )
    assert encoded.returncode == 0, encoded.stderr
    payload = encoded.stdout.strip()
    png = tmp_path / "pay.png"
    drawn = run("image", payload, "-o", str(png))
    assert drawn.returncode == 0, drawn.stderr
    read = run("read", str(png))
    assert read.returncode == 0, read.stderr
    decoded = json.loads(read.stdout)
    assert (decoded["payee"]["proxy_value"], decoded["amount"]) == ("0066812223333", "30.00")


def test_encode_refusal_and_bad_arguments_exit_2() -> None:
    refused = run(
        "encode",
        "--scheme",
        "khqr",
        "--bakong-account",
        "a@b",
        "--amount",
        "5",
        "--merchant-name",
        "A",
        "--merchant-city",
        "B",
    )
    assert (refused.returncode, refused.stderr.split(":")[0:2]) == (2, ["error", " tag 99"])
    assert run("encode").returncode == 2
    assert run("read", "/nonexistent/file.png").returncode == 2


def test_register_adds_qr_to_a_parent_cli(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="mekong")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["qr", "decode", fixture("vietqr-vietnam-qr-pay-dynamic")])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["payee"]["bank_bin"] == "970416"
    args = parser.parse_args(["qr", "decode", "000201"])
    assert args.func(args) == 2
    assert capsys.readouterr().err.startswith("error: tag 63: ")


def test_khqr_encode_with_expiry_from_now(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="mekong")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        [
            "qr",
            "encode",
            "--scheme",
            "khqr",
            "--bakong-account",
            "shop@aclb",
            "--amount",
            "5.00",
            "--currency",
            "USD",
            "--merchant-name",
            "Shop",
            "--merchant-city",
            "Phnom Penh",
            "--expires-in",
            "600",
        ]
    )
    assert args.func(args) == 0
    payload = capsys.readouterr().out.strip()
    args = parser.parse_args(["qr", "decode", payload])
    assert args.func(args) == 0
    payee = json.loads(capsys.readouterr().out)["payee"]
    assert int(payee["expiration_timestamp"]) - int(payee["creation_timestamp"]) == 600_000
