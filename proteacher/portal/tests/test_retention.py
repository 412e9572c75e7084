"""The retention job: with the clock moved past each period of settings.RETENTION, exactly what
the policy names is deleted or emptied, a second run removes nothing, and neither certificates nor
audit entries are ever touched."""

import datetime
import threading
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from proteacher import worker
from proteacher.accounts.models import EmailCode
from proteacher.audit.log import record
from proteacher.audit.models import AuditEntry
from proteacher.certification import drafts, workflow
from proteacher.certification.models import (
    Case,
    CaseEvent,
    Certificate,
    CertificateSerial,
    SlotAnswer,
    SlotDraft,
    Submission,
    SubmittedAnswer,
    TrainingCertificate,
)
from proteacher.documents.catalogue import get_template
from proteacher.notifications.models import DailyDigest, Notification, OutgoingMail
from proteacher.portal import retention
from proteacher.review.models import Appeal
from proteacher.testing import factories
from proteacher.testing.workflow import PATHS, advance

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
ZERO = dict.fromkeys(
    [
        "sessions",
        "email_codes",
        "drafts",
        "mail_bodies",
        "verification_client_keys",
        "notifications",
        "notification_mails",
        "notice_digests",
        "ended_cases",
        "case_files",
    ],
    0,
)


def with_a_draft(case) -> None:
    """自動儲存 kept a change to the observation form that was never saved."""
    answer = SlotAnswer.objects.get(case=case, slot_code="observation", in_use=True)
    template = get_template(answer.template_code)
    drafts.keep(
        case, "observation", template, {"unit": "草稿"}, base_revision=answer.revision, answer_revision=answer.revision
    )


def files_of(case) -> set[str]:
    names = set(SlotAnswer.objects.filter(case=case).exclude(file="").values_list("file", flat=True))
    names |= set(SubmittedAnswer.objects.filter(submission__case=case).exclude(file="").values_list("file", flat=True))
    return names | set(Appeal.objects.filter(case=case).exclude(file="").values_list("file", flat=True))


def documents_of(case) -> dict:
    return {
        "answers": SlotAnswer.objects.filter(case=case).count(),
        "drafts": SlotDraft.objects.filter(case=case).count(),
        "sent": SubmittedAnswer.objects.filter(submission__case=case).exclude(data={}, file="").count(),
        "appeal": Appeal.objects.filter(case=case).exclude(data={}, file="").count(),
        "files": sum(default_storage.exists(name) for name in files_of(case)),
    }


@dataclass
class World:
    start: datetime.datetime
    failed: Case  # 不合格 after a 申復 with a PDF
    issued: Case  # 已發證: a certificate and its 數位研習證明
    preparing: Case  # still 準備資料, with a draft
    files: dict  # case → its stored file names, at the start
    audit_ids: set


@pytest.fixture
def world(teacher, taichung_teacher, taipei_officer, admin_user):
    start = timezone.now()
    failed = factories.case(teacher, "advanced")
    factories.fill_every_slot(failed)
    with_a_draft(failed)
    advance(failed, workflow.State.FAILED, taipei_officer)
    appeal = Appeal.objects.get(case=failed)
    appeal.file.save("申復佐證.pdf", ContentFile(factories.pdf_bytes(pages=3)), save=True)

    issued = factories.case(taichung_teacher, "advanced")
    factories.fill_every_slot(issued)
    with_a_draft(issued)
    advance(issued, workflow.State.ISSUED, admin_user)

    preparing = factories.case(factories.teacher(name="陳準備", account="t-chen-prep"), "advanced")
    factories.fill_every_slot(preparing)
    with_a_draft(preparing)

    # Every notification email went out at the start, but one that failed for good.
    OutgoingMail.objects.update(status=OutgoingMail.Status.SENT, sent_at=start)
    OutgoingMail.objects.filter(pk=OutgoingMail.objects.order_by("pk").first().pk).update(
        status=OutgoingMail.Status.FAILED, sent_at=None
    )
    EmailCode.objects.create(
        user=teacher, email=teacher.email, code_hash="x", expires_at=start + datetime.timedelta(minutes=10)
    )
    session = SessionStore()
    session["signed_in"] = True
    session.set_expiry(2 * 60 * 60)
    session.save()
    record("file.view", actor=taipei_officer, subject=teacher, case=failed, target="公開授課實施證明")
    cases = (failed, issued, preparing)
    return World(
        start,
        failed,
        issued,
        preparing,
        files={case.pk: files_of(case) for case in cases},
        audit_ids=set(AuditEntry.objects.values_list("pk", flat=True)),
    )


def run_at(time_machine, moment) -> dict:
    time_machine.move_to(moment, tick=False)
    return retention.purge_expired_data()


def test_the_policy_is_data_in_settings_and_the_worker_runs_it():
    assert set(settings.RETENTION) == {
        "expired_sessions",
        "email_codes",
        "closed_case_drafts",
        "sent_mail_bodies",
        "notifications",
        "ended_case_documents",
    }
    assert all(isinstance(period, datetime.timedelta) for period in settings.RETENTION.values())
    assert any(job.function is retention.purge_expired_data for job in worker.JOBS)


def test_an_expired_session_goes_and_nothing_else(world, time_machine):
    counts = run_at(time_machine, world.start + DAY)
    alive = SessionStore()
    alive.save()

    assert counts == ZERO | {"sessions": 1}
    assert list(Session.objects.values_list("session_key", flat=True)) == [alive.session_key]
    assert run_at(time_machine, world.start + DAY) == ZERO
    for case in (world.failed, world.issued, world.preparing):
        assert documents_of(case)["drafts"] == 1


def test_a_verification_lookups_address_hash_is_blanked_once_its_window_has_passed(world, time_machine, settings):
    from proteacher.certification.models import VerificationLookup

    settings.VERIFY_WINDOW_MINUTES = 10
    time_machine.move_to(world.start, tick=False)
    lookup = VerificationLookup.objects.create(outcome="unknown", client_key="k" * 64)

    assert run_at(time_machine, world.start + datetime.timedelta(minutes=9)) == ZERO
    assert run_at(time_machine, world.start + datetime.timedelta(minutes=11)) == ZERO | {"verification_client_keys": 1}
    lookup.refresh_from_db()
    # Still counted for 統計, no longer tied to anyone's address.
    assert lookup.client_key == "" and lookup.outcome == "unknown"


def test_a_day_before_the_thirty_day_periods_nothing_more_goes(world, time_machine):
    run_at(time_machine, world.start + DAY)

    assert run_at(time_machine, world.start + 30 * DAY - datetime.timedelta(minutes=1)) == ZERO
    assert EmailCode.objects.count() == 1
    assert not OutgoingMail.objects.filter(body="").exists()


def test_after_thirty_days_codes_drafts_of_closed_cases_and_mail_bodies_go(world, time_machine):
    mails = OutgoingMail.objects.count()

    counts = run_at(time_machine, world.start + 30 * DAY + datetime.timedelta(minutes=1))

    assert counts == ZERO | {"sessions": 1, "email_codes": 1, "drafts": 2, "mail_bodies": mails}
    assert not EmailCode.objects.exists()
    # 不合格 and 已發證 are closed; the case still in 準備資料 keeps its draft.
    assert [documents_of(case)["drafts"] for case in (world.failed, world.issued, world.preparing)] == [0, 0, 1]
    # The bodies only: the address, the subject and when stay; so do the messages themselves.
    assert OutgoingMail.objects.filter(body="").count() == mails
    assert not OutgoingMail.objects.filter(Q(subject="") | Q(to="") | Q(sent_at=None, status="sent")).exists()
    assert Notification.objects.exclude(body="").count() == Notification.objects.count() > 0
    assert documents_of(world.failed)["files"] == len(world.files[world.failed.pk])


def test_after_three_years_old_messages_and_their_mails_go(world, time_machine, teacher):
    assert teacher.notifications.filter(read_at__isnull=True).exists()
    # A 每日彙整 of that time, which listed one of them.
    held = teacher.notifications.order_by("pk").first()
    held.digest = DailyDigest.objects.create(user=teacher, day=timezone.localdate(), created_at=world.start)
    held.save(update_fields=["digest"])
    run_at(time_machine, world.start + 30 * DAY + datetime.timedelta(minutes=1))
    period = settings.RETENTION["notifications"]
    messages, mails = Notification.objects.count(), OutgoingMail.objects.count()

    assert run_at(time_machine, world.start + period - DAY) == ZERO
    counts = run_at(time_machine, world.start + period + DAY)

    assert counts == ZERO | {"notifications": messages, "notification_mails": mails, "notice_digests": 1}
    assert not Notification.objects.exists() and not OutgoingMail.objects.exists()
    assert not DailyDigest.objects.exists()
    teacher.refresh_from_db()
    assert teacher.unread_notifications == 0
    # The events the messages told of stay.
    assert CaseEvent.objects.filter(case=world.failed).exists()


def test_after_five_years_a_case_that_ended_without_a_certificate_loses_its_forms_and_files(world, time_machine):
    period = settings.RETENTION["ended_case_documents"]
    run_at(time_machine, world.start + period - DAY)
    assert documents_of(world.failed)["files"] == len(world.files[world.failed.pk]) >= 4
    sent = list(SubmittedAnswer.objects.filter(submission__case=world.failed).values_list("pk", "data_sha256"))

    counts = run_at(time_machine, world.start + period + DAY)

    assert counts == ZERO | {"ended_cases": 1, "case_files": len(world.files[world.failed.pk])}
    assert documents_of(world.failed) == {"answers": 0, "drafts": 0, "sent": 0, "appeal": 0, "files": 0}
    assert not any(default_storage.exists(name) for name in world.files[world.failed.pk])
    # What stays: the case, its history, that each round was sent (with the SHA-256 of what it
    # was), and the 申復 and its decision.
    world.failed.refresh_from_db()
    assert world.failed.state == workflow.State.FAILED
    # The opening and each step of the walk.
    assert CaseEvent.objects.filter(case=world.failed).count() == len(PATHS[workflow.State.FAILED]) + 1
    assert list(SubmittedAnswer.objects.filter(submission__case=world.failed).values_list("pk", "data_sha256")) == sent
    assert Appeal.objects.get(case=world.failed).filed_at is not None


def test_a_certificate_and_its_case_are_never_touched(world, time_machine):
    certificate = Certificate.objects.get(case=world.issued)
    before = {
        "certificate": (certificate.number, certificate.serial, certificate.issued_at, certificate.teacher_id),
        "training": list(TrainingCertificate.objects.filter(case=world.issued).values_list("title", "issued_at")),
        "serials": list(CertificateSerial.objects.values_list("pk", "last_serial")),
        "events": CaseEvent.objects.filter(case=world.issued).count(),
        "submissions": Submission.objects.filter(case=world.issued).count(),
    }
    documents = documents_of(world.issued) | {"drafts": 0}

    run_at(time_machine, world.start + 20 * 365 * DAY)

    certificate.refresh_from_db()
    assert before == {
        "certificate": (certificate.number, certificate.serial, certificate.issued_at, certificate.teacher_id),
        "training": list(TrainingCertificate.objects.filter(case=world.issued).values_list("title", "issued_at")),
        "serials": list(CertificateSerial.objects.values_list("pk", "last_serial")),
        "events": CaseEvent.objects.filter(case=world.issued).count(),
        "submissions": Submission.objects.filter(case=world.issued).count(),
    }
    assert documents_of(world.issued) == documents
    # And a case still being prepared is the teacher's: nothing of it goes.
    assert documents_of(world.preparing)["files"] == len(world.files[world.preparing.pk])


def test_audit_entries_stay_and_each_run_that_removed_something_is_recorded(world, time_machine):
    first = run_at(time_machine, world.start + 20 * 365 * DAY)
    second = run_at(time_machine, world.start + 20 * 365 * DAY)

    assert world.audit_ids <= set(AuditEntry.objects.values_list("pk", flat=True))
    (entry,) = AuditEntry.objects.filter(action="retention.purge")
    assert entry.actor_id is None and entry.data == first
    assert second == ZERO


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections writing at once need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_remove_each_thing_once(world, time_machine):
    time_machine.move_to(world.start + 20 * 365 * DAY, tick=False)
    results, errors = [], []

    def one_worker():
        try:
            results.append(retention.purge_expired_data())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=one_worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert not errors
    together = {kind: sum(result[kind] for result in results) for kind in ZERO}
    assert together["ended_cases"] == 1 and together["drafts"] == 2 and together["email_codes"] == 1
    assert together["case_files"] == len(world.files[world.failed.pk])
    assert documents_of(world.failed)["files"] == 0
    assert retention.purge_expired_data() == ZERO
