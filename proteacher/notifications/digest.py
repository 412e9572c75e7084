"""每日彙整: one email a day per person with the optional notices held for it, built by the worker.

From NOTICE_DIGEST_HOUR (Asia/Taipei) on, each person with held messages gets that day's
DailyDigest: it takes every message held so far (marking them in the same transaction) and queues
one OutgoingMail listing them (title, time, link), which the outbox sends like any other mail
(stable Message-ID, retries). Nothing held, no digest and no mail.

Exactly once per person and day, with any number of workers: the (user, day) row is unique, so a
second worker's INSERT waits for the first's transaction and then fails, and it moves on. A
message held after that day's digest was made waits for the next day's.

A held message the person has already read in 訊息通知 is still listed: the digest is the email
they chose instead of one email per message, and it should not depend on when they looked.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from proteacher.notifications.models import DailyDigest, Delivery, Notification, OutgoingMail

DIGEST_SUBJECT = "【教師專業發展支持作業平臺】每日訊息彙整 {day:%Y-%m-%d}（{count} 則）"


def held(now: datetime.datetime):
    """The messages held for a digest and not yet in one."""
    return Notification.objects.filter(delivery=Delivery.DIGEST, digest__isnull=True, created_at__lte=now)


def send_digests() -> int:
    """The worker's job: make today's digest for everyone who has messages held, once the digest
    hour has come; returns how many it made. Safe to run twice and on several machines at once."""
    now = timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.NOTICE_DIGEST_HOUR:
        return 0
    people = set(held(now).values_list("recipient_id", flat=True).order_by())
    return sum(1 for user_id in sorted(people) if _make(user_id, local.date(), now))


def _make(user_id: int, day: datetime.date, now: datetime.datetime) -> bool:
    with transaction.atomic():
        if DailyDigest.objects.filter(user_id=user_id, day=day).exists():
            return False  # today's is made; what was held since waits for tomorrow's
        try:
            with transaction.atomic():
                digest = DailyDigest.objects.create(user_id=user_id, day=day, created_at=now)
        except IntegrityError:
            return False  # another worker made it a moment ago
        rows = held(now).filter(recipient_id=user_id)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.order_by("created_at", "pk").values_list("pk", flat=True))
        if not ids:
            transaction.set_rollback(True)
            return False
        Notification.objects.filter(pk__in=ids, digest__isnull=True).update(digest=digest)
        user = get_user_model().objects.get(pk=user_id)
        if user.email:
            messages = list(Notification.objects.filter(pk__in=ids).order_by("created_at", "pk"))
            digest.mail = OutgoingMail.objects.create(
                to=user.email,
                subject=DIGEST_SUBJECT.format(day=day, count=len(messages)),
                body=_body(user, day, messages),
                next_attempt_at=now,
                created_at=now,
            )
            digest.save(update_fields=["mail"])
    return True


def _body(user, day: datetime.date, messages: list[Notification]) -> str:
    site = settings.SITE_URL
    return render_to_string(
        "email/digest.txt",
        {
            "recipient": user,
            "day": day,
            "items": [
                {
                    "title": message.title,
                    "at": message.created_at,
                    "url": site + reverse("notifications:detail", args=[message.pk]),
                }
                for message in messages
            ],
            "inbox_url": site + reverse("notifications:inbox"),
            "settings_url": site + reverse("portal:notice_settings"),
        },
    )
