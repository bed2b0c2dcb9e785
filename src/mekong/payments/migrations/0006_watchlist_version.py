"""The watchlist's version becomes a random token that database triggers replace on every
write to the watchlist (see `WatchlistVersion`), instead of the largest ``changed_at``, which
was stamped at ``save()`` rather than in commit order and missed writes that bypass
``save()``."""

import uuid

from django.db import migrations, models

ENTRIES = "payments_watchlistentry"
VERSION = "payments_watchlistversion"

# SQLite: row triggers (it has no statement triggers); randomblob gives the new token.
_SQLITE_BUMP = (
    f"INSERT INTO {VERSION} (id, token) VALUES (1, lower(hex(randomblob(16)))) "
    "ON CONFLICT(id) DO UPDATE SET token = excluded.token;"
)
_SQLITE = [
    f"CREATE TRIGGER {VERSION}_{op.lower()} AFTER {op} ON {ENTRIES} BEGIN {_SQLITE_BUMP} END"
    for op in ("INSERT", "UPDATE", "DELETE")
]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {VERSION}_{op}" for op in ("insert", "update", "delete")]

# PostgreSQL: one statement trigger, truncates included.
_POSTGRES = [
    f"""CREATE FUNCTION {VERSION}_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {VERSION} (id, token) VALUES (1, replace(gen_random_uuid()::text, '-', ''))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$""",
    f"CREATE TRIGGER {VERSION}_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {ENTRIES} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {VERSION}_bump()",
]
_POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {VERSION}_bump ON {ENTRIES}",
    f"DROP FUNCTION IF EXISTS {VERSION}_bump()",
]


def _statements(schema_editor, *, create: bool) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        return _SQLITE if create else _SQLITE_DROP
    if vendor == "postgresql":
        return _POSTGRES if create else _POSTGRES_DROP
    raise RuntimeError(f"no watchlist version triggers for {vendor}")


def _create(apps, schema_editor):
    apps.get_model("payments", "WatchlistVersion").objects.create(id=1, token=uuid.uuid4().hex)
    for sql in _statements(schema_editor, create=True):
        schema_editor.execute(sql)


def _drop(apps, schema_editor):
    for sql in _statements(schema_editor, create=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0005_watchlist_changed_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="WatchlistVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RemoveField(
            model_name="watchlistentry",
            name="changed_at",
        ),
        migrations.RunPython(_create, _drop),
    ]
