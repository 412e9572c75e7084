"""Queue 訊息通知: the in-app message and its email, in the transaction of the change they report.

What is said, and to whom, is the caller's (a case's messages are the workflow table's); this app
only delivers, and keeps each recipient's unread count on their user row (the menu's badge).
Nothing here talks to a mail server: the email is an OutgoingMail row, rendered now
and sent later by the worker (outbox.send_due_mail), so a slow or failing mail server can never
hold up or undo a case's transition.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from proteacher.notifications.models import Notification, OutgoingMail

# The email's subject; its body is templates/email/notification.txt.
EMAIL_SUBJECT = "【教師專業發展支持作業平臺】{title}"


def notify(user, title: str, body: str, case=None, *, event=None, at=None) -> Notification:
    """Put a message in `user`'s 訊息通知 and queue its email (none when the user has no address)."""
    # Inside a caller's transaction (a case's transition) no savepoint of its own: a failure here
    # undoes the caller's change with it anyway, and a batch of 發證 saves two statements a case.
    with transaction.atomic(savepoint=False):
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
        _add_unread(user.pk, 1)
    return notification


def mark_read(notification: Notification) -> None:
    """確認: the first reading time is kept; a second click changes nothing."""
    if notification.read_at is None:
        now = timezone.now()
        with transaction.atomic():
            if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
                _add_unread(notification.recipient_id, -1)
        notification.read_at = now


def recount_unread(user) -> int:
    """The user's unread messages counted, and the kept count set right if anything ever made it
    drift (a message deleted with its case, say). 訊息通知's list runs it."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    if unread != user.unread_notifications:
        get_user_model().objects.filter(pk=user.pk).update(unread_notifications=unread)
        user.unread_notifications = unread
    return unread


def _add_unread(user_id: int, change: int) -> None:
    counted = Greatest(F("unread_notifications") + change, 0)
    get_user_model().objects.filter(pk=user_id).update(unread_notifications=counted)


def _email_body(user, notification: Notification) -> str:
    return render_to_string(
        "email/notification.txt",
        {
            "recipient": user,
            "notification": notification,
            "inbox_url": settings.SITE_URL + reverse("notifications:detail", args=[notification.pk]),
        },
    )
