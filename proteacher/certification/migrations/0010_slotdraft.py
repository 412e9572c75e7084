import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0009_application_routes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SlotDraft",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slot_code", models.SlugField(max_length=40)),
                ("template_code", models.CharField(max_length=60)),
                ("template_version", models.PositiveSmallIntegerField()),
                ("data", models.JSONField(blank=True, default=dict)),
                ("base_revision", models.IntegerField(default=0)),
                ("saved_at", models.DateTimeField()),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="drafts", to="certification.case"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("case", "slot_code", "template_code"), name="one_draft_per_slot_template"
                    )
                ],
            },
        ),
    ]
