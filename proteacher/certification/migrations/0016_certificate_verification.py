import secrets

import django.db.models.deletion
import django.utils.timezone
import proteacher.certification.models
from django.conf import settings
from django.db import migrations, models


def give_codes(apps, schema_editor):
    """Every certificate already held, imported ones included, gets its own verification code."""
    Certificate = apps.get_model("certification", "Certificate")
    for certificate in Certificate.objects.filter(verify_code__isnull=True).only("pk").iterator():
        Certificate.objects.filter(pk=certificate.pk).update(verify_code=secrets.token_urlsafe(16))


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0015_case_event_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='certificate',
            name='expires_on',
            field=models.DateField(blank=True, null=True, verbose_name='有效期限'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='pdf',
            field=models.FileField(blank=True, upload_to='certificates/%Y/'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='pdf_sha256',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='certificate',
            name='revocation_category',
            field=models.CharField(blank=True, choices=[('false_data', '資料不實'), ('duplicate', '重複核發'), ('administrative', '行政錯誤'), ('other', '其他')], max_length=20, verbose_name='撤銷原因類別'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='revocation_reason',
            field=models.TextField(blank=True, verbose_name='撤銷原因'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='revoked_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='撤銷時間'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='revoked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='certificate',
            name='verify_code',
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='certificate',
            name='verify_code',
            field=models.CharField(default=proteacher.certification.models.new_verify_code, editable=False, max_length=32, unique=True),
        ),
        migrations.CreateModel(
            name='VerificationLookup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('outcome', models.CharField(choices=[('valid', '有效'), ('revoked', '已撤銷'), ('expired', '已過期'), ('unknown', '查無此證書'), ('invalid', '輸入有誤'), ('limited', '查詢過於頻繁')], max_length=10)),
                ('by_number', models.BooleanField(default=False)),
                ('client_key', models.CharField(blank=True, max_length=64)),
                ('certificate', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='certification.certificate')),
            ],
            options={
                'verbose_name': '證書查驗紀錄',
                'verbose_name_plural': '證書查驗紀錄',
                'indexes': [models.Index(fields=['client_key', 'at'], name='certificati_client__7fd600_idx'), models.Index(fields=['at'], name='certificati_at_e7cb97_idx')],
            },
        ),
    ]
