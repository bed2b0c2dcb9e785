"""Check that the PostgreSQL server for the test run answers; fail loudly if it does not.

In CI (CI=true) an unreachable server is an error: the suite must run on PostgreSQL, never be
skipped silently. Outside CI the same error tells the developer how to start it.
"""

from __future__ import annotations

import sys
import time

import dj_database_url
import psycopg


def main(url: str) -> int:
    cfg = dj_database_url.parse(url)
    params = {
        "host": cfg.get("HOST") or "127.0.0.1",
        "port": int(cfg.get("PORT") or 5432),
        "user": cfg.get("USER") or "postgres",
        "password": cfg.get("PASSWORD") or None,
        "dbname": "postgres",
        "connect_timeout": 5,
    }
    last: Exception | None = None
    for _ in range(10):
        try:
            with psycopg.connect(**params) as conn:
                version = conn.execute("SHOW server_version").fetchone()
                print(
                    f"PostgreSQL {version[0] if version else '?'} reachable at "
                    f"{params['host']}:{params['port']}"
                )
                return 0
        except psycopg.OperationalError as exc:
            last = exc
            time.sleep(1)
    print(
        f"error: PostgreSQL is not reachable at {params['host']}:{params['port']} ({last}). "
        "Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) "
        "or set PG_URL=postgres://user@host:port/db.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(
        main(sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/mekong")
    )
