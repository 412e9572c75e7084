"""API tokens: one per county system or national system, issued and revoked by 管理者.

Only the SHA-256 of a token's secret is stored; its prefix (random, unique) finds the row and names
the token on the pages. The calls of each minute are counted on the row itself (tokens.take_call),
so the per-token limit holds across every web server.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    CASES_READ = "cases:read", "讀取案件"
    CERTIFICATES_READ = "certificates:read", "讀取證書"
    STATISTICS_READ = "statistics:read", "讀取統計"
    TRAINING_WRITE = "training:write", "上傳研習時數"


class ApiToken(models.Model):
    name = models.CharField("名稱", max_length=60)
    # A county system's token sees that county only; a national system's (no county) sees all.
    county = models.ForeignKey(
        "registry.County", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="縣市"
    )
    scopes = models.JSONField("權限範圍", default=list)
    prefix = models.CharField("代號", max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField("到期時間")
    revoked_at = models.DateTimeField("撤銷時間", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rate_limit_per_minute = models.PositiveIntegerField("每分鐘呼叫上限", default=60)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("建立時間", default=timezone.now)
    last_used_at = models.DateTimeField("最後使用時間", null=True, blank=True)
    # The minute being counted and the calls in it (tokens.take_call).
    window_start = models.DateTimeField(null=True, blank=True, editable=False)
    window_calls = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "API 權杖"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def is_active(self, now=None) -> bool:
        return not self.is_revoked and not self.is_expired(now)

    def scope_labels(self) -> list[str]:
        labels = dict(Scope.choices)
        return [labels.get(scope, scope) for scope in self.scopes]


class TokenImport(models.Model):
    """A training-hour file a token handed in: the token reads the run's status, no other token does."""

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="imports")
    run = models.OneToOneField("review.ImportRun", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "API 上傳的匯入"

    def __str__(self) -> str:
        return f"{self.token} → {self.run_id}"
