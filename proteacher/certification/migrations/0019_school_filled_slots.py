"""The 推薦表 of 教學輔導教師 and of its renewal becomes the school's online form (filled by a
學校承辦人, FormSlot.filled_by = school) instead of a PDF the teacher uploads.

An answer a teacher already uploaded stays the slot's answer (a template the slot no longer
offers still shows); new ones are the school's.
"""

import uuid

from django.db import migrations, models

SCHOOL_SLOTS = {"mentor": "recommendation", "mentor_renewal": "recommendation"}


def to_school(apps, schema_editor):
    CertificationType = apps.get_model("certification", "CertificationType")
    FormSlot = apps.get_model("certification", "FormSlot")
    for type_code, slot_code in SCHOOL_SLOTS.items():
        changed = FormSlot.objects.filter(certification_type__code=type_code, code=slot_code).update(
            filled_by="school", template_codes=["school_recommendation"]
        )
        if changed:
            # The slots kept per process (slot_cache) are keyed by this token: a new one drops them.
            CertificationType.objects.filter(code=type_code).update(slots_token=uuid.uuid4().hex)


def to_teacher(apps, schema_editor):
    CertificationType = apps.get_model("certification", "CertificationType")
    FormSlot = apps.get_model("certification", "FormSlot")
    uploads = {"mentor": "mentor_recommendation", "mentor_renewal": "renewal_recommendation"}
    for type_code, slot_code in SCHOOL_SLOTS.items():
        FormSlot.objects.filter(certification_type__code=type_code, code=slot_code).update(
            filled_by="teacher", template_codes=[uploads[type_code]]
        )
        CertificationType.objects.filter(code=type_code).update(slots_token=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0018_renewal"),
    ]

    operations = [
        migrations.AddField(
            model_name="formslot",
            name="filled_by",
            field=models.CharField(
                choices=[("teacher", "教師"), ("school", "學校")], default="teacher", max_length=10, verbose_name="填寫者"
            ),
        ),
        migrations.RunPython(to_school, to_teacher),
    ]
