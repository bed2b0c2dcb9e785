"""``mekong clearance duty`` / ``stats``: results, JSON, and exit 2 with one line on bad input."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import NoReturn

import pytest

from mekong.customs.clearance.cli import register


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def run_cli(argv: list[str]) -> int:
    parser = _Parser(prog="mekong")
    register(parser.add_subparsers(dest="command", required=True, parser_class=_Parser))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


RICE = ["clearance", "duty", "--to", "VN", "--hs", "10063040", "--value", "20000.00",
        "--currency", "USD", "--origin", "TH", "--date", "2026-12-04"]  # fmt: skip


def test_duty_with_and_without_form_d(capsys):
    assert run_cli([*RICE, "--form-d", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["regime"], out["duty"], out["vat"]) == ("atiga", "0 VND", "52600000 VND")
    assert out["tariff_status"] == "published"
    assert run_cli([*RICE, "--atiga"]) == 0
    text = capsys.readouterr().out
    assert "form_d_not_valid" in text
    assert "210400000 VND" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--to", "SG"], "no tariff schedule"),
        (["--hs", "999999"], "unknown subheading"),
        (["--currency", "XYZ"], "unknown currency"),
        (["--value", "1.001"], "not an amount of USD"),
        (["--value", "lots"], "not an amount"),
        (["--date", "yesterday"], "not YYYY-MM-DD"),
        (["--hs", "010121"], "no_tariff_line"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, change, message):
    assert run_cli([*RICE, *change]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


@pytest.mark.django_db
def test_stats(capsys):
    assert run_cli(["clearance", "stats", "--country", "vn"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"country": "VN", "lodged": 0, "released": 0,
                   "lanes": {"green": 0, "yellow": 0, "red": 0},
                   "median_clearance_seconds": None}  # fmt: skip


def test_the_mekong_command_loads_clearance():
    done = subprocess.run(
        [sys.executable, "-m", "mekong.cli", *RICE, "--form-d"],
        capture_output=True, text=True, check=False,
        env={"DEBUG": "true", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "atiga_rate" in done.stdout
