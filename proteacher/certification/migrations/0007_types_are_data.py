"""A certification type is data: no closed list of codes.

- CertificationType.code loses its fixed choices; each type names its reviewers' form
  (review_template_code, the shipped ones set to the form the naming convention found before) and
  has a certificate letter of its own.
- Certificate.kind (a code from the fixed list) becomes certification_type, a foreign key, with
  every existing certificate carried over; the issued-number constraint follows it.
"""

import django.db.models.deletion
from django.db import migrations, models


def carry_over(apps, schema_editor):
    CertificationType = apps.get_model("certification", "CertificationType")
    Certificate = apps.get_model("certification", "Certificate")
    for kind in CertificationType.objects.all():
        kind.review_template_code = f"review_{kind.code}"
        kind.save(update_fields=["review_template_code"])
        Certificate.objects.filter(kind=kind.code).update(certification_type=kind)


def carry_back(apps, schema_editor):
    Certificate = apps.get_model("certification", "Certificate")
    for certificate in Certificate.objects.select_related("certification_type"):
        certificate.kind = certificate.certification_type.code
        certificate.save(update_fields=["kind"])


class Migration(migrations.Migration):
    dependencies = [("certification", "0006_caseevent_action_choices")]

    operations = [
        migrations.AlterField(
            model_name="certificationtype",
            name="code",
            field=models.SlugField(max_length=20, unique=True, verbose_name="代碼"),
        ),
        migrations.AddField(
            model_name="certificationtype",
            name="review_template_code",
            field=models.CharField(blank=True, max_length=60, verbose_name="審查標準表"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="certification_type",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="certification.certificationtype",
                verbose_name="類別",
            ),
        ),
        migrations.RunPython(carry_over, carry_back),
        migrations.RemoveConstraint(model_name="certificate", name="issued_serial_unique"),
        migrations.RemoveField(model_name="certificate", name="kind"),
        migrations.AlterField(
            model_name="certificate",
            name="certification_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="certification.certificationtype",
                verbose_name="類別",
            ),
        ),
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("serial__isnull", False)),
                fields=("certification_type", "county", "academic_year", "serial"),
                name="issued_serial_unique",
            ),
        ),
        migrations.AlterField(
            model_name="certificationtype",
            name="certificate_letter",
            field=models.CharField(max_length=1, unique=True, verbose_name="證號字母"),
        ),
    ]
