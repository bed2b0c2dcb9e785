"""A C2SP tlog-witness: checks that a log only grows, and cosigns its checkpoints.

Pure: standard library plus `note` and `merkle`, no Django, so a member country can run it
on its own machine with nothing but this package (``mekong witness serve``). Spec:
C2SP ``tlog-witness`` ("add-checkpoint") and ``tlog-cosignature`` (Ed25519, type 0x04).

``POST <prefix>/add-checkpoint`` with the body ``old <size>\\n``, up to 63 base64 consistency
proof lines, an empty line, then the signed checkpoint. Answers:

====  =====================================================================================
200   one ``cosignature/v1`` signature line (``text/plain; charset=utf-8``)
400   malformed body, or old size greater than the checkpoint size
403   no signature from the log's trusted key, or a trusted key's signature fails to verify
404   unknown origin (no trusted key for it)
409   old size is not the witness's latest size for the log, or same size but another root;
      the body is that latest size in decimal and a newline (``text/x.tlog.size``)
422   the consistency proof does not verify (an inconsistent or forked log)
====  =====================================================================================

State: per origin, the latest cosigned checkpoint (size, root, note), kept in one JSON file.
Checking the old size and persisting the new checkpoint happen under one lock per log, and the
file is replaced atomically (write a temporary file, fsync, rename, fsync the directory), so
a crash leaves either the old or the new state, never half of one; the in-memory state changes
only after the file did. A second process cannot open the same state file (``flock``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import logging
import os
import re
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

from mekong.trustlog import merkle
from mekong.trustlog.note import (
    Checkpoint,
    CosignatureSigner,
    MalformedNoteError,
    NoteError,
    SignatureVerificationError,
    UnverifiedNoteError,
    VerifierKey,
    open_note,
    parse_note,
)

__all__ = [
    "MAX_BODY",
    "MAX_PROOF_LINES",
    "SIZE_CONTENT_TYPE",
    "LogState",
    "Response",
    "StateFileLockedError",
    "Witness",
    "WitnessState",
    "add_checkpoint_body",
    "make_server",
    "parse_size_body",
    "post_add_checkpoint",
]

logger = logging.getLogger(__name__)

MAX_PROOF_LINES = 63
"""tlog-witness: "The client MUST NOT send more than 63 consistency proof lines"."""

MAX_BODY = 64 * 1024
"""Largest request body accepted: a checkpoint with 100 signatures fits many times over."""

SIZE_CONTENT_TYPE = "text/x.tlog.size"
"""Content type of a 409 answer: the witness's latest size and a newline."""

_TEXT = "text/plain; charset=utf-8"
_OLD_LINE = re.compile(r"old (0|[1-9][0-9]{0,19})")
_STATE_VERSION = 1


class StateFileLockedError(RuntimeError):
    """Another process holds the witness state file."""


@dataclass(frozen=True, slots=True)
class LogState:
    """What the witness last cosigned for one log."""

    size: int
    root: bytes
    checkpoint: str


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP answer of the witness: status, content type, body."""

    status: int
    content_type: str
    body: bytes


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WitnessState:
    """The witness's persistent record: the latest cosigned checkpoint of each log.

    Invariant: `get` returns what the state file on disk says; `put` changes both or neither.
    Thread-safe for `put` (writes are serialised); callers serialise check-then-put per log.
    """

    def __init__(self, path: Path) -> None:
        """Open (or create on first `put`) the state file and lock it for this process.

        Raises:
            StateFileLockedError: If another process has the file open.
            ValueError: If the file exists but is not a valid state file.
        """
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_file: IO[bytes] = open(f"{self.path}.lock", "ab")  # noqa: SIM115 - held open
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_file.close()
            raise StateFileLockedError(f"{self.path} is in use by another witness") from None
        self._write_lock = threading.Lock()
        self._logs: dict[str, LogState] = self._load()

    def _load(self) -> dict[str, LogState]:
        if not self.path.exists():
            return {}
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != _STATE_VERSION:
            raise ValueError(f"{self.path}: not a witness state file (version {_STATE_VERSION})")
        logs: dict[str, LogState] = {}
        for origin, item in data.get("logs", {}).items():
            root = base64.b64decode(item["root"], validate=True)
            if len(root) != merkle.HASH_SIZE or int(item["size"]) < 0:
                raise ValueError(f"{self.path}: bad state for {origin!r}")
            logs[origin] = LogState(int(item["size"]), root, str(item["checkpoint"]))
        return logs

    def get(self, origin: str) -> LogState | None:
        """The latest cosigned checkpoint of ``origin``, or None if never cosigned."""
        return self._logs.get(origin)

    def put(self, origin: str, state: LogState) -> None:
        """Persist ``state`` for ``origin`` durably, then make it current.

        Raises:
            OSError: If the file could not be written; the old state stays in force.
        """
        with self._write_lock:
            logs = {**self._logs, origin: state}
            payload = {
                "version": _STATE_VERSION,
                "logs": {
                    o: {
                        "size": s.size,
                        "root": base64.b64encode(s.root).decode("ascii"),
                        "checkpoint": s.checkpoint,
                    }
                    for o, s in sorted(logs.items())
                },
            }
            self._write_atomically(json.dumps(payload, indent=1).encode("utf-8"))
            self._logs = logs

    def _write_atomically(self, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        # The rename is durable only once the directory entry is on disk.
        _fsync_dir(self.path.parent)

    def close(self) -> None:
        """Release the process lock."""
        self._lock_file.close()


def _decode_hash(line: str) -> bytes:
    try:
        value = base64.b64decode(line.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValueError("proof line is not base64") from None
    if len(value) != merkle.HASH_SIZE:
        raise ValueError("proof line is not a 32-byte hash")
    return value


def _parse_body(body: bytes) -> tuple[int, list[bytes], str]:
    """Split an add-checkpoint body into (old size, proof hashes, signed checkpoint)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("body is not UTF-8") from None
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise ValueError("body has no empty line before the checkpoint")
    lines = head.split("\n")
    match = _OLD_LINE.fullmatch(lines[0])
    if not match:
        raise ValueError("first line must be 'old <size>'")
    proof_lines = lines[1:]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise ValueError("more than 63 proof lines")
    return int(match.group(1)), [_decode_hash(line) for line in proof_lines], note


class Witness:
    """The add-checkpoint logic of one witness: verify, check consistency, persist, cosign.

    Invariants: for each origin the stored size never decreases; every checkpoint it cosigns
    is consistent with the one stored before it; the state is persisted before the cosignature
    is returned. Locks: one per origin around check-and-persist (C2SP's "must be performed
    atomically"), so concurrent requests for one log cannot roll it back.
    """

    def __init__(
        self,
        signer: CosignatureSigner,
        log_keys: Sequence[VerifierKey],
        state: WitnessState,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create a witness.

        Args:
            signer: The witness's cosigning key.
            log_keys: Trusted log keys; each key's name is the origin of its log.
            state: Persistent state.
            clock: Seconds since the epoch, for cosignature timestamps (tests pin it).
        """
        self.signer = signer
        self.state = state
        self.clock = clock
        self._keys: dict[str, list[VerifierKey]] = {}
        for key in log_keys:
            self._keys.setdefault(key.name, []).append(key)
        self._locks = {origin: threading.Lock() for origin in self._keys}

    def add_checkpoint(self, body: bytes) -> Response:
        """Handle one add-checkpoint request body; never raises on client input."""
        try:
            old_size, proof, message = _parse_body(body)
            note = parse_note(message)
            checkpoint = Checkpoint.parse(note.text)
        except (ValueError, NoteError) as exc:
            return _text(400, f"malformed request: {exc}\n")
        keys = self._keys.get(checkpoint.origin)
        if keys is None:
            return _text(404, "unknown log origin\n")
        try:
            open_note(message, keys)
        except (SignatureVerificationError, UnverifiedNoteError):
            return _text(403, "no valid signature from a trusted log key\n")
        except MalformedNoteError as exc:
            return _text(400, f"malformed checkpoint: {exc}\n")
        if old_size > checkpoint.size:
            return _text(400, "old size is greater than the checkpoint size\n")
        with self._locks[checkpoint.origin]:
            current = self.state.get(checkpoint.origin)
            latest = LogState(0, merkle.EMPTY_ROOT, "") if current is None else current
            if old_size != latest.size:
                return _size(latest.size)
            if checkpoint.size == latest.size and checkpoint.root_hash != latest.root:
                # Same size, other root: a fork. The spec answers 409 with our size.
                logger.warning(
                    "refused a forked checkpoint of %s at size %d",
                    checkpoint.origin,
                    checkpoint.size,
                )
                return _size(latest.size)
            if not merkle.verify_witness_consistency(
                latest.size, checkpoint.size, latest.root, checkpoint.root_hash, proof
            ):
                logger.warning(
                    "refused an inconsistent checkpoint of %s from %d to %d",
                    checkpoint.origin,
                    latest.size,
                    checkpoint.size,
                )
                return _text(422, "consistency proof does not verify\n")
            text = note.text
            signature = self.signer.cosign(text, max(1, int(self.clock())))
            try:
                self.state.put(
                    checkpoint.origin,
                    LogState(checkpoint.size, checkpoint.root_hash, message),
                )
            except OSError:
                logger.exception("could not persist the state of %s", checkpoint.origin)
                return _text(500, "could not persist state\n")
        return Response(200, _TEXT, signature.line().encode("utf-8"))


def _text(status: int, text: str) -> Response:
    return Response(status, _TEXT, text.encode("utf-8"))


def _size(size: int) -> Response:
    return Response(409, SIZE_CONTENT_TYPE, f"{size}\n".encode("ascii"))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as tlog-witness recommends

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def do_GET(self) -> None:
        # Readiness and identity: the witness's name and verifier key (public).
        if self.path.rstrip("/") == "":
            witness = self.server.witness
            text = f"{witness.signer.name}\n{witness.signer.verifier.encode()}\n"
            self._send(_text(200, text))
        else:
            self._send(_text(404, "not found\n"))

    def do_POST(self) -> None:
        if self.path != f"{self.server.prefix}/add-checkpoint":
            self._send(_text(404, "not found\n"))
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send(_text(411, "Content-Length required\n"))
            return
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self._send(_text(413, "request body too large\n"))
            return
        body = self.rfile.read(length)
        self._send(self.server.witness.add_checkpoint(body))

    def log_message(self, format: str, *args: Any) -> None:
        # Requests are logged at debug level only: a witness answers every log's traffic.
        logger.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], witness: Witness, prefix: str) -> None:
        self.witness = witness
        self.prefix = prefix
        super().__init__(address, _Handler)


def make_server(witness: Witness, host: str, port: int, prefix: str = "") -> ThreadingHTTPServer:
    """Return an HTTP server for ``witness`` (call ``serve_forever``)."""
    return _Server((host, port), witness, prefix.rstrip("/"))


# --- client side (used by the log) ---------------------------------------------------------


def add_checkpoint_body(old_size: int, proof: Sequence[bytes], signed_checkpoint: str) -> bytes:
    """Build an add-checkpoint request body."""
    lines = [f"old {old_size}"] + [base64.b64encode(h).decode("ascii") for h in proof]
    return ("\n".join(lines) + "\n\n" + signed_checkpoint).encode("utf-8")


def parse_size_body(body: bytes) -> int | None:
    """Parse a 409 body (``<size>\\n``); None if it is not one."""
    match = re.fullmatch(rb"(0|[1-9][0-9]{0,19})\n", body)
    return int(match.group(1)) if match else None


def post_add_checkpoint(url: str, body: bytes, timeout: float) -> tuple[int, bytes]:
    """POST ``body`` to ``<url>/add-checkpoint``; return (status, body), status 0 if unreachable."""
    request = urllib.request.Request(  # noqa: S310 - the URL comes from the operator's config
        url.rstrip("/") + "/add-checkpoint",
        data=body,
        method="POST",
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status), response.read(MAX_BODY)
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(MAX_BODY)
    except (OSError, ValueError) as exc:
        logger.warning("witness at %s unreachable: %s", url, exc)
        return 0, b""


@contextlib.contextmanager
def running(witness: Witness, host: str, port: int) -> Iterator[ThreadingHTTPServer]:
    """Serve ``witness`` in a background thread for the duration of the block (tests, demo)."""
    server = make_server(witness, host, port)
    # A short poll interval: shutdown() waits up to one interval.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
