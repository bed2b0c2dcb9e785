"""``mekong log ...`` and ``mekong witness ...``: check receipts, audit the log, run witnesses.

``log verify-receipt`` and every ``witness`` command need no database and no Django setup:
a member country runs its witness with this package alone. Exit status: 0 success (a valid
receipt, a clean audit), 1 a negative result (an invalid receipt, audit findings), 2 bad
input with one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import FrameType
from typing import Any

from mekong.trustlog.note import CosignatureSigner, KeyFormatError, NoteSigner
from mekong.trustlog.receipt import (
    Receipt,
    ReceiptFormatError,
    parse_log_key,
    parse_witness_key,
    verify_receipt,
)

#: Demo witnesses: one per member country, on consecutive loopback ports.
DEMO_COUNTRIES = ("KH", "LA", "MM", "TH", "VN")
DEMO_BASE_PORT = 7381


class _Fail(Exception):
    """Bad input: one line on stderr, exit 2."""


def _fail_to_exit(func: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            result: int = func(args)
        except _Fail as exc:
            print(f"mekong: error: {exc}", file=sys.stderr)
            return 2
        return result

    run.__doc__ = func.__doc__
    return run


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    import django

    django.setup()


def _var_dir() -> Path:
    # The same rule as settings.VAR_DIR, without importing Django settings.
    return Path(os.environ.get("MEKONG_VAR_DIR", "var")).resolve()


# --- log ---------------------------------------------------------------------------------------
@_fail_to_exit
def cmd_verify_receipt(args: argparse.Namespace) -> int:
    """Check a receipt offline: exit 0 valid, 1 invalid (failing checks listed), 2 unreadable."""
    try:
        text = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise _Fail(f"cannot read {args.file}: {exc.strerror}") from None
    try:
        receipt = Receipt.from_json(text)
    except ReceiptFormatError as exc:
        raise _Fail(f"{args.file} is not a receipt: {exc}") from None
    try:
        log_key = parse_log_key(args.log_key)
        witnesses = [parse_witness_key(k) for k in args.witness_key or []]
    except KeyFormatError as exc:
        raise _Fail(str(exc)) from None
    if args.quorum is not None and args.quorum < 0:
        raise _Fail("--quorum must be 0 or more")
    result = verify_receipt(receipt, log_key, witnesses, args.quorum)
    for check in result.checks:
        status = "ok  " if check.ok else "FAIL"
        subject = f" {check.subject}" if check.subject else ""
        reason = "" if check.ok else f": {check.reason}"
        detail = f" ({check.detail})" if check.detail else ""
        print(f"{status} {check.code}{subject}{reason}{detail}")
    entry = receipt.entry
    where = f"entry {entry.index} ({entry.kind}) in {result.origin or '?'}"
    if result.valid:
        print(f"receipt valid: {where}, checkpoint size {result.tree_size}")
        return 0
    failed = ", ".join(f"{c.code}{' ' + c.subject if c.subject else ''}" for c in result.failed)
    print(f"receipt INVALID: {where}; failed: {failed}")
    return 1


def cmd_audit(args: argparse.Namespace) -> int:
    """Recompute the tree from the stored entries; exit 1 if anything differs."""
    _django()
    from mekong.trustlog.integrity import log_audit

    report = log_audit()
    print(
        f"audited {report.entries_checked} of {report.size} entries "
        f"and {report.checkpoints_checked} checkpoints"
    )
    for f in report.findings:
        if f.problem.startswith("checkpoint"):
            print(f"checkpoint {f.end}: {f.problem}: {f.detail}")
        elif f.end - f.index == 1:
            print(f"entry {f.index}: {f.problem}: {f.detail}")
        else:
            print(f"entries {f.index}..{f.end - 1}: {f.problem}: {f.detail}")
    if report.first_divergent_checkpoint is not None:
        print(f"first divergent checkpoint: size {report.first_divergent_checkpoint}")
    if report.ok:
        print("log intact")
        return 0
    print(f"log NOT intact: {len(report.findings)} problem(s)")
    return 1


def cmd_checkpoint(args: argparse.Namespace) -> int:
    """Publish a checkpoint now and collect cosignatures; print it."""
    _django()
    from mekong.trustlog.config import log_config
    from mekong.trustlog.services import checkpoint_publish

    cp = checkpoint_publish()
    total = len(log_config().witnesses)
    print(f"checkpoint {cp.size}, cosigned by {len(cp.witnesses)} of {total} witnesses")
    sys.stdout.write(cp.note)
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    """Print the log's public verifier key (never the private key)."""
    _django()
    from mekong.trustlog.config import ensure_local_signer_key, log_config

    if args.generate and not os.environ.get("TRUSTLOG_SIGNER_KEY"):
        ensure_local_signer_key()
    print(log_config().verifier_key)
    return 0


# --- witness -----------------------------------------------------------------------------------
def _parse_bind(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise _Fail(f"--bind must be HOST:PORT, not {value!r}")
    return host.strip("[]"), int(port)


def _load_cosigner(path: str) -> CosignatureSigner:
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise _Fail(f"cannot read key file {path}: {exc.strerror}") from None
    try:
        return CosignatureSigner.from_skey(text)
    except KeyFormatError:
        raise _Fail(f"{path} does not hold a valid witness signer key") from None


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # SIGTERM (from a supervisor or a test) stops like Ctrl+C: clean shutdown, lock released.
    raise KeyboardInterrupt


@_fail_to_exit
def cmd_witness_serve(args: argparse.Namespace) -> int:
    """Run a witness until SIGTERM or Ctrl+C."""
    from mekong.trustlog.witness import StateFileLockedError, Witness, WitnessState, make_server

    host, port = _parse_bind(args.bind)
    signer = _load_cosigner(args.key_file)
    if signer.name != args.name:
        raise _Fail(f"the key in {args.key_file} is named {signer.name!r}, not {args.name!r}")
    try:
        log_keys = [parse_log_key(k) for k in args.log_key]
    except KeyFormatError as exc:
        raise _Fail(f"--log-key: {exc}") from None
    try:
        state = WitnessState(Path(args.state_file))
    except StateFileLockedError as exc:
        raise _Fail(str(exc)) from None
    except (ValueError, KeyError, OSError) as exc:
        raise _Fail(f"cannot open state file {args.state_file}: {exc}") from None
    witness = Witness(signer, log_keys, state)
    try:
        server = make_server(witness, host, port)
    except OSError as exc:
        raise _Fail(f"cannot listen on {args.bind}: {exc.strerror}") from None

    signal.signal(signal.SIGTERM, _interrupt)
    print(
        f"witness {signer.name} on http://{host}:{server.server_address[1]} "
        f"for {', '.join(k.name for k in log_keys)}; key {signer.verifier.encode()}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        state.close()
    return 0


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise _Fail(f"{path} exists; refusing to overwrite a key") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")


@_fail_to_exit
def cmd_witness_keygen(args: argparse.Namespace) -> int:
    """Generate a witness key pair: the secret key to --key-file (or stdout), the vkey to stdout."""
    try:
        signer = CosignatureSigner.generate(args.name)
    except KeyFormatError:
        raise _Fail(f"invalid key name {args.name!r} (no spaces or '+')") from None
    if args.key_file:
        _write_secret(Path(args.key_file), signer.encode_skey())
        print(signer.verifier.encode())
    else:
        print(signer.encode_skey())
        print(signer.verifier.encode())
    return 0


def _demo_log_vkey(var: Path) -> str:
    skey = os.environ.get("TRUSTLOG_SIGNER_KEY", "").strip()
    path = var / "trustlog" / "log.key"
    if not skey:
        if not path.exists():
            origin = os.environ.get("TRUSTLOG_ORIGIN", "").strip() or "mekong.example/log"
            _write_secret(path, NoteSigner.generate(origin).encode_skey())
        skey = path.read_text(encoding="utf-8").strip()
    try:
        return NoteSigner.from_skey(skey).verifier.encode()
    except KeyFormatError:
        raise _Fail("the log signer key is invalid") from None


def _wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise _Fail(f"witness for {url} exited with status {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url + "/", timeout=1) as r,  # noqa: S310 - loopback
        ):
            if r.status == 200:
                return
        time.sleep(0.05)
    raise _Fail(f"witness at {url} did not start")


@_fail_to_exit
def cmd_witness_demo(args: argparse.Namespace) -> int:
    """Run one witness per member country on loopback and write the log's witness list."""
    var = _var_dir()
    base = var / "trustlog" / "witnesses"
    log_vkey = _demo_log_vkey(var)
    entries: list[str] = []
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for offset, country in enumerate(DEMO_COUNTRIES):
            name = f"{country.lower()}.witness.mekong.example"
            key_file = base / f"{country.lower()}.key"
            if not key_file.exists():
                _write_secret(key_file, CosignatureSigner.generate(name).encode_skey())
            signer = _load_cosigner(str(key_file))
            port = args.base_port + offset
            url = f"http://{args.host}:{port}"
            command = [
                sys.executable, "-m", "mekong.cli", "witness", "serve",
                "--name", name, "--key-file", str(key_file),
                "--state-file", str(base / f"{country.lower()}.state.json"),
                "--log-key", log_vkey, "--bind", f"{args.host}:{port}",
            ]  # fmt: skip
            # Detached runs log to files so they hold no terminal or pipe of the caller.
            log = (base / f"{country.lower()}.log").open("ab") if args.no_wait else None
            procs.append(
                subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                    command,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    stdin=subprocess.DEVNULL,
                    start_new_session=args.no_wait,
                )
            )
            if log is not None:
                log.close()
            _wait_up(url, procs[-1])
            entries.append(f"{signer.verifier.encode()}={url}")
            print(f"{country} witness {name} at {url}", flush=True)
        value = ",".join(entries)
        (var / "trustlog" / "witnesses.txt").write_text(value + "\n", encoding="utf-8")
        print(f"log key: {log_vkey}")
        print(f"TRUSTLOG_WITNESSES={value}")
        print(f"(also written to {var / 'trustlog' / 'witnesses.txt'}, which the log reads)")
        if args.no_wait:
            for proc in procs:
                print(f"pid {proc.pid}")
            procs = []  # left running on purpose
            return 0
        print("Press Ctrl+C to stop the witnesses.", flush=True)
        signal.signal(signal.SIGTERM, _interrupt)
        with contextlib.suppress(KeyboardInterrupt):
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        return 0
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)


# --- registration ------------------------------------------------------------------------------
def cmd_reindex(args: argparse.Namespace) -> int:
    """Bring the leaf-hash lookup index up to date (appends leave it behind) and finish its
    merges."""
    _django()
    from mekong.trustlog.services import lookup_index_compact, lookup_index_update

    print(f"indexed {lookup_index_update()} entries")
    lookup_index_compact()
    return 0


def register(subparsers: Any) -> None:
    """Add the ``log`` and ``witness`` commands to the ``mekong`` parser."""
    log = subparsers.add_parser("log", help="verifiable log: verify receipts, audit, checkpoint")
    log_sub = log.add_subparsers(dest="log_command", metavar="SUBCOMMAND")
    log_sub.required = True

    p = log_sub.add_parser("verify-receipt", help="check a receipt offline (no database)")
    p.add_argument("file", metavar="FILE", help="receipt JSON file, or - for standard input")
    p.add_argument("--log-key", required=True, help="the log's verifier key")
    p.add_argument(
        "--witness-key", action="append", metavar="VKEY", help="a trusted witness key (repeat)"
    )
    p.add_argument("--quorum", type=int, help="cosignatures required (default: a majority)")
    p.set_defaults(func=cmd_verify_receipt)

    p = log_sub.add_parser("audit", help="recompute the tree from stored entries; exit 1 on damage")
    p.set_defaults(func=cmd_audit)

    p = log_sub.add_parser("checkpoint", help="publish a checkpoint now and collect cosignatures")
    p.set_defaults(func=cmd_checkpoint)

    p = log_sub.add_parser("reindex", help="bring the leaf-hash lookup index up to date")
    p.set_defaults(func=cmd_reindex)

    p = log_sub.add_parser("key", help="print the log's public verifier key")
    p.add_argument(
        "--generate", action="store_true", help="create a local key in var/ if none is set"
    )
    p.set_defaults(func=cmd_key)

    wit = subparsers.add_parser("witness", help="run a C2SP tlog-witness that cosigns checkpoints")
    wit_sub = wit.add_subparsers(dest="witness_command", metavar="SUBCOMMAND")
    wit_sub.required = True

    p = wit_sub.add_parser("serve", help="serve add-checkpoint (a separate process, no Django)")
    p.add_argument("--name", required=True, help="the witness key name")
    p.add_argument("--key-file", required=True, help="file with the witness signer key")
    p.add_argument("--state-file", required=True, help="JSON file of the witness state")
    p.add_argument(
        "--log-key", required=True, action="append", metavar="VKEY", help="trusted log key"
    )
    p.add_argument("--bind", default="127.0.0.1:7380", help="HOST:PORT (default 127.0.0.1:7380)")
    p.set_defaults(func=cmd_witness_serve)

    p = wit_sub.add_parser("keygen", help="generate a witness key pair")
    p.add_argument("name", help="key name, e.g. kh.witness.example.org")
    p.add_argument("--key-file", help="write the secret key here (mode 0600) instead of stdout")
    p.set_defaults(func=cmd_witness_keygen)

    p = wit_sub.add_parser("demo", help="run one witness per member country on loopback")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--base-port", type=int, default=DEMO_BASE_PORT)
    p.add_argument("--no-wait", action="store_true", help="start them and exit, leaving them up")
    p.set_defaults(func=cmd_witness_demo)
