"""The background worker's periodic jobs (`manage.py run_worker`), declared in one list.

Each pass of the worker sends the queued emails first (notifications.outbox), then runs every job
whose interval has passed since it last ran in that process. Several workers on several machines
each keep their own clock, so a job may run on two machines at nearly the same moment: every job
must be safe to run twice and concurrently (build it on workflow.transition(), which locks and
refuses a case already moved, or on a conditional UPDATE). A job takes no arguments; what it
returns is logged. To add one, add a line here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from proteacher.accounts import login_throttle
from proteacher.audit import chain as audit_chain
from proteacher.certification import certificate_pdf, expiry, reminders
from proteacher.certification import jobs as case_jobs
from proteacher.notifications import digest
from proteacher.portal import retention
from proteacher.review import imports, issuing
from proteacher.review import reminders as review_reminders


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable[[], object]
    every_seconds: int


JOBS: list[Job] = [
    # A case waits at most this long after its appeal deadline before it reads 不合格; the 申復
    # button is gone at the deadline itself.
    Job("close_expired_appeal_windows", case_jobs.close_expired_windows, every_seconds=300),
    # A case in 初審修正資料 / 申復修正資料 whose 修正期限 passed unsent moves on to 不合格 (revision_expire).
    Job("close_expired_revisions", case_jobs.close_expired_revisions, every_seconds=300),
    # The teacher (修正期限, 送出審查文件 before 申請截止) and the 委員 (審查期限) are reminded 7 and 1
    # days before, once each, and a 委員 once when overdue (certification.reminders, review.reminders).
    Job("send_deadline_reminders", reminders.send_reminders, every_seconds=600),
    Job("send_review_reminders", review_reminders.send_reminders, every_seconds=600),
    # Audit entries join the hash chain within a minute of being written (verify_audit checks it).
    Job("seal_audit_entries", audit_chain.seal, every_seconds=60),
    # What settings.RETENTION says has expired is deleted or emptied (README, Retention); the
    # periods are days and years, so once an hour is soon enough.
    Job("purge_expired_data", retention.purge_expired_data, every_seconds=3600),
    # Holders of certificates with an end date are reminded 6 and 1 months before it, once each
    # (certification.expiry); the reminders go by the day, so once an hour is soon enough.
    Job("send_expiry_reminders", expiry.send_reminders, every_seconds=3600),
    # From NOTICE_DIGEST_HOUR on, each person's 每日彙整 of the optional notices held for it, once
    # a day (notifications.digest); the outbox sends it on the next pass.
    Job("send_notice_digests", digest.send_digests, every_seconds=300),
    # Sign-in tries older than LOGIN_LOCK_MINUTES count for nothing (the audit log keeps them).
    Job("forget_old_login_attempts", login_throttle.forget_old_attempts, every_seconds=600),
    # 資料匯入: the files 管理者 uploaded are checked, and the confirmed ones loaded (review.imports).
    Job("load_imports", imports.load_imports, every_seconds=2),
    # 核定可產證 / 發證 batches 管理者 confirmed are moved case by case (review.issuing).
    Job("run_issuing_batches", issuing.run_batches, every_seconds=1),
    # The PDFs of certificates just issued, a few seconds' worth each pass (certificate_pdf).
    Job("make_certificate_pdfs", certificate_pdf.make_missing, every_seconds=10),
]
