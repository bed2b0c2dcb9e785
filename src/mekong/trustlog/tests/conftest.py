"""Fixtures of the trustlog tests: a fixed log key, in-process and real witness processes."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from mekong.trustlog.note import CosignatureSigner, NoteSigner, VerifierKey

ORIGIN = "test.mekong.example/log"
#: One log key for the whole test session (key generation is cheap, but stable keys make
#: failures reproducible within a run).
LOG_SIGNER = NoteSigner.generate(ORIGIN)
LOG_VKEY = LOG_SIGNER.verifier.encode()


@pytest.fixture(autouse=True)
def trustlog_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test runs with the test log key and, unless it adds some, no witnesses."""
    from mekong.trustlog import config

    monkeypatch.setenv("TRUSTLOG_SIGNER_KEY", LOG_SIGNER.encode_skey())
    monkeypatch.setenv("TRUSTLOG_ORIGIN", ORIGIN)
    monkeypatch.setenv("TRUSTLOG_WITNESSES", "")
    monkeypatch.setenv("TRUSTLOG_WITNESS_TIMEOUT", "5")
    monkeypatch.delenv("TRUSTLOG_QUORUM", raising=False)
    config.clear_cache()
    yield
    config.clear_cache()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class InprocWitness:
    """A witness served over loopback HTTP from a thread of the test process."""

    name: str
    signer: CosignatureSigner
    url: str
    state_file: Path

    @property
    def vkey(self) -> str:
        return self.signer.verifier.encode()


@pytest.fixture
def inproc_witnesses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., list[InprocWitness]]]:
    """``start(n)`` serves n witnesses in threads and configures the log to use them."""
    from mekong.trustlog import config
    from mekong.trustlog.witness import Witness, WitnessState, running

    stack = ExitStack()
    states: list[WitnessState] = []

    def start(n: int, names: list[str] | None = None) -> list[InprocWitness]:
        out = []
        for i in range(n):
            name = names[i] if names else f"w{i}.witness.test"
            signer = CosignatureSigner.generate(name)
            state = WitnessState(tmp_path / f"{name}.json")
            states.append(state)
            witness = Witness(signer, [VerifierKey.parse(LOG_VKEY)], state)
            server = stack.enter_context(running(witness, "127.0.0.1", 0))
            url = f"http://127.0.0.1:{server.server_address[1]}"
            out.append(InprocWitness(name, signer, url, tmp_path / f"{name}.json"))
        monkeypatch.setenv("TRUSTLOG_WITNESSES", ",".join(f"{w.vkey}={w.url}" for w in out))
        config.clear_cache()
        return out

    with stack:
        yield start
    for state in states:
        state.close()


# --- real witness processes -------------------------------------------------------------------
@dataclass
class WitnessProcess:
    """A `mekong witness serve` subprocess on a loopback port."""

    name: str
    key_file: Path
    state_file: Path
    port: int
    vkey: str
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mekong.cli",
                "witness",
                "serve",
                "--name",
                self.name,
                "--key-file",
                str(self.key_file),
                "--state-file",
                str(self.state_file),
                "--log-key",
                LOG_VKEY,
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )

    def wait_up(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"witness {self.name} exited: {err}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"witness {self.name} did not come up within 30 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None


@pytest.fixture
def witness_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[int], list[WitnessProcess]]]:
    """``start(n)`` runs n witness processes and configures the log; all are always stopped."""
    from mekong.trustlog import config

    started: list[WitnessProcess] = []

    def start(n: int) -> list[WitnessProcess]:
        batch = []
        for i in range(n):
            name = f"p{i}.witness.test"
            signer = CosignatureSigner.generate(name)
            key_file = tmp_path / f"{name}.key"
            key_file.write_text(signer.encode_skey() + "\n")
            w = WitnessProcess(
                name, key_file, tmp_path / f"{name}.state.json", free_port(),
                signer.verifier.encode(),
            )  # fmt: skip
            started.append(w)
            batch.append(w)
        # Start them all, then wait: the interpreters boot in parallel.
        for w in batch:
            w.spawn()
        for w in batch:
            w.wait_up()
        monkeypatch.setenv("TRUSTLOG_WITNESSES", ",".join(f"{w.vkey}={w.url}" for w in batch))
        config.clear_cache()
        return batch

    try:
        yield start
    finally:
        for w in started:
            w.stop()


def restart(w: WitnessProcess) -> None:
    """Stop and start one witness process on the same port and state file."""
    w.stop()
    w.spawn()
    w.wait_up()


class _Parser(argparse.ArgumentParser):
    """Like the ``mekong`` parser: errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def run_cli(argv: list[str]) -> int:
    """Run ``mekong <argv>`` for the trustlog commands in-process.

    The module's tests may not import the top-level `mekong.cli` (layers); this builds the
    same subcommands through `mekong.trustlog.cli.register`, as `mekong.cli` does.
    """
    from mekong.trustlog.cli import register

    parser = _Parser(prog="mekong")
    register(parser.add_subparsers(dest="command", required=True, parser_class=_Parser))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result
