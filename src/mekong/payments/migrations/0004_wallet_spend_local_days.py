"""Daily spend per wallet counted in the wallet's local days (its PSP's country), not UTC
days: the totals are rebuilt from the payments."""

from django.db import migrations


def _refill(apps, schema_editor):
    from mekong.payments.spending import rebuild

    rebuild(apps.get_model("payments", "Payment"), apps.get_model("payments", "WalletSpend"))


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0003_wallet_spend"),
    ]

    operations = [
        migrations.RunPython(_refill, migrations.RunPython.noop),
    ]
