"""The watchlist version's triggers, hardened (a review of 0006):

- PostgreSQL: the bump function runs with the search_path it was created under, so a
  session with another one (a data-only ``pg_dump`` restore sets it to '') can still write
  the watchlist;
- both: the version's token cannot be written with a chosen value (``loaddata`` of a
  fixture that holds the version would bring an old token back, and a process would keep an
  index of an older list under it): every insert or update of the row draws a fresh one.
"""

from django.db import migrations

VERSION = "payments_watchlistversion"

_SQLITE = [
    f"CREATE TRIGGER {VERSION}_fresh_{op.lower()} AFTER {op} ON {VERSION} BEGIN "
    f"UPDATE {VERSION} SET token = lower(hex(randomblob(16))) WHERE id = NEW.id; END"
    for op in ("INSERT", "UPDATE")  # the inner UPDATE does not fire it again (no recursion)
]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {VERSION}_fresh_{op}" for op in ("insert", "update")]

_POSTGRES = [
    f"ALTER FUNCTION {VERSION}_bump() SET search_path FROM CURRENT",
    f"""CREATE FUNCTION {VERSION}_fresh() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    NEW.token := replace(gen_random_uuid()::text, '-', '');
    RETURN NEW;
END
$$""",
    f"CREATE TRIGGER {VERSION}_fresh BEFORE INSERT OR UPDATE ON {VERSION} "
    f"FOR EACH ROW EXECUTE FUNCTION {VERSION}_fresh()",
]
_POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {VERSION}_fresh ON {VERSION}",
    f"DROP FUNCTION IF EXISTS {VERSION}_fresh()",
    f"ALTER FUNCTION {VERSION}_bump() RESET search_path",
]


def _statements(schema_editor, *, create: bool) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        return _SQLITE if create else _SQLITE_DROP
    if vendor == "postgresql":
        return _POSTGRES if create else _POSTGRES_DROP
    raise RuntimeError(f"no watchlist version triggers for {vendor}")


def _create(apps, schema_editor):
    for sql in _statements(schema_editor, create=True):
        schema_editor.execute(sql)


def _drop(apps, schema_editor):
    for sql in _statements(schema_editor, create=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0006_watchlist_version"),
    ]

    operations = [
        migrations.RunPython(_create, _drop),
    ]
