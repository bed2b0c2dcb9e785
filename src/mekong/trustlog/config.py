"""The log's configuration, read from the environment: signing key, origin, witnesses.

=========================  ================================================================
``TRUSTLOG_SIGNER_KEY``    the log's C2SP signer key ``PRIVATE+KEY+<origin>+<id>+<base64>``;
                           unset: the key in ``$MEKONG_VAR_DIR/trustlog/log.key`` is used,
                           generated there when ``DEBUG`` is on or by ``mekong witness demo``
``TRUSTLOG_ORIGIN``        the checkpoint origin (default ``mekong.example/log``); it is also
                           the key name, so it must match the signer key's name
``TRUSTLOG_WITNESSES``     comma-separated ``<witness vkey>=<submission URL>`` entries;
                           unset (not empty): ``$MEKONG_VAR_DIR/trustlog/witnesses.txt``
                           if ``mekong witness demo`` wrote one
``TRUSTLOG_QUORUM``        cosignatures a receipt should carry (default: a majority)
``TRUSTLOG_WITNESS_TIMEOUT``  seconds to wait for one witness (default 5)
=========================  ================================================================

The private key is never logged, printed or put in an exception message.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from mekong.trustlog.note import KeyFormatError, NoteSigner, VerifierKey
from mekong.trustlog.receipt import default_quorum, parse_witness_key

logger = logging.getLogger(__name__)

DEFAULT_ORIGIN = "mekong.example/log"
_WITNESS_ENTRY = re.compile(r"(?P<vkey>[^=\s]+?)=(?P<url>https?://\S+)")


@dataclass(frozen=True)
class WitnessEndpoint:
    """A witness the log asks for cosignatures: its verifier key and submission URL prefix."""

    key: VerifierKey
    url: str


@dataclass(frozen=True)
class LogConfig:
    """Everything the log needs to sign checkpoints and collect cosignatures."""

    origin: str
    signer: NoteSigner
    witnesses: tuple[WitnessEndpoint, ...]
    quorum: int
    timeout: float

    @property
    def verifier_key(self) -> str:
        """The log's public verifier key (``name+id+base64``), for readers of receipts."""
        return self.signer.verifier.encode()


def trustlog_dir() -> Path:
    """``$MEKONG_VAR_DIR/trustlog``: the demo's generated keys and witness state."""
    return Path(settings.VAR_DIR) / "trustlog"


def parse_witnesses(value: str) -> tuple[WitnessEndpoint, ...]:
    """Parse ``vkey=url,vkey=url``.

    Raises:
        ImproperlyConfigured: If an entry is malformed or a key is not a cosigner key.
    """
    out: list[WitnessEndpoint] = []
    for raw in value.replace("\n", ",").split(","):
        item = raw.strip()
        if not item:
            continue
        match = _WITNESS_ENTRY.fullmatch(item)
        if not match:
            raise ImproperlyConfigured(
                "TRUSTLOG_WITNESSES entries must be <vkey>=<http(s) URL>, comma-separated"
            )
        try:
            key = parse_witness_key(match.group("vkey"))
        except KeyFormatError as exc:
            raise ImproperlyConfigured(f"TRUSTLOG_WITNESSES: {exc}") from None
        out.append(WitnessEndpoint(key, match.group("url").rstrip("/")))
    return tuple(out)


def write_secret(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only, refusing to overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text.strip() + "\n")


def ensure_local_signer_key(origin: str | None = None) -> Path:
    """Generate the demo log key into ``var/trustlog/log.key`` unless it exists; return it."""
    path = trustlog_dir() / "log.key"
    if not path.exists():
        name = origin or os.environ.get("TRUSTLOG_ORIGIN", "") or DEFAULT_ORIGIN
        write_secret(path, NoteSigner.generate(name).encode_skey())
        logger.warning("generated a development log signing key in %s", path)
    return path


def _load_signer(origin_env: str) -> NoteSigner:
    skey = os.environ.get("TRUSTLOG_SIGNER_KEY", "").strip()
    source = "TRUSTLOG_SIGNER_KEY"
    if not skey:
        path = trustlog_dir() / "log.key"
        if not path.exists():
            if not settings.DEBUG:
                raise ImproperlyConfigured(
                    "TRUSTLOG_SIGNER_KEY is not set: set it (see docs/modules/trustlog.md) "
                    "or run 'mekong log key --generate' for a local key"
                )
            ensure_local_signer_key(origin_env or None)
        skey = path.read_text(encoding="utf-8").strip()
        source = str(path)
    try:
        return NoteSigner.from_skey(skey)
    except KeyFormatError:
        # The message names the source only: the key text must not reach a log.
        raise ImproperlyConfigured(f"{source} is not a valid Ed25519 signer key") from None


@functools.lru_cache(maxsize=4)
def _config(key: tuple[str | None, ...]) -> LogConfig:
    origin_env, _skey, witnesses_env, quorum_env, timeout_env, _var = (k or "" for k in key)
    signer = _load_signer(origin_env)
    origin = origin_env or signer.name
    if signer.name != origin:
        raise ImproperlyConfigured(
            f"TRUSTLOG_ORIGIN {origin!r} differs from the signer key name {signer.name!r}"
        )
    if key[2] is None:  # unset, not merely empty: the demo's list, if `witness demo` wrote one
        demo_file = trustlog_dir() / "witnesses.txt"
        if demo_file.exists():
            witnesses_env = demo_file.read_text(encoding="utf-8")
    witnesses = parse_witnesses(witnesses_env)
    try:
        quorum = int(quorum_env) if quorum_env else default_quorum(len(witnesses))
        timeout = float(timeout_env) if timeout_env else 5.0
    except ValueError:
        raise ImproperlyConfigured(
            "TRUSTLOG_QUORUM and TRUSTLOG_WITNESS_TIMEOUT are numbers"
        ) from None
    return LogConfig(origin, signer, witnesses, max(0, quorum), max(0.1, timeout))


def log_config() -> LogConfig:
    """Return the current configuration (cached per distinct environment).

    Raises:
        ImproperlyConfigured: If the key is missing outside development, or a value is invalid.
    """
    env = os.environ
    return _config(
        (
            env.get("TRUSTLOG_ORIGIN", "").strip(),
            env.get("TRUSTLOG_SIGNER_KEY", "").strip(),
            None if "TRUSTLOG_WITNESSES" not in env else env["TRUSTLOG_WITNESSES"].strip(),
            env.get("TRUSTLOG_QUORUM", "").strip(),
            env.get("TRUSTLOG_WITNESS_TIMEOUT", "").strip(),
            str(settings.VAR_DIR),
        )
    )


def clear_cache() -> None:
    """Forget cached configuration (tests that change the environment)."""
    _config.cache_clear()
