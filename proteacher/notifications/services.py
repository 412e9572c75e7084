"""Queue 訊息通知: the in-app message and its email, in the transaction of the change they report.

What is said, and to whom, is the caller's (a case's messages are the workflow table's); this app
only delivers. Nothing here talks to a mail server: the email is an OutgoingMail row, rendered now
and sent later by the worker (outbox.send_due_mail), so a slow or failing mail server can never
hold up or undo a case's transition.
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from proteacher.notifications.models import Notification, OutgoingMail

# The email's subject; its body is templates/email/notification.txt.
EMAIL_SUBJECT = "【教師專業發展支持作業平臺】{title}"


def notify(user, title: str, body: str, case=None, *, event=None, at=None) -> Notification:
    """Put a message in `user`'s 訊息通知 and queue its email (none when the user has no address)."""
    with transaction.atomic():
        notification = Notification.objects.create(
            recipient=user, case=case, event=event, title=title, body=body, created_at=at or timezone.now()
        )
        if user.email:
            OutgoingMail.objects.create(
                to=user.email,
                subject=EMAIL_SUBJECT.format(title=title),
                body=_email_body(user, notification),
                notification=notification,
                next_attempt_at=notification.created_at,
            )
    return notification


def mark_read(notification: Notification) -> None:
    """確認: the first reading time is kept; a second click changes nothing."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now


def _email_body(user, notification: Notification) -> str:
    return render_to_string(
        "email/notification.txt",
        {
            "recipient": user,
            "notification": notification,
            "inbox_url": settings.SITE_URL + reverse("notifications:detail", args=[notification.pk]),
        },
    )
