"""Certificates that run out: the reminders before a certificate's last valid day.

A type with a 有效年限 (CertificationType.validity_years) gives the certificates issued for it an
end date (Certificate.expires_on, certificates.valid_through). Its holder is reminded in 訊息通知
and by email at each offset of settings.CERTIFICATE_EXPIRY_REMINDERS (6 and 1 months before that
day), each at most once:

- A reminder is due from the day `months` before expires_on (dates.add_months) until the next,
  nearer reminder is due; so a worker that was stopped for weeks sends only the reminder whose
  time it is, never a stale one beside it. A certificate already past its last day, or revoked,
  is reminded of nothing.
- A reminder whose day came before the certificate was issued is not sent: a certificate issued
  (or given an end date) inside the six months gets only the reminders still ahead of it.
- A certificate already renewed (換證: its holder has a certificate of the same type, not revoked,
  that ends later) is reminded of nothing more.
- Exactly once, with several workers at once: each reminder is sent in one transaction that locks
  the certificate's row (SKIP LOCKED: a second worker passes over a certificate being reminded),
  checks again that no reminder of that offset or a nearer one exists, and writes the message,
  its email, the ExpiryReminder row and its audit entry together. The row's unique constraint
  (certificate, months_before) stands behind the check.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from proteacher.audit.log import record
from proteacher.certification.models import Certificate, ExpiryReminder
from proteacher.dates import add_months, roc_date, today
from proteacher.notifications import services as notifications

TITLE = "{type}證書即將到期"
BODY = "您的{type}證書（{number}）有效期限至{until}，將於{months}個月後到期。{renew}"
# What the holder does next: the type's renewal (換證) type when it has one, else the rules.
RENEW_BY_TYPE = "如需繼續持有證書，請於到期前至認證專區申請「{renewal}」。"
RENEW = "如需繼續持有證書，請於到期前依規定辦理換證。"

# The SQL window around the exact due days (month ends make add_months uneven by up to 3 days);
# the days themselves are decided in Python, below.
SLACK = datetime.timedelta(days=4)


def offsets() -> tuple[int, ...]:
    """The reminders' months before the last valid day, largest first (6, 1)."""
    return tuple(sorted({int(months) for months in settings.CERTIFICATE_EXPIRY_REMINDERS if months > 0}, reverse=True))


def due_on(expires_on: datetime.date, months: int) -> datetime.date:
    """The day the reminder `months` before a certificate's last valid day is due."""
    return add_months(expires_on, -months)


def reminder_due(certificate: Certificate, on_day: datetime.date) -> int | None:
    """The offset (months) whose reminder is the one to send on `on_day`, or None: the nearest
    reminder whose day has come, while the certificate is still valid and was issued by then."""
    if certificate.expires_on is None or certificate.revoked_at is not None or on_day > certificate.expires_on:
        return None
    reached = [months for months in offsets() if due_on(certificate.expires_on, months) <= on_day]
    if not reached:
        return None
    months = min(reached)
    if certificate.issued_at is not None and timezone.localdate(certificate.issued_at) > due_on(
        certificate.expires_on, months
    ):
        return None  # its day came before the certificate existed
    return months


def _candidates(on_day: datetime.date) -> list[tuple[int, int]]:
    """(certificate id, months) of every reminder to send on `on_day`, found by a few indexed reads."""
    found = []
    months_list = offsets()
    for position, months in enumerate(months_list):
        nearer = months_list[position + 1] if position + 1 < len(months_list) else 0
        sent = ExpiryReminder.objects.filter(certificate=OuterRef("pk"), months_before__lte=months)
        window = (
            Certificate.objects.filter(
                expires_on__gte=max(on_day, add_months(on_day, nearer) - SLACK),
                expires_on__lte=add_months(on_day, months) + SLACK,
                revoked_at__isnull=True,
            )
            .exclude(Exists(sent))
            .exclude(
                Exists(_renewing(OuterRef("teacher_id"), OuterRef("certification_type_id"), OuterRef("expires_on")))
            )
            .only("pk", "expires_on", "issued_at", "revoked_at")
            .order_by("expires_on", "pk")
        )
        found += [(certificate.pk, months) for certificate in window if reminder_due(certificate, on_day) == months]
    return found


def _renewing(teacher_id, type_id, expires_on):
    """The certificates that renew one: same holder and type, not revoked, ending later."""
    return Certificate.objects.filter(
        teacher_id=teacher_id, certification_type_id=type_id, revoked_at__isnull=True, expires_on__gt=expires_on
    )


def send_reminders() -> int:
    """The worker's job: send every expiry reminder that is due and not yet sent; returns how many
    were sent. Safe to run twice and on several machines at once (see above)."""
    on_day = today()
    sent = 0
    for pk, months in _candidates(on_day):
        if _remind(pk, months, on_day):
            sent += 1
    return sent


def _remind(pk: int, months: int, on_day: datetime.date) -> bool:
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_related("certification_type", "teacher")
            .select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk)
            .first()
        )
        if certificate is None or reminder_due(certificate, on_day) != months:
            return False  # another worker holds it, or it was revoked or changed meanwhile
        if certificate.expiry_reminders.filter(months_before__lte=months).exists():
            return False  # another worker sent it a moment ago
        if _renewing(certificate.teacher_id, certificate.certification_type_id, certificate.expires_on).exists():
            return False  # renewed meanwhile
        kind = certificate.certification_type
        renewal = kind.renewal_types.order_by("sort_order", "id").first()
        notification = notifications.notify(
            certificate.teacher,
            TITLE.format(type=kind.name),
            BODY.format(
                type=kind.name,
                number=certificate.number,
                until=roc_date(certificate.expires_on),
                months=months,
                renew=RENEW_BY_TYPE.format(renewal=renewal.name) if renewal else RENEW,
            ),
        )
        ExpiryReminder.objects.create(
            certificate=certificate,
            months_before=months,
            sent_at=notification.created_at,
            notification=notification,
        )
        record(
            "certificate.expiry_reminder",
            subject=certificate.teacher,
            target=f"{kind.name} {certificate.number}",
            data={
                "certificate": certificate.pk,
                "months_before": months,
                "expires_on": certificate.expires_on.isoformat(),
            },
            at=notification.created_at,
        )
    return True
