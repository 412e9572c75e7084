"""換證 (renewal): a type may renew another (its cases give, at 發證, a new certificate of the
renewed type), and an application route may name the slots its cases fill. Installs the shipped
教學輔導教師換證 type with its slots, rules and two routes (certification.defaults)."""

import django.db.models.deletion
from django.db import migrations, models

from proteacher.certification import defaults


def add_renewal(apps, schema_editor):
    CertificationType = apps.get_model("certification", "CertificationType")
    defaults.install(
        CertificationType, apps.get_model("certification", "FormSlot"), apps.get_model("certification", "RuleSet")
    )
    defaults.install_routes(CertificationType, apps.get_model("certification", "ApplicationRoute"))


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0017_certificate_expiry'),
    ]

    operations = [
        migrations.AddField(
            model_name='applicationroute',
            name='slot_codes',
            field=models.JSONField(blank=True, default=list, verbose_name='表單項目'),
        ),
        migrations.AddField(
            model_name='certificationtype',
            name='renews',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='renewal_types', to='certification.certificationtype', verbose_name='換證之認證類別'),
        ),
        migrations.RunPython(add_renewal, migrations.RunPython.noop),
    ]
