"""Database helpers: the PostgreSQL backend variant that creates UTF-8 locale databases."""
