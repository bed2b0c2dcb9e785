"""Daily spend per wallet (`WalletSpend`), filled from the existing payments."""

import django.db.models.deletion
from django.db import migrations, models


def _fill(apps, schema_editor):
    from mekong.payments.spending import rebuild

    rebuild(apps.get_model("payments", "Payment"), apps.get_model("payments", "WalletSpend"))


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0002_webhooks'),
    ]

    operations = [
        migrations.CreateModel(
            name='WalletSpend',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('total', models.BigIntegerField(default=0)),
                ('wallet', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='payments.wallet')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('wallet', 'day'), name='payments_walletspend_day')],
            },
        ),
        migrations.RunPython(_fill, migrations.RunPython.noop),
    ]
