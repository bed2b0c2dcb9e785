"""PostgreSQL backend that creates (test) databases with a UTF-8 locale.

pg_trgm extracts no trigrams from Thai, Lao, Khmer or Burmese under the C locale (the character
classes are ASCII-only there), so every database the platform creates must use a UTF-8 LC_CTYPE
whatever the cluster's default is (docs/adr/0005).
"""
