"""The platform's own periodic steps on cases, run by the background worker (proteacher.worker).

Each is safe to run twice and on several machines at once: it moves cases only through
workflow.transition(), which locks the case and refuses one already moved.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from proteacher.certification import workflow
from proteacher.certification.deadlines import format_deadline
from proteacher.certification.models import Case
from proteacher.errors import DomainError


def close_expired_windows(now: datetime.datetime | None = None) -> int:
    """Move each case whose appeal window has passed to 不合格; returns how many moved.

    One case per transaction, so a failure stops at one case and a long run holds no lock for
    long. SKIP LOCKED lets several workers share the work, and passes over a case a teacher is
    appealing this instant: it is looked at again on the next run, when the state has moved on
    (or not). Running it twice moves nothing more.
    """
    now = now or timezone.now()
    moved = 0
    passed_over: set[int] = set()
    while True:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(skip_locked=True)
                .filter(state__in=workflow.APPEALABLE_STATES, appeal_deadline__lt=now)
                .exclude(pk__in=passed_over)
                .order_by("appeal_deadline", "pk")
                .first()
            )
            if case is None:
                return moved
            deadline = format_deadline(case.appeal_deadline)
            try:
                workflow.transition(case, "appeal_expire", actor=None, reason=f"未於申復期限（{deadline}）內提出申復。")
            except DomainError:
                passed_over.add(case.pk)
                continue
        moved += 1


def close_expired_revisions(now: datetime.datetime | None = None) -> int:
    """Move each case whose 修正期限 has passed unsent (初審修正資料 / 申復修正資料) on by the
    table's revision_expire row; returns how many moved. The same pattern as
    close_expired_windows: one case per transaction, SKIP LOCKED, safe to run twice and on
    several machines (a teacher sending this instant is passed over, and the guard refuses a
    send after the deadline)."""
    now = now or timezone.now()
    moved = 0
    passed_over: set[int] = set()
    states = workflow.BY_ACTION["revision_expire"].sources
    while True:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(skip_locked=True)
                .filter(state__in=states, action_deadline__lt=now)
                .exclude(pk__in=passed_over)
                .order_by("action_deadline", "pk")
                .first()
            )
            if case is None:
                return moved
            deadline = format_deadline(case.action_deadline)
            try:
                workflow.transition(
                    case, "revision_expire", actor=None, reason=f"未於修正期限（{deadline}）內送出修正資料。"
                )
            except DomainError:
                passed_over.add(case.pk)
                continue
        moved += 1
