"""Watchlist entries record when they last changed: with the row count and the largest id that
is the version by which each process rebuilds its screening index. Existing rows get the time
of the migration."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0004_wallet_spend_local_days'),
    ]

    operations = [
        migrations.AddField(
            model_name='watchlistentry',
            name='changed_at',
            field=models.DateTimeField(auto_now=True, db_index=True),
        ),
    ]
