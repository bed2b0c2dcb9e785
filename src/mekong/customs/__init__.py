"""Paperless cross-border trade: signed e-documents anchored on the verifiable log, clearance."""
