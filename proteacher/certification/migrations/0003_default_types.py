from django.db import migrations

from proteacher.certification import defaults


def add_types(apps, schema_editor):
    defaults.install(
        apps.get_model("certification", "CertificationType"),
        apps.get_model("certification", "FormSlot"),
        apps.get_model("certification", "RuleSet"),
    )


class Migration(migrations.Migration):
    dependencies = [("certification", "0002_types_cases_and_answers"), ("registry", "0002_counties")]
    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
