"""Queue 訊息通知: the in-app message and its email, in the transaction of the change they report.

What is said, and to whom, is the caller's (a case's messages are the workflow table's); this app
only delivers, and keeps each recipient's unread count on their user row (the menu's badge).
Nothing here talks to a mail server: the email is an OutgoingMail row, rendered now
and sent later by the worker (outbox.send_due_mail), so a slow or failing mail server can never
hold up or undo a case's transition.

A message with legal weight (the default) is always emailed at once. An optional one (`optional=`,
a workflow row's Notice(optional=True)) is emailed as its recipient chose (notifications.preferences):
at once, held for the day's digest (notifications.digest), or not at all. The in-app message is
written either way.
"""

import re
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from proteacher.notifications.models import Delivery, NoticePreference, Notification, OutgoingMail

# The email's subject; its body is templates/email/notification.txt.
EMAIL_SUBJECT = "【教師專業發展支持作業平臺】{title}"


def notify(user, title: str, body: str, case=None, *, event=None, at=None, optional: bool = False) -> Notification:
    """Put a message in `user`'s 訊息通知 and queue its email (none when the user has no address).
    `optional`: the message has no legal weight, so its email follows the user's choice."""
    return notify_many([Message(user, title, body, case=case, event=event, optional=optional)], at=at)[0]


@dataclass(frozen=True)
class Message:
    """One message of notify_many(): for whom, its title and body, the case and event it reports."""

    user: object
    title: str
    body: str
    case: object = None
    event: object = None
    # No legal weight (a receipt, an announcement): emailed as the recipient chose. False, the
    # default, is always emailed at once, so a new message is never silently held back.
    optional: bool = False


def notify_many(messages: list[Message], *, at=None) -> list[Notification]:
    """Messages at one moment (a chunk of a batch moved in one transaction; notify() is one): the
    messages, their emails and the unread counts, one INSERT or UPDATE per table. Each email is
    templates/email/notification.txt for its recipient and message, the template rendered once
    per text of the messages, not once per message."""
    if not messages:
        return []
    at = at or timezone.now()
    deliveries = _deliveries(messages)
    # Inside a caller's transaction (a case's transition) no savepoint of its own: a failure here
    # undoes the caller's change with it anyway, and a batch of 發證 saves two statements a chunk.
    with transaction.atomic(savepoint=False):
        notifications = Notification.objects.bulk_create(
            Notification(
                recipient=message.user,
                case=message.case,
                event=message.event,
                title=message.title,
                body=message.body,
                created_at=at,
                optional=message.optional,
                delivery=delivery,
            )
            for message, delivery in zip(messages, deliveries, strict=True)
        )
        bodies = _EmailBodies()
        OutgoingMail.objects.bulk_create(
            OutgoingMail(
                to=message.user.email,
                subject=EMAIL_SUBJECT.format(title=message.title),
                body=bodies.render(message.user, notification),
                notification=notification,
                next_attempt_at=at,
            )
            for message, notification in zip(messages, notifications, strict=True)
            if message.user.email and notification.delivery == Delivery.IMMEDIATE
        )
        added = Counter(message.user.pk for message in messages)
        by_count: dict[int, list[int]] = {}
        for user_id, count in added.items():
            by_count.setdefault(count, []).append(user_id)
        for count, user_ids in sorted(by_count.items()):
            counted = Greatest(F("unread_notifications") + count, 0)
            get_user_model().objects.filter(pk__in=sorted(user_ids)).update(unread_notifications=counted)
    return notifications


def _deliveries(messages: list[Message]) -> list[str]:
    """How each message's email goes: at once for every message with legal weight; for an optional
    one, its recipient's choice (one query for all of them, none when no message is optional)."""
    optional_for = {message.user.pk for message in messages if message.optional}
    chosen = (
        dict(NoticePreference.objects.filter(user_id__in=sorted(optional_for)).values_list("user_id", "delivery"))
        if optional_for
        else {}
    )
    return [
        chosen.get(message.user.pk, Delivery.IMMEDIATE) if message.optional else Delivery.IMMEDIATE
        for message in messages
    ]


class _EmailBodies:
    """The email of a message, rendered as _email_body() does: the template once per body text,
    with markers for what differs from one recipient to the next (their name, the message's
    address), which are then filled in. A body that happens to contain a marker is rendered whole."""

    NAME, URL = "\x00name\x00", "\x00url\x00"
    MARKERS = re.compile("\x00(?:name|url)\x00")

    def __init__(self):
        self.rendered: dict[str, str] = {}

    def render(self, user, notification: Notification) -> str:
        body = notification.body
        if self.NAME in body or self.URL in body:
            return _email_body(user, notification)
        if body not in self.rendered:
            self.rendered[body] = render_to_string(
                "email/notification.txt",
                {
                    "recipient": {"header_name": self.NAME},
                    "notification": {"body": body},
                    "inbox_url": self.URL,
                },
            )
        values = {
            self.NAME: str(user.header_name),
            self.URL: settings.SITE_URL + reverse("notifications:detail", args=[notification.pk]),
        }
        # One pass, so that a name is never read for a marker.
        return self.MARKERS.sub(lambda found: values[found.group(0)], self.rendered[body])


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
