from django.conf import settings
from django.db import models
from django.utils import timezone


class Delivery(models.TextChoices):
    """How a message's email goes. A message with legal weight always goes at once; an optional
    one goes as its recipient chose (NoticePreference)."""

    IMMEDIATE = "immediate", "立即寄送電子郵件"
    DIGEST = "digest", "每日彙整一封電子郵件"
    IN_APP = "in_app", "僅站內訊息"


class NoticePreference(models.Model):
    """A person's choice for optional notices; no row is the default, 立即寄送電子郵件."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notice_preference"
    )
    delivery = models.CharField("選擇性通知的寄送方式", max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} {self.delivery}"


class Notification(models.Model):
    """One message in a user's 訊息通知 (標題 · 內容 · 時間), also emailed through the outbox
    (at once, in the day's digest, or not at all: `delivery`)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey("certification.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    event = models.ForeignKey(
        "certification.CaseEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    title = models.CharField("標題", max_length=200)
    body = models.TextField("內容")
    created_at = models.DateTimeField("時間", default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # No legal weight: its email follows the recipient's choice (a decision's never does).
    optional = models.BooleanField(default=False)
    # How its email goes, decided when it was written: at once (an OutgoingMail of its own), held
    # for the day's digest (`digest` set once the worker put it in one), or none.
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    digest = models.ForeignKey(
        "DailyDigest", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at"]),
            # The messages the day's digest is still to take (few, and gone once taken).
            models.Index(
                fields=["recipient"],
                condition=models.Q(delivery="digest", digest__isnull=True),
                name="notification_held_for_digest",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def email_state(self) -> str:
        """What 訊息通知 says of the email: 已寄送, 寄送中, 寄送失敗, or 未寄送 when there is none
        (the recipient had no address); for an optional message, 未寄送 (僅站內) or 將於每日彙整寄送
        until the digest is made, then the digest's state. Needs the mail_status the selectors
        annotate (the digest's mail for a message held for one)."""
        if self.delivery == Delivery.IN_APP:
            return "未寄送 (僅站內)"
        if self.delivery == Delivery.DIGEST:
            if self.digest_id is None:
                return "將於每日彙整寄送"
            return EMAIL_STATES.get(getattr(self, "mail_status", None), "未寄送") + " (每日彙整)"
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


class DailyDigest(models.Model):
    """One person's digest of one day (Asia/Taipei): the held optional messages it lists and the
    one email that carries them. The (user, day) pair is unique, so two workers building the
    day's digest at once make one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    mail = models.ForeignKey(OutgoingMail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_user_and_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


EMAIL_STATES = {
    OutgoingMail.Status.SENT: "已寄送",
    OutgoingMail.Status.QUEUED: "寄送中",
    OutgoingMail.Status.SENDING: "寄送中",
    OutgoingMail.Status.FAILED: "寄送失敗",
}
