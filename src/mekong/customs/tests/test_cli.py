"""``mekong docs verify`` / ``trust-list``: exit codes, offline operation with no database."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest

from mekong.customs import selectors, services
from mekong.customs.tests.factories import issue, make_authority
from mekong.identity.tests.factories import actor_of, make_org, make_user

pytestmark = pytest.mark.django_db


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def run_cli(argv: list[str]) -> int:
    """Build ``mekong`` with the customs commands, as `mekong.cli` does, and run it."""
    from mekong.customs.cli import register

    parser = _Parser(prog="mekong")
    register(parser.add_subparsers(dest="command", required=True, parser_class=_Parser))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    auth_org = make_org(kind="certificate_issuer", country="TH")
    make_authority("TH", org=auth_org)
    exporter = make_org(country="TH")
    invoice = issue("commercial_invoice", org=exporter)
    form_d = issue("atiga_form_d", org=exporter)
    revoked = issue("packing_list", org=exporter)
    officer = make_user(org=auth_org, role="admin")
    services.document_revoke(actor=actor_of(officer, auth_org), document=revoked, reason="typo")
    out = {
        "invoice": tmp_path / "invoice.json",
        "form_d": tmp_path / "form_d.json",
        "revoked": tmp_path / "revoked.json",
        "trust": tmp_path / "trust.json",
    }
    out["invoice"].write_text(json.dumps(selectors.document_file(invoice)))
    out["form_d"].write_text(json.dumps(selectors.document_file(form_d)))
    out["revoked"].write_text(json.dumps(selectors.document_file(revoked)))
    assert run_cli(["docs", "trust-list", "-o", str(out["trust"])]) == 0
    return out


def test_valid_invalid_unreadable(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = ["--trust-list", str(files["trust"])]
    assert run_cli(["docs", "verify", str(files["invoice"]), *trust]) == 0
    assert "document valid" in capsys.readouterr().out
    assert (
        run_cli(["docs", "verify", str(files["form_d"]), *trust, "--with", str(files["invoice"])])
        == 0
    )
    assert "HS codes checked against invoice" in capsys.readouterr().out

    assert run_cli(["docs", "verify", str(files["revoked"]), *trust]) == 1
    out = capsys.readouterr().out
    assert "FAIL not_revoked: revoked" in out
    assert "failed: not_revoked" in out

    tampered: dict[str, Any] = json.loads(files["invoice"].read_text())
    tampered["data"]["total_minor"] = 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered))
    assert run_cli(["docs", "verify", str(bad), *trust]) == 1
    assert "FAIL integrity: hash_mismatch" in capsys.readouterr().out

    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    assert run_cli(["docs", "verify", str(junk), *trust]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not a JSON document file" in err
    assert run_cli(["docs", "verify", str(tmp_path / "missing.json"), *trust]) == 2
    assert run_cli(["docs", "verify", str(files["invoice"]), "--trust-list", str(junk)]) == 2
    assert run_cli(["docs", "verify", str(files["invoice"]), *trust, "--log-key", "nope"]) == 2
    assert "bad log or witness key" in capsys.readouterr().err


def test_verification_touches_no_database(
    files: dict[str, Path], django_db_blocker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the database blocked, the offline verification still runs and gives its answer."""
    trust = ["--trust-list", str(files["trust"])]
    with django_db_blocker.block():
        assert run_cli(["docs", "verify", str(files["form_d"]), *trust]) == 0
        assert run_cli(["docs", "verify", str(files["revoked"]), *trust]) == 1
        with pytest.raises(RuntimeError, match="Database access not allowed"):
            selectors.trust_list()  # the blocker is real: a query would have failed
    assert "document valid" in capsys.readouterr().out


def test_subprocess_without_a_database(files: dict[str, Path], tmp_path: Path) -> None:
    """The real command, pointed at a database that cannot exist, verifies a file."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3",
        "DJANGO_SETTINGS_MODULE": "mekong.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "MEKONG_VAR_DIR": str(tmp_path / "var"),
    }
    cmd = [sys.executable, "-m", "mekong.cli", "docs", "verify", str(files["invoice"])]
    done = subprocess.run(
        [*cmd, "--trust-list", str(files["trust"])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "document valid" in done.stdout
    done = subprocess.run(
        [*cmd[:-1], str(files["revoked"]), "--trust-list", str(files["trust"])],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1


def test_key_rotate_and_revoke(capsys: pytest.CaptureFixture[str]) -> None:
    authority = make_authority("TH")
    old = authority.keys.get()
    doc = issue("commercial_invoice")
    assert run_cli(["docs", "key-rotate", "th"]) == 0
    assert authority.keys.count() == 2
    new_doc = issue("commercial_invoice")
    assert new_doc.key_id != old.pk
    assert run_cli(["docs", "key-rotate", "MM"]) == 2
    assert run_cli(["docs", "key-revoke", "0000000000000000"]) == 2
    assert run_cli(["docs", "key-revoke", old.key_id, "--at", "yesterday"]) == 2
    assert doc.issued_at is not None
    at = doc.issued_at.isoformat()
    assert run_cli(["docs", "key-revoke", old.key_id, "--at", at]) == 0
    result = selectors.verify_parsed(selectors.document_file(doc))
    assert [c.name for c in result.failed] == ["issuer_trusted"]
    assert selectors.verify_parsed(selectors.document_file(new_doc)).valid
