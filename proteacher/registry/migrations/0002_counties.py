from django.db import migrations

from proteacher.registry.counties import COUNTIES


def add_counties(apps, schema_editor):
    County = apps.get_model("registry", "County")
    for order, (code, name, short_name) in enumerate(COUNTIES, start=1):
        County.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short_name, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add_counties, migrations.RunPython.noop)]
