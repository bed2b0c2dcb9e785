"""JSON schemas (draft 2020-12) of the customs document types; loaded by `documents.schemas`."""
