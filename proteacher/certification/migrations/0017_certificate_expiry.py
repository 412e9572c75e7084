"""Certificates that run out: a type's 有效年限, the end date of the certificates issued for it,
and the reminders sent before it (certification.expiry).

教學輔導教師認證 (code mentor) gets its 10 years, and its certificates that have an issue day (issued
here, or imported from the old system with its 證號取得時間) get their end date by the rule of
certificates.valid_through (the day before the anniversary of the issue day, Asia/Taipei). The
others (back-filled, or imported without a date) carry no issue day and keep no end date.
"""

import datetime
from zoneinfo import ZoneInfo

import django.db.models.deletion
from django.db import migrations, models

from proteacher.dates import add_months

MENTOR = "mentor"
MENTOR_YEARS = 10


def mentor_validity(apps, schema_editor):
    CertificationType = apps.get_model("certification", "CertificationType")
    Certificate = apps.get_model("certification", "Certificate")
    mentor = CertificationType.objects.filter(code=MENTOR, validity_years__isnull=True).first()
    if mentor is None:
        return
    mentor.validity_years = MENTOR_YEARS
    mentor.save(update_fields=["validity_years"])
    taipei = ZoneInfo("Asia/Taipei")
    issued = Certificate.objects.filter(
        certification_type=mentor,
        source__in=["issued", "old_system"],
        issued_at__isnull=False,
        expires_on__isnull=True,
    )
    for certificate in issued.only("pk", "issued_at").iterator():
        day = certificate.issued_at.astimezone(taipei).date()
        anniversary = add_months(day, 12 * MENTOR_YEARS)
        last = anniversary if anniversary.day != day.day else anniversary - datetime.timedelta(days=1)
        Certificate.objects.filter(pk=certificate.pk).update(expires_on=last)


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0016_certificate_verification'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='certificationtype',
            name='validity_years',
            field=models.PositiveSmallIntegerField(blank=True, help_text='證書自發證日起有效的年數（教學輔導教師證書為10年）；空白表示證書無有效期限。', null=True, verbose_name='有效年限'),
        ),
        migrations.AlterField(
            model_name='certificate',
            name='expires_on',
            field=models.DateField(blank=True, db_index=True, null=True, verbose_name='有效期限'),
        ),
        migrations.CreateModel(
            name='ExpiryReminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('months_before', models.PositiveSmallIntegerField(verbose_name='到期前月數')),
                ('sent_at', models.DateTimeField(verbose_name='寄送時間')),
                ('certificate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='expiry_reminders', to='certification.certificate')),
                ('notification', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='notifications.notification')),
            ],
            options={
                'verbose_name': '證書到期提醒',
                'verbose_name_plural': '證書到期提醒',
                'ordering': ['certificate', '-months_before'],
                'constraints': [models.UniqueConstraint(fields=('certificate', 'months_before'), name='one_expiry_reminder_per_offset')],
            },
        ),
        migrations.RunPython(mentor_validity, migrations.RunPython.noop),
    ]
