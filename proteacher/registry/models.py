"""Master data loaded by the working group: counties, schools, title codes, training, old certificates."""

from django.db import models


def normalize_place_name(name: str) -> str:
    """Compare names the way people write them: 台 and 臺 are the same, spaces do not count."""
    return "".join(name.split()).replace("台", "臺")


class County(models.Model):
    code = models.CharField("代碼", max_length=10, unique=True)
    name = models.CharField("縣市", max_length=10, unique=True)
    # Used in certificate numbers: 臺北證號第B108000013號.
    short_name = models.CharField("簡稱", max_length=4, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = verbose_name_plural = "縣市"

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    code = models.CharField("學校代碼", max_length=10, unique=True)
    name = models.CharField("學校名稱", max_length=100)
    # Written once on save; SSO sends names, which are matched on this.
    normalized_name = models.CharField(max_length=100, db_index=True, editable=False)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="schools", verbose_name="縣市")

    class Meta:
        ordering = ["county__sort_order", "code"]
        verbose_name = verbose_name_plural = "學校"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalized_name = normalize_place_name(self.name)
        super().save(*args, **kwargs)


class TitleCode(models.Model):
    code = models.CharField("職稱代碼", max_length=10, unique=True)
    name = models.CharField("職稱", max_length=50)
    is_formal_teacher = models.BooleanField("正式教師", default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "職稱代碼"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TrainingCategory(models.TextChoices):
    BASIC = "basic", "初階培訓"
    ADVANCED = "advanced", "進階培訓"
    ADVANCED_PRACTICE = "advanced_practice", "進階實務探討"
    MENTOR = "mentor", "教學輔導教師培訓"
    MENTOR_PRACTICE = "mentor_practice", "教學輔導教師實務探討"
    OTHER = "other", "其他"


class TrainingRecord(models.Model):
    """One course a teacher completed (研習時數), keyed by the in-service network account."""

    # No index of its own: the natural-key constraint below starts with this column and serves
    # lookups by account; one index fewer keeps large imports fast.
    inservice_account = models.CharField("全教網帳號", max_length=64)
    course = models.CharField("課程名稱", max_length=200)
    category = models.CharField("類別", max_length=20, choices=TrainingCategory.choices)
    hours = models.DecimalField("時數", max_digits=5, decimal_places=1)
    completed_on = models.DateField("研習日期")
    academic_year = models.PositiveSmallIntegerField("學年度")

    class Meta:
        ordering = ["-completed_on", "id"]
        verbose_name = verbose_name_plural = "研習時數"
        constraints = [
            # The importer's natural key: loading the same file twice updates, never doubles hours.
            models.UniqueConstraint(
                fields=["inservice_account", "course", "completed_on"], name="training_record_natural_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.hours}"


class OldCertificate(models.Model):
    """A certificate recorded by the old system, offered to its teacher at 資料轉移."""

    # Indexed through the natural-key constraint below, which starts with this column.
    inservice_account = models.CharField("全教網帳號", max_length=64)
    academic_year = models.PositiveSmallIntegerField("學年度")
    # The old system's label as written in its export (初階認證, 進階認證, 教學輔導教師認證);
    # 資料轉移 (certification.transfer) matches it to a certification type's short name.
    kind = models.CharField("證號類別", max_length=20)
    number = models.CharField("證號", max_length=40, blank=True)
    obtained_on = models.DateField("證號取得時間", null=True, blank=True)

    class Meta:
        ordering = ["academic_year", "id"]
        verbose_name = verbose_name_plural = "舊系統證號"
        constraints = [
            # The importer's natural key: a re-import corrects the number or date in place.
            models.UniqueConstraint(
                fields=["inservice_account", "kind", "academic_year"], name="old_certificate_natural_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.academic_year} {self.kind} {self.number}"
