from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """One message in a user's 訊息通知 (標題 · 內容 · 時間), also emailed through the outbox."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey("certification.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    event = models.ForeignKey(
        "certification.CaseEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    title = models.CharField("標題", max_length=200)
    body = models.TextField("內容")
    created_at = models.DateTimeField("時間", default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["recipient", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def email_state(self) -> str:
        """What 訊息通知 says of the email: 已寄送, 寄送中, 寄送失敗, or 未寄送 when there is none
        (the recipient had no address). Needs the mail_status the selectors annotate."""
        return EMAIL_STATES.get(getattr(self, "mail_status", None), "未寄送")


class OutgoingMail(models.Model):
    """An email rendered when queued and sent by the worker after commit; never sent twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", "待寄送"
        SENDING = "sending", "寄送中"
        SENT = "sent", "已寄送"
        FAILED = "failed", "寄送失敗"

    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    notification = models.ForeignKey(Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a worker claimed the row; a claim older than the lease is taken over (the worker died).
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.to} {self.subject}"


EMAIL_STATES = {
    OutgoingMail.Status.SENT: "已寄送",
    OutgoingMail.Status.QUEUED: "寄送中",
    OutgoingMail.Status.SENDING: "寄送中",
    OutgoingMail.Status.FAILED: "寄送失敗",
}
