"""The `mekong` command line: help, one-line errors with exit 2, demo data, OpenAPI drift."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mekong.cli import main

REPO = Path(__file__).resolve().parents[3]


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "mekong.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "true", **(env or {})},
        timeout=120,
        check=False,
    )


def test_help_lists_core_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("demo", "serve", "migrate", "seed-demo", "worker", "createadmin", "openapi"):
        assert command in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-command"],
        ["demo", "--port", "eighty"],
        [],
        ["serve", "--bind", "nowhere"],
        ["serve", "--bind", "127.0.0.1:99999"],
        ["serve", "--threads", "0"],
        ["serve", "--server", "apache"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(args):
    result = run_cli(*args)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mekong")


def test_an_unknown_server_in_the_environment_exits_2():
    result = run_cli("serve", env={"MEKONG_SERVER": "apache"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mekong: error: MEKONG_SERVER 'apache': expected one of granian, gunicorn"
    )


def test_server_argv_refuses_an_unknown_server():
    from mekong.cli import CliError, server_argv

    with pytest.raises(CliError, match="server 'apache': expected one of granian, gunicorn"):
        server_argv("apache", app="mekong.wsgi:application", bind="127.0.0.1:8000", workers=1,
                    threads=1)  # fmt: skip


def test_missing_secret_key_fails_fast_without_debug(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    env["DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "-m", "mekong.cli", "migrate"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_openapi_file_matches_the_code():
    result = run_cli("openapi", "--check", str(REPO / "docs" / "openapi.json"))
    assert result.returncode == 0, result.stderr


def test_openapi_check_detects_drift(tmp_path):
    stale = tmp_path / "openapi.json"
    stale.write_text(json.dumps({"openapi": "3.1.0"}))
    result = run_cli("openapi", "--check", str(stale))
    assert result.returncode == 1
    assert "out of date" in result.stderr


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_covers_every_type_and_country(capsys):
    from mekong.core.countries import GMS_CODES
    from mekong.identity.models import Organisation, OrganisationType, User

    assert main(["seed-demo"]) == 0
    first = (Organisation.objects.count(), User.objects.count())
    assert main(["seed-demo"]) == 0
    assert (Organisation.objects.count(), User.objects.count()) == first
    for country in GMS_CODES:
        kinds = set(Organisation.objects.filter(country=country).values_list("kind", flat=True))
        assert kinds == set(OrganisationType.values), country
    identity_lines = [
        line for line in capsys.readouterr().out.splitlines() if line.startswith("identity:")
    ]
    assert identity_lines[-1] == "identity: 0 organisations and 0 users created"


def test_demo_prepares_a_fresh_database_and_prints_logins(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env["MEKONG_VAR_DIR"] = str(tmp_path / "var")
    result = subprocess.run(
        [sys.executable, "-m", "mekong.cli", "demo", "--no-serve"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "http://127.0.0.1:8000/" in result.stdout
    assert "operator@demo.mekong.example" in result.stdout
    assert (tmp_path / "var" / "mekong.sqlite3").exists()
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0
