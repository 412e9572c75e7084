"""The retention job (proteacher.worker): what settings.RETENTION says has expired is deleted or
emptied, and nothing else. README.md ("Retention") gives each period's reason.

Never touched, whatever the policy says: audit entries (append-only; the database refuses), a
certificate and what verifying it needs (the Certificate and TrainingCertificate rows, their case,
its events, the teacher's name, the serial counters), a case's events and the office's records of
how it was decided (形式審查表, the 委員's 審查標準表, the 申復 decision).

Safe to run twice and on several workers at once: each step deletes or empties rows chosen by a
condition that no longer holds once done, so a second run finds nothing, and two runs together
delete each row once (the row counts are the database's, so nothing is counted twice). A case's
documents are emptied one case per transaction on the locked case row (SKIP LOCKED: two workers
share the cases). Its stored files are deleted inside that transaction, before it commits: if the
commit fails, the rows still name the files and the next run finishes the job, so no file is
ever left behind with no row naming it.

A run that removed anything is recorded in the audit log ("retention.purge") with its counts.
"""

import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from proteacher.accounts.models import EmailCode, User
from proteacher.audit.log import record
from proteacher.certification import workflow
from proteacher.certification.models import (
    Case,
    Certificate,
    SlotAnswer,
    SlotDraft,
    SubmittedAnswer,
    TrainingCertificate,
    VerificationLookup,
)
from proteacher.notifications.models import DailyDigest, Notification, OutgoingMail
from proteacher.notifications.services import recount_unread
from proteacher.review.models import Appeal

BATCH = 1000
# The states a case ends in without a certificate. (已發證 is the other final state: its case is
# part of the certificate's record and keeps its documents.)
ENDED_WITHOUT_CERTIFICATE = (workflow.State.FAILED,)


def purge_expired_data(now: datetime.datetime | None = None) -> dict[str, int]:
    """One pass of the policy; returns how many of each kind were deleted or emptied."""
    now = now or timezone.now()
    policy = settings.RETENTION
    counts = {
        "sessions": _delete(Session.objects.filter(expire_date__lt=now - policy["expired_sessions"])),
        "email_codes": _delete(EmailCode.objects.filter(created_at__lt=now - policy["email_codes"])),
        "drafts": _delete(
            SlotDraft.objects.filter(
                case__state__in=workflow.FINAL_STATES, case__updated_at__lt=now - policy["closed_case_drafts"]
            )
        ),
        "mail_bodies": _empty_mail_bodies(now - policy["sent_mail_bodies"]),
        "verification_client_keys": _blank_lookup_keys(
            now - datetime.timedelta(minutes=settings.VERIFY_WINDOW_MINUTES)
        ),
        **_old_notifications(now - policy["notifications"]),
        **_ended_case_documents(now - policy["ended_case_documents"]),
    }
    if any(counts.values()):
        record("retention.purge", target="依保存期限清除資料", data=counts)
    return counts


def _delete(rows: QuerySet) -> int:
    """Delete the rows in batches (a first run may meet years of them); returns how many."""
    label, deleted = rows.model._meta.label, 0
    while True:
        batch = list(rows.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not batch:
            return deleted
        deleted += rows.model.objects.filter(pk__in=batch).delete()[1].get(label, 0)


def _blank_lookup_keys(cutoff: datetime.datetime) -> int:
    """The keyed hash of a verification lookup's client address, once the rate limit's window it
    counted for has passed (the page blanks a returning client's own; this, everyone else's)."""
    rows = VerificationLookup.objects.filter(at__lt=cutoff).exclude(client_key="")
    blanked = 0
    while batch := list(rows.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        blanked += VerificationLookup.objects.filter(pk__in=batch).update(client_key="")
    return blanked


def _empty_mail_bodies(cutoff: datetime.datetime) -> int:
    """A notification email's body once it left (or failed for good): the message it carried
    stays in 訊息通知; the row keeps the address, the subject and when, as the record of delivery."""
    done = Q(status=OutgoingMail.Status.SENT, sent_at__lt=cutoff) | Q(
        status=OutgoingMail.Status.FAILED, created_at__lt=cutoff
    )
    rows = OutgoingMail.objects.filter(done).exclude(body="")
    emptied = 0
    while True:
        batch = list(rows.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not batch:
            return emptied
        emptied += OutgoingMail.objects.filter(pk__in=batch).exclude(body="").update(body="")


def _old_notifications(cutoff: datetime.datetime) -> dict[str, int]:
    """Messages of 訊息通知 older than the period, with their email rows and daily digests; the
    unread count of whoever lost an unread one is counted again (notifications.services keeps it)."""
    old = Notification.objects.filter(created_at__lt=cutoff)
    unread_of = set(old.filter(read_at__isnull=True).values_list("recipient_id", flat=True))
    finished = (OutgoingMail.Status.SENT, OutgoingMail.Status.FAILED)
    mails = _delete(
        OutgoingMail.objects.filter(status__in=finished).filter(
            Q(notification__created_at__lt=cutoff) | Q(notification__isnull=True, created_at__lt=cutoff)
        )
    )
    messages = _delete(old)
    # A day's 每日彙整 (which messages it listed, its mail) goes with them.
    digests = _delete(DailyDigest.objects.filter(created_at__lt=cutoff))
    for user in User.objects.filter(pk__in=unread_of):
        recount_unread(user)
    return {"notifications": messages, "notification_mails": mails, "notice_digests": digests}


def _documents_left(case_id) -> Q:
    """Anything of the teacher's forms still kept for the case: an answer, a draft, a 申復表 or a
    frozen round not yet emptied."""
    return (
        Q(Exists(SlotAnswer.objects.filter(case_id=case_id)))
        | Q(Exists(SlotDraft.objects.filter(case_id=case_id)))
        | Q(Exists(Appeal.objects.filter(case_id=case_id).exclude(data={}, file="")))
        | Q(Exists(SubmittedAnswer.objects.filter(submission__case_id=case_id).exclude(data={}, file="")))
    )


def ended_cases(cutoff: datetime.datetime) -> QuerySet[Case]:
    """Cases that ended without a certificate before `cutoff` and still keep documents."""
    return (
        Case.objects.filter(state__in=ENDED_WITHOUT_CERTIFICATE, updated_at__lt=cutoff)
        .exclude(Exists(Certificate.objects.filter(case_id=OuterRef("pk"))))
        .exclude(Exists(TrainingCertificate.objects.filter(case_id=OuterRef("pk"))))
        .filter(_documents_left(OuterRef("pk")))
    )


def _ended_case_documents(cutoff: datetime.datetime) -> dict[str, int]:
    """The forms and files of each case that ended without a certificate before `cutoff`: its
    answers and drafts deleted, its 申復表 and frozen rounds emptied (their rows stay with the
    SHA-256 of what was sent, as the record that a round was sent and what it was), its stored
    files deleted. The case, its events and the office's records stay."""
    cases = files = 0
    while True:
        with transaction.atomic():
            # Locked and chosen in one statement: a case another worker is emptying is passed
            # over, and one it has emptied no longer matches.
            case = ended_cases(cutoff).select_for_update(skip_locked=True).order_by("updated_at", "pk").first()
            if case is None:
                return {"ended_cases": cases, "case_files": files}
            names = set(SlotAnswer.objects.filter(case=case).exclude(file="").values_list("file", flat=True))
            frozen = SubmittedAnswer.objects.filter(submission__case=case)
            names |= set(frozen.exclude(file="").values_list("file", flat=True))
            names |= set(Appeal.objects.filter(case=case).exclude(file="").values_list("file", flat=True))
            SlotAnswer.objects.filter(case=case).delete()
            SlotDraft.objects.filter(case=case).delete()
            Appeal.objects.filter(case=case).update(data={}, file="", file_name="")
            # A submission is never changed (certification.models.Frozen refuses a save), except
            # here: retention empties it once its period is over. A queryset update is used on
            # purpose, as the one writer allowed.
            frozen.update(data={}, file="", file_name="")
            for name in sorted(names):
                default_storage.delete(name)
        cases += 1
        files += len(names)
