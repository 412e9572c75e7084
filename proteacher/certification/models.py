from django.conf import settings
from django.db import models


class CertificateKind(models.TextChoices):
    BASIC = "basic", "初階認證"
    ADVANCED = "advanced", "進階認證"
    MENTOR = "mentor", "教學輔導教師認證"

    @classmethod
    def from_label(cls, label: str) -> "CertificateKind | None":
        for kind in cls:
            if kind.label == label.strip():
                return kind
        return None


class Certificate(models.Model):
    """A certificate a teacher holds (個人資訊 認證證號): imported from the old system or issued here."""

    class Source(models.TextChoices):
        OLD_SYSTEM = "old_system", "舊系統匯入"
        ISSUED = "issued", "本平臺核發"
        BACKFILLED = "backfilled", "補登"

    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField("類別", max_length=20, choices=CertificateKind.choices)
    academic_year = models.PositiveSmallIntegerField("學年度")
    number = models.CharField("證號", max_length=40, blank=True)
    issued_at = models.DateTimeField("發證時間", null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)

    class Meta:
        ordering = ["academic_year", "id"]
        verbose_name = verbose_name_plural = "認證證號"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.academic_year} {self.number}"
