"""Double-entry, multi-currency ledger on TigerBeetle's data model (docs/modules/ledger.md)."""
