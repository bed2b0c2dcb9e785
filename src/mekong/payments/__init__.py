"""Payments hub: national QR schemes, cross-border payments, remittances and settlement."""
