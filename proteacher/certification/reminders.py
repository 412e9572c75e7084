"""Reminders before a case's deadlines: the one who acts by a deadline is told in 訊息通知 and by
email at each offset of settings.DEADLINE_REMINDER_DAYS (7 and 1 days before), each at most once.

- The teacher, for the 修正期限 of a case in 初審修正資料 / 申復修正資料 (Case.action_deadline), and
  for 送出審查文件 of a case still in 準備資料 before 申請截止 (or the date an extension gave it).
- The school's 學校承辦人, for its 推薦表 of a case still in 準備資料 before 申請截止, while the slot
  the school fills is not complete (the teacher cannot send without it).
- The 委員 for their 審查期限 (review.reminders finds the assignments and sends through `send_once`
  here), and once more when it has passed unsent (days_before 0, 逾期未審).

A reminder is due from its moment until the next, nearer one is due, so a worker stopped for a
week sends only the reminder whose time it is. Exactly once, with several workers at once: each is
sent in one transaction that locks the case row (SKIP LOCKED: a second worker passes over a case
being reminded), checks that the deadline still runs and that no reminder of that offset or a
nearer one exists for that deadline, and writes the message, its email, the DeadlineReminder row
and its audit entry together; the row's unique constraint stands behind the check. The deadline is
part of the key, so an extension brings reminders for the new date.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from proteacher.accounts.school_officers import school_officers_of
from proteacher.audit.log import record
from proteacher.certification import deadlines, selectors, workflow
from proteacher.certification.models import Case, CertificationPeriod, DeadlineReminder, SlotAnswer
from proteacher.certification.workflow.engine import due_act
from proteacher.notifications import services as notifications

Kind = DeadlineReminder.Kind

REVISION_TITLE = "{short}修正期限提醒"
REVISION_BODY = "您申請的{type}請於 {deadline} 前{act}；逾期未送出，認證結果將為不合格。"
APPLY_TITLE = "{short}送出審查文件期限提醒"
APPLY_BODY = "您申請的{type}尚未送出審查文件，請於 {deadline} 前{act}；逾期將無法送出。"
SCHOOL_TITLE = "{short}學校推薦表期限提醒"
SCHOOL_BODY = (
    "貴校{teacher}老師申請的{type}尚待學校填寫「{slots}」，請於 {deadline} 前至學校專區完成；"
    "學校未完成填寫，教師將無法送出審查文件。"
)


def offsets() -> tuple[int, ...]:
    """Days before a deadline its reminders are due, largest first (7, 1)."""
    return tuple(sorted({int(days) for days in settings.DEADLINE_REMINDER_DAYS if days > 0}, reverse=True))


def due_offset(deadline: datetime.datetime, now: datetime.datetime) -> int | None:
    """The offset whose reminder is the one to send at `now`: the nearest one whose moment has come,
    while the deadline is still ahead; None when none is."""
    if now > deadline:
        return None
    reached = [days for days in offsets() if deadline - datetime.timedelta(days=days) <= now]
    return min(reached) if reached else None


@dataclass(frozen=True)
class Due:
    """One reminder to send: for whom, about which case, deadline and offset."""

    case_id: int
    recipient_id: int
    kind: str
    deadline: datetime.datetime
    days_before: int


def _revision_candidates(now: datetime.datetime) -> list[Due]:
    horizon = now + datetime.timedelta(days=max(offsets(), default=0))
    rows = (
        Case.objects.filter(
            state__in=workflow.BY_ACTION["revision_expire"].sources,
            action_deadline__gte=now,
            action_deadline__lte=horizon,
        )
        .order_by("action_deadline", "pk")
        .values_list("pk", "teacher_id", "action_deadline")
    )
    found = []
    for pk, teacher_id, deadline in rows:
        days = due_offset(deadline, now)
        if days is not None:
            found.append(Due(pk, teacher_id, Kind.REVISION, deadline, days))
    return found


def _apply_candidates(now: datetime.datetime) -> list[Due]:
    """Unsent cases (準備資料) whose 送出審查文件 closes within the reminders' reach: by an
    extension of their own, or by a period whose 申請截止 is near."""
    horizon = now + datetime.timedelta(days=max(offsets(), default=0))
    periods = CertificationPeriod.objects.filter(apply_closes_at__gte=now, apply_closes_at__lte=horizon).values_list(
        "certification_type_id", "academic_year"
    )
    preparing = Case.objects.filter(state=workflow.State.PREPARING)
    found = []
    seen = set()
    for type_id, year in set(periods):
        for case in preparing.filter(
            certification_type_id=type_id, academic_year=year, action_deadline__isnull=True
        ).only("pk", "teacher_id", "certification_type_id", "academic_year", "county_id", "action_deadline"):
            seen.add(case.pk)
            found.append(case)
    found += [
        case for case in preparing.filter(action_deadline__gte=now, action_deadline__lte=horizon) if case.pk not in seen
    ]
    dues = []
    # One read of the period per type, year and county, not one per case.
    closes: dict[tuple, datetime.datetime | None] = {}
    for case in found:
        key = (case.certification_type_id, case.academic_year, case.county_id)
        if key not in closes:
            closes[key] = deadlines.period_for(*key).apply_closes_at
        deadline = case.action_deadline or closes[key]
        days = due_offset(deadline, now) if deadline is not None else None
        if days is not None:
            dues.append(Due(case.pk, case.teacher_id, Kind.APPLY, deadline, days))
    return dues


def _candidates(now: datetime.datetime) -> list[Due]:
    return _revision_candidates(now) + _apply_candidates(now)


def school_slots_missing(case: Case) -> list:
    """The slots of the case the school fills (its 推薦表) that hold no complete answer yet."""
    slots = [slot for slot in selectors.case_slots(case) if slot.is_filled_by_school]
    if not slots:
        return []
    done = set(
        SlotAnswer.objects.filter(
            case=case, slot_code__in=[slot.code for slot in slots], in_use=True, is_complete=True
        ).values_list("slot_code", flat=True)
    )
    return [slot for slot in slots if slot.code not in done]


def _school_candidates(apply_dues: list[Due]) -> list[Due]:
    """For each unsent case near its 申請截止 whose school has still to fill its 推薦表: one
    reminder for each 學校承辦人 of the case's school."""
    found = []
    cases = Case.objects.filter(pk__in=[due.case_id for due in apply_dues], school__isnull=False)
    by_pk = {case.pk: case for case in cases.select_related("certification_type")}
    officers: dict[int, list[int]] = {}
    for due in apply_dues:
        case = by_pk.get(due.case_id)
        if case is None or not school_slots_missing(case):
            continue
        if case.school_id not in officers:
            officers[case.school_id] = list(school_officers_of(case.school_id).values_list("pk", flat=True))
        found += [
            Due(case.pk, officer, Kind.SCHOOL, due.deadline, due.days_before) for officer in officers[case.school_id]
        ]
    return found


def _school_still_due(due: Due, case: Case) -> bool:
    return (
        case.state == workflow.State.PREPARING
        and deadlines.submit_deadline(case) == due.deadline
        and bool(school_slots_missing(case))
        and school_officers_of(case.school_id).filter(pk=due.recipient_id).exists()
    )


def _school_message(due: Due, case: Case) -> tuple[str, str]:
    kind = case.certification_type
    slots = "、".join(slot.label for slot in school_slots_missing(case))
    return SCHOOL_TITLE.format(short=kind.short_name), SCHOOL_BODY.format(
        teacher=case.teacher.name,
        type=kind.name,
        slots=slots,
        deadline=deadlines.format_deadline(due.deadline),
    )


def _teacher_still_due(due: Due, case: Case) -> bool:
    if due.kind == Kind.REVISION:
        return case.state in workflow.BY_ACTION["revision_expire"].sources and case.action_deadline == due.deadline
    return case.state == workflow.State.PREPARING and deadlines.submit_deadline(case) == due.deadline


def _teacher_message(due: Due, case: Case) -> tuple[str, str]:
    kind = case.certification_type
    title, body = (REVISION_TITLE, REVISION_BODY) if due.kind == Kind.REVISION else (APPLY_TITLE, APPLY_BODY)
    return title.format(short=kind.short_name), body.format(
        type=kind.name, deadline=deadlines.format_deadline(due.deadline), act=due_act(case.state)
    )


def send_reminders() -> int:
    """The worker's job: every teacher's deadline reminder that is due and not yet sent; returns
    how many were sent. Safe to run twice and on several machines at once (see above)."""
    now = timezone.now()
    teachers = _candidates(now)
    schools = _school_candidates([due for due in teachers if due.kind == Kind.APPLY])
    sent = sum(send_once(due, _teacher_still_due, _teacher_message) for due in teachers)
    users = get_user_model().objects.in_bulk({due.recipient_id for due in schools})
    return sent + sum(
        send_once(due, _school_still_due, _school_message, recipient=users[due.recipient_id]) for due in schools
    )


def send_once(
    due: Due,
    still_due: Callable[[Due, Case], bool],
    message: Callable[[Due, Case], tuple[str, str]],
    recipient=None,
) -> bool:
    """Send one reminder in its own transaction, unless another worker holds the case, it was sent
    already (this offset or a nearer one, for this deadline), or the deadline changed meanwhile."""
    with transaction.atomic():
        case = (
            Case.objects.select_related("certification_type", "teacher")
            .select_for_update(skip_locked=True, of=("self",))
            .filter(pk=due.case_id)
            .first()
        )
        if case is None or not still_due(due, case):
            return False
        sent = DeadlineReminder.objects.filter(
            case=case, recipient_id=due.recipient_id, kind=due.kind, deadline=due.deadline
        )
        if sent.filter(days_before__lte=due.days_before).exists():
            return False
        person = recipient if recipient is not None else case.teacher
        title, body = message(due, case)
        notification = notifications.notify(person, title, body, case=case)
        DeadlineReminder.objects.create(
            case=case,
            recipient=person,
            kind=due.kind,
            deadline=due.deadline,
            days_before=due.days_before,
            sent_at=notification.created_at,
            notification=notification,
        )
        record(
            "case.deadline_reminder",
            subject=case.teacher,
            case=case,
            target=f"{DeadlineReminder.Kind(due.kind).label} {deadlines.format_deadline(due.deadline)}",
            data={
                "kind": due.kind,
                "recipient": person.pk,
                "deadline": due.deadline.isoformat(),
                "days_before": due.days_before,
            },
            at=notification.created_at,
        )
    return True
