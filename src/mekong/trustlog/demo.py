"""Demo data of the verifiable log: a log key for the demo, a first anchored record, and its
receipt in ``var/trustlog/demo-receipt.json`` to try on the "Verify a receipt" page.

Idempotent: a log that already has entries is left alone. Runs only from ``mekong demo`` /
``mekong seed-demo``, so generating a local key here is the "dev/demo" case of the config.
"""

from __future__ import annotations

import os

from mekong.trustlog import config, selectors, services


def seed() -> list[str]:
    """Anchor one demo record unless the log has entries; return report lines."""
    if not os.environ.get("TRUSTLOG_SIGNER_KEY"):
        config.ensure_local_signer_key()
        config.clear_cache()
    cfg = config.log_config()
    lines = [f"verifiable log {cfg.origin}: key {cfg.verifier_key}"]
    if selectors.log_size() > 0:
        return [*lines, f"verifiable log: {selectors.log_size()} entries already"]
    receipt = services.entry_anchor(
        kind="demo.welcome",
        payload=b"Mekong Digital Economy Platform: first record of the shared log",
    )
    path = config.trustlog_dir() / "demo-receipt.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(receipt.to_json(), encoding="utf-8")
    witnesses = len(config.log_config().witnesses)
    cosigned = len(selectors.checkpoint_for_entry(receipt.entry.index).witnesses)
    return [
        *lines,
        f"verifiable log: demo receipt in {path} ({cosigned} of {witnesses} witnesses cosigned)",
    ]
