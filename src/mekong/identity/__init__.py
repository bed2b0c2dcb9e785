"""Identity: organisations, users, memberships with roles, and per-organisation API tokens."""
