"""The 委員's reminders of their 審查期限 (Assignment.due_at): 7 and 1 days before it
(settings.DEADLINE_REMINDER_DAYS) and once when it passed with the 審查標準表 unsent (逾期未審).

Each is sent exactly once, also with several workers, by certification.reminders.send_once (the
case row locked with SKIP LOCKED, a DeadlineReminder row of kind review with the deadline in its
unique key, the message, its email and the audit entry in one transaction).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from proteacher.certification import reminders
from proteacher.certification.deadlines import format_deadline
from proteacher.certification.models import Case
from proteacher.review.models import Assignment

TITLE = "{short}審查期限提醒"
BODY = "分發給您的{type}（{year}學年度 {round}）請於 {deadline} 前送出審查標準表。"
OVERDUE_TITLE = "{short}審查已逾期"
OVERDUE_BODY = "分發給您的{type}（{year}學年度 {round}）審查期限為 {deadline}，已逾期，請儘速送出審查標準表。"
OVERDUE = 0  # DeadlineReminder.days_before of the reminder sent once the date passed


def overdue(now: datetime.datetime | None = None):
    """Assignments whose 審查期限 passed with the 審查標準表 unsent (the office's 逾期未審)."""
    return Assignment.objects.filter(submitted_at__isnull=True, due_at__lt=now or timezone.now())


def _candidates(now: datetime.datetime) -> list[tuple[reminders.Due, int]]:
    """(the reminder, its assignment's id) of every 委員's reminder due now."""
    horizon = now + datetime.timedelta(days=max(reminders.offsets(), default=0))
    found = []
    ahead = Assignment.objects.filter(submitted_at__isnull=True, due_at__gte=now, due_at__lte=horizon)
    for assignment in ahead.order_by("due_at", "pk"):
        days = reminders.due_offset(assignment.due_at, now)
        if days is not None:
            found.append(
                (
                    reminders.Due(assignment.case_id, assignment.reviewer_id, "review", assignment.due_at, days),
                    assignment.pk,
                )
            )
    for assignment in overdue(now).order_by("due_at", "pk"):
        found.append(
            (
                reminders.Due(assignment.case_id, assignment.reviewer_id, "review", assignment.due_at, OVERDUE),
                assignment.pk,
            )
        )
    return found


@dataclass(frozen=True)
class _Reminding:
    """What send_once needs to know of one assignment: whether it is still due, and the words."""

    assignment_id: int
    round_label: str

    def still_due(self, due: reminders.Due, case: Case) -> bool:
        # Read again under the case's lock: handed in or given another date meanwhile.
        current = Assignment.objects.filter(pk=self.assignment_id).values_list("submitted_at", "due_at").first()
        return current is not None and current[0] is None and current[1] == due.deadline

    def message(self, due: reminders.Due, case: Case) -> tuple[str, str]:
        kind = case.certification_type
        title, body = (OVERDUE_TITLE, OVERDUE_BODY) if due.days_before == OVERDUE else (TITLE, BODY)
        return title.format(short=kind.short_name), body.format(
            type=kind.name, year=case.academic_year, round=self.round_label, deadline=format_deadline(due.deadline)
        )


def send_reminders() -> int:
    """The worker's job: every 委員's reminder that is due and not yet sent; returns how many."""
    now = timezone.now()
    sent = 0
    for due, assignment_id in _candidates(now):
        assignment = Assignment.objects.select_related("reviewer").filter(pk=assignment_id).first()
        if assignment is None:
            continue
        reminding = _Reminding(assignment.pk, assignment.get_round_display())
        sent += reminders.send_once(due, reminding.still_due, reminding.message, recipient=assignment.reviewer)
    return sent
