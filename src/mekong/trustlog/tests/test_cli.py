"""The ``mekong log`` and ``mekong witness`` commands: exit codes and output."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from mekong.trustlog import facade, services
from mekong.trustlog.note import CosignatureSigner, NoteSigner
from mekong.trustlog.tests.conftest import LOG_VKEY, run_cli


@pytest.fixture
def receipt_file(db, inproc_witnesses, tmp_path):
    witnesses = inproc_witnesses(2)
    receipt = facade.anchor("cli.test", b"payload")
    path = tmp_path / "receipt.json"
    path.write_text(receipt.to_json())
    return path, [w.vkey for w in witnesses]


def _verify(path, keys, *extra):
    args = ["log", "verify-receipt", str(path), "--log-key", LOG_VKEY]
    for k in keys:
        args += ["--witness-key", k]
    return run_cli([*args, *extra])


def test_valid_receipt_exits_0(receipt_file, capsys):
    path, keys = receipt_file

    assert _verify(path, keys) == 0
    out = capsys.readouterr().out
    assert "ok   inclusion (index 0 of 1)" in out
    assert "receipt valid: entry 0 (cli.test) in test.mekong.example/log" in out


def test_the_mekong_command_offers_verify_receipt(receipt_file):
    """Through the real entry point, in a fresh process without a database."""
    path, keys = receipt_file
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRUSTLOG_", "DATABASE"))}

    done = subprocess.run(
        [sys.executable, "-m", "mekong.cli", "log", "verify-receipt", str(path),
         "--log-key", LOG_VKEY, "--witness-key", keys[0], "--witness-key", keys[1]],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert "receipt valid" in done.stdout


def test_invalid_receipt_exits_1_and_lists_failing_checks(receipt_file, capsys):
    path, keys = receipt_file
    data = json.loads(path.read_text())
    data["inclusion_proof"] = []
    data["checkpoint"] = data["checkpoint"].replace("\n1\n", "\n2\n", 1)
    path.write_text(json.dumps(data))

    assert _verify(path, keys) == 1
    out = capsys.readouterr().out
    assert "FAIL log_signature: bad_signature" in out
    assert "receipt INVALID" in out
    assert "failed: log_signature, inclusion, cosignature " in out


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("{not json", "is not a receipt"), ("{}", "is not a receipt")],
)
def test_unreadable_receipt_exits_2_with_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)

    assert run_cli(["log", "verify-receipt", str(path), "--log-key", LOG_VKEY]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_bad_keys_exit_2(receipt_file, capsys):
    path, keys = receipt_file
    cosigner = keys[0]

    assert run_cli(["log", "verify-receipt", str(path), "--log-key", cosigner]) == 2
    assert _verify(path, [LOG_VKEY]) == 2
    assert "must be" in capsys.readouterr().err


def test_missing_required_argument_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        run_cli(["log", "verify-receipt", "x.json"])

    assert exc.value.code == 2
    assert "--log-key" in capsys.readouterr().err


def test_log_checkpoint_and_key(db, capsys):
    services.entries_append(items=[("cli.test", b"a"), ("cli.test", b"b")])

    assert run_cli(["log", "checkpoint"]) == 0
    assert run_cli(["log", "key"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "checkpoint 2, cosigned by 0 of 0 witnesses\ntest.mekong.example/log\n2\n"
    )
    assert out.rstrip().endswith(LOG_VKEY)


def test_witness_keygen_writes_a_private_file_and_prints_the_vkey(tmp_path, capsys):
    key_file = tmp_path / "kh.key"

    assert run_cli(["witness", "keygen", "kh.witness.example", "--key-file", str(key_file)]) == 0
    vkey = capsys.readouterr().out.strip()
    signer = CosignatureSigner.from_skey(key_file.read_text().strip())
    assert signer.verifier.encode() == vkey
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "PRIVATE" not in vkey
    # Never overwrite a key.
    assert run_cli(["witness", "keygen", "kh.witness.example", "--key-file", str(key_file)]) == 2
    assert run_cli(["witness", "keygen", "bad name"]) == 2


def test_witness_serve_refuses_bad_configuration(tmp_path, capsys):
    key_file = tmp_path / "w.key"
    key_file.write_text(CosignatureSigner.generate("w.example").encode_skey())
    base = ["witness", "serve", "--key-file", str(key_file), "--state-file", str(tmp_path / "s")]
    log_vkey = NoteSigner.generate("x.example/log").verifier.encode()

    assert run_cli([*base, "--name", "other", "--log-key", log_vkey]) == 2
    assert run_cli([*base, "--name", "w.example", "--log-key", "junk"]) == 2
    assert run_cli([*base, "--name", "w.example", "--log-key", log_vkey, "--bind", "nope"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    assert "named 'w.example', not 'other'" in err[0]
