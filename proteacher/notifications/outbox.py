"""Send the queued emails (OutgoingMail), for the worker: claim, send, record.

Delivery is at least once: a worker killed after the mail server accepted a mail but before the
row says so leaves that mail to be sent again by the next worker. Every mail carries a Message-ID
made from its row (stable_message_id), so a repeated delivery is the same message to the
recipient's mail system, which can recognise it.

A row moves queued → sending (claimed) → sent, or back to queued with a later next_attempt_at
(1, 2, 4 … minutes), or to failed after NOTIFICATION_MAIL_MAX_ATTEMPTS. Many workers on many
machines may run this at once:

- Claiming is one short transaction. On PostgreSQL the due rows are selected FOR UPDATE SKIP
  LOCKED, so a second worker skips the rows the first is claiming instead of waiting for them
  or taking them too; SQLite has a single writer (BEGIN IMMEDIATE), which serialises claimers.
  The UPDATE repeats the "still due" condition, so a row already claimed is never taken again.
- Sending happens after that transaction has committed: no lock is held while a mail server is
  slow, and no case transition ever waits for one.
- Each result is written only while the row still carries this worker's claim (status sending,
  same claimed_at), so a sent row is never put back in the queue.
- A worker claims one mail, sends it, records it, then claims the next: a worker that dies holds
  at most the one mail it was sending, and the rest stay queued for any other worker at once.
- A claim older than the lease (NOTIFICATION_MAIL_LEASE_SECONDS, 45) belongs to a worker that died
  mid-send; another worker takes the row over within the lease and one worker pass. A worker never
  starts sending on a claim more than half the lease old, so two live workers never send one row.
"""

import logging
import smtplib
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from proteacher.audit.log import record
from proteacher.notifications.models import OutgoingMail

logger = logging.getLogger(__name__)

Status = OutgoingMail.Status

# Errors about one message (the server refused this recipient or this content); any other
# OSError (refused connection, timeout, disconnect, authentication) is about the server, and the
# rest of the batch would only fail the same way.
_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


def lease() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_MAIL_LEASE_SECONDS)


def stable_message_id(outgoing: OutgoingMail) -> str:
    """The mail's Message-ID, the same on every try: its row and when it was queued, at the
    sender's domain (<outbox-1234.20261205093000123456@proteacher.example.edu.tw>)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<outbox-{outgoing.pk}.{outgoing.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 1, 2, 4, 8 … minutes."""
    return timedelta(minutes=2 ** (max(attempts, 1) - 1))


def _due(now) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=now - lease())


def claim_due_mail(limit: int = 100) -> list[OutgoingMail]:
    """Take up to `limit` due rows for this worker (status sending, attempts + 1) and return them."""
    now = timezone.now()
    with transaction.atomic():
        due = OutgoingMail.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        # Counting the attempt at the claim means a mail that crashes its worker every time
        # still reaches the maximum and stops.
        OutgoingMail.objects.filter(_due(now), pk__in=ids).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        return list(
            OutgoingMail.objects.filter(pk__in=ids, status=Status.SENDING, claimed_at=now).order_by(
                "next_attempt_at", "pk"
            )
        )


def send_due_mail(limit: int = 100) -> tuple[int, int]:
    """Send up to `limit` mails that are due, one claim each; returns (sent, not sent this time).
    Must not run in a transaction."""
    sent = failed = 0
    for _ in range(limit):
        claimed = claim_due_mail(1)
        if not claimed:
            break
        [outgoing] = claimed
        if timezone.now() - outgoing.claimed_at > lease() / 2:
            # The claim took long (a database under load): hand it back rather than send on a
            # claim another worker may soon take over.
            _release(claimed)
            break
        try:
            mail.EmailMessage(
                subject=outgoing.subject,
                body=outgoing.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[outgoing.to],
                headers={"Message-ID": stable_message_id(outgoing)},
            ).send()
        except Exception as error:
            _retry_later(outgoing, error)
            failed += 1
            if isinstance(error, OSError) and not isinstance(error, _MESSAGE_ERRORS):
                # The server is unreachable: the others would only wait for the same timeout.
                # They stay queued, and the next pass tries one again.
                break
        else:
            _mark_sent(outgoing)
            sent += 1
    if sent or failed:
        logger.info("Outgoing mail: %d sent, %d not sent", sent, failed)
    return sent, failed


def _mine(outgoing: OutgoingMail):
    """The row, only while it still carries this worker's claim."""
    return OutgoingMail.objects.filter(pk=outgoing.pk, status=Status.SENDING, claimed_at=outgoing.claimed_at)


def _mark_sent(outgoing: OutgoingMail) -> None:
    if not _mine(outgoing).update(status=Status.SENT, sent_at=timezone.now(), last_error=""):
        logger.warning("Mail %s was sent after its claim had been taken over", outgoing.pk)


def _retry_later(outgoing: OutgoingMail, error: BaseException) -> None:
    message = f"{type(error).__name__}: {error}"[:2000]
    if outgoing.attempts >= settings.NOTIFICATION_MAIL_MAX_ATTEMPTS:
        _mine(outgoing).update(status=Status.FAILED, claimed_at=None, last_error=message)
        logger.error(
            "Mail %s to %s failed for good after %d attempts: %s", outgoing.pk, outgoing.to, outgoing.attempts, message
        )
        return
    retry_at = timezone.now() + retry_delay(outgoing.attempts)
    _mine(outgoing).update(status=Status.QUEUED, claimed_at=None, next_attempt_at=retry_at, last_error=message)
    logger.warning(
        "Mail %s to %s not sent (attempt %d), retry at %s: %s",
        outgoing.pk,
        outgoing.to,
        outgoing.attempts,
        retry_at.isoformat(),
        message,
    )


def _release(rest: list[OutgoingMail]) -> None:
    # Not tried, so the attempt counted at the claim is given back.
    for outgoing in rest:
        _mine(outgoing).update(status=Status.QUEUED, claimed_at=None, attempts=F("attempts") - 1)


# A queued mail this late (its worker is not running, or cannot keep up) is shown to 管理者.
OVERDUE = timedelta(minutes=30)


def troubled(now=None):
    """The mail 管理者 should look at: failed for good, a claim older than the lease (its worker
    died mid-send), or queued long past its time; oldest first."""
    now = now or timezone.now()
    return OutgoingMail.objects.filter(
        Q(status=Status.FAILED)
        | Q(status=Status.SENDING, claimed_at__lt=now - lease())
        | Q(status=Status.QUEUED, next_attempt_at__lt=now - OVERDUE)
    ).order_by("created_at", "pk")


def resend(pks=None, *, request=None, now=None) -> list[OutgoingMail]:
    """重新寄送: put failed mail back in the queue, due now, with its attempts counted from zero.

    `pks` are the rows asked for (None: every failed one, 全部重新寄送). The rows are locked and
    the UPDATE repeats "still failed", so a double click or two 管理者 at once put a mail back
    once: the rows returned are the ones this call moved, and a second call finds none of them.
    The worker then sends each exactly once. The resend is in the audit log (mail.resend), in the
    same transaction.
    """
    now = now or timezone.now()
    chosen = OutgoingMail.objects.filter(status=Status.FAILED)
    if pks is not None:
        chosen = chosen.filter(pk__in=list(pks))
    with transaction.atomic():
        if connection.features.has_select_for_update:
            chosen = chosen.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
        ids = list(chosen.values_list("pk", flat=True))
        if not ids:
            return []
        # Locked above (SQLite: its single writer), so the ids are the rows this UPDATE moves.
        OutgoingMail.objects.filter(pk__in=ids, status=Status.FAILED).update(
            status=Status.QUEUED, attempts=0, next_attempt_at=now, claimed_at=None
        )
        moved = list(
            OutgoingMail.objects.filter(pk__in=ids).select_related("notification").order_by("created_at", "pk")
        )
        _record_resend(moved, request=request, every=pks is None, at=now)
        return moved


def _record_resend(moved: list[OutgoingMail], *, request, every: bool, at) -> None:
    if len(moved) == 1 and not every:
        outgoing = moved[0]
        notification = outgoing.notification
        record(
            "mail.resend",
            request=request,
            subject=notification.recipient_id if notification else None,
            case=notification.case_id if notification else None,
            target=f"{outgoing.to}：{outgoing.subject}",
            data={"mails": [outgoing.pk]},
            at=at,
        )
        return
    record(
        "mail.resend",
        request=request,
        target=f"{'全部重新寄送' if every else '重新寄送'}（{len(moved)} 封）",
        data={"mails": [outgoing.pk for outgoing in moved]},
        at=at,
    )
