"""SQLite backend whose flush keeps append-only triggers in place (see append_only)."""
