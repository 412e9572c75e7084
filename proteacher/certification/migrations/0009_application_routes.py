"""A type's application routes (申請方式): 教學輔導教師認證 第一種申請方式 as the seed's 認證專區 shows it."""

import django.db.models.deletion
from django.db import migrations, models

from proteacher.certification import defaults


def add_routes(apps, schema_editor):
    defaults.install_routes(
        apps.get_model("certification", "CertificationType"), apps.get_model("certification", "ApplicationRoute")
    )


class Migration(migrations.Migration):
    dependencies = [("certification", "0008_slotanswer_file_sha256")]

    operations = [
        migrations.CreateModel(
            name="ApplicationRoute",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=20, verbose_name="代碼")),
                ("name", models.CharField(max_length=50, verbose_name="申請方式")),
                ("description", models.TextField(blank=True, verbose_name="說明")),
                ("rule_codes", models.JSONField(blank=True, default=list, verbose_name="資格規則")),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                (
                    "certification_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="routes",
                        to="certification.certificationtype",
                    ),
                ),
            ],
            options={
                "verbose_name": "申請方式",
                "verbose_name_plural": "申請方式",
                "ordering": ["certification_type", "sort_order", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("certification_type", "code"), name="route_code_per_type")
                ],
            },
        ),
        migrations.RunPython(add_routes, migrations.RunPython.noop),
    ]
