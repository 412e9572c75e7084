from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """An audit entry is written once; nothing changes or deletes it (the database refuses too)."""


class AuditEntry(models.Model):
    """One thing someone did or looked at: written in the transaction of what it records, never
    changed. People and cases are named by plain ids and a copy of what was true then, so removing
    a user or a case changes no entry.

    `seq`, `prev_hash` and `hash` are empty until the entry is sealed into the hash chain
    (audit.chain.seal, run by the worker); sealing is the only update the database allows.
    """

    at = models.DateTimeField("時間", default=timezone.now)
    # A dotted code: "slot.save", "login.failed", "file.view" … (audit.actions names them).
    action = models.CharField("動作", max_length=40)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_role = models.CharField(max_length=10, blank=True)
    actor_name = models.CharField(max_length=100, blank=True)
    # The teacher whose personal data the entry is about (a file viewed, a form saved).
    subject_id = models.BigIntegerField(null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    # What was acted on, for people: "觀察前會談紀錄表-甲", "認證設定：進階專業回饋人才認證" …
    target = models.CharField("對象", max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "稽核紀錄"
        indexes = [
            models.Index(fields=["at", "id"]),
            models.Index(fields=["action", "at"]),
            models.Index(fields=["actor_id", "at"]),
            models.Index(fields=["subject_id", "at"]),
            models.Index(fields=["case_id", "at"]),
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"audit entry {self.pk} cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"audit entry {self.pk} cannot be deleted")


class ChainHead(models.Model):
    """The last sealed entry of the hash chain: one row, locked while sealing, so two workers
    never seal at once."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.seq} {self.hash[:12]}"
