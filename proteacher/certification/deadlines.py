"""The dates a case runs on: its period (期程), the 申復 window, the 修正期限 and the 委員審查期限.

A period (CertificationPeriod) is per type, 學年度 and county; the national row (county NULL) is
the default and a county row overrides it field by field (`period_for`). Where nothing is set the
platform behaves as before periods existed: 申請 is open, a revision has no deadline and the 申復
window is 10 days.

Every deadline is counted as the teacher reads a calendar in Taiwan: N days after the notice is
the same wall-clock time N calendar days later in Asia/Taipei (holidays included). The deadline
that runs is stored on the case (Case.appeal_deadline, Case.action_deadline) when it enters the
state and cleared when it leaves, so the jobs find expired cases with one indexed query. The
workflow table names the guards and effects below on its rows.
"""

import datetime
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from proteacher import dates
from proteacher.certification.models import Case, CertificationPeriod
from proteacher.errors import DomainError

WINDOW_DAYS = 10
# The window is Taiwan's, whatever zone a server or a request runs in.
TAIPEI = ZoneInfo("Asia/Taipei")


@dataclass(frozen=True)
class Period:
    """The fields of a type's period that apply to one county and year (None: not set)."""

    apply_opens_at: datetime.datetime | None = None
    apply_closes_at: datetime.datetime | None = None
    revision_days: int | None = None
    revision_due_at: datetime.datetime | None = None
    appeal_revision_days: int | None = None
    appeal_revision_due_at: datetime.datetime | None = None
    review_days: int | None = None
    review_due_at: datetime.datetime | None = None
    appeal_window_days: int | None = None


PERIOD_FIELDS = tuple(item.name for item in fields(Period))


def period_for(certification_type_id: int, academic_year: int, county_id: int | None) -> Period:
    """The period of a type and year for a county: the county's row where it sets a field, else the
    national row's (one query)."""
    rows = CertificationPeriod.objects.filter(
        Q(county__isnull=True) | Q(county_id=county_id),
        certification_type_id=certification_type_id,
        academic_year=academic_year,
    ).only(*PERIOD_FIELDS, "county_id")
    national = next((row for row in rows if row.county_id is None), None)
    own = next((row for row in rows if row.county_id is not None), None) if county_id is not None else None
    values = {}
    for name in PERIOD_FIELDS:
        value = getattr(own, name) if own is not None else None
        values[name] = value if value is not None else getattr(national, name, None)
    return Period(**values)


def case_period(case: Case) -> Period:
    return period_for(case.certification_type_id, case.academic_year, case.county_id)


def after_days(at: datetime.datetime, days: int) -> datetime.datetime:
    """`days` calendar days after `at` on Taipei's wall clock (zoneinfo adds days on the wall clock)."""
    return at.astimezone(TAIPEI) + datetime.timedelta(days=days)


def deadline_after(notice_at: datetime.datetime, days: int = WINDOW_DAYS) -> datetime.datetime:
    """The last moment 申復 may be pressed after a notice sent at `notice_at`: the same wall-clock
    time `days` (10) calendar days later in Asia/Taipei."""
    return after_days(notice_at, days)


def _days_or_date(at: datetime.datetime, days: int | None, due_at: datetime.datetime | None):
    """A fixed date wins over a number of days; neither set: no deadline."""
    if due_at is not None:
        return due_at
    if days is not None:
        return after_days(at, days)
    return None


def review_due(case: Case, assigned_at: datetime.datetime) -> datetime.datetime | None:
    """委員審查期限 of an assignment made at `assigned_at` (review.assignment stores it)."""
    period = case_period(case)
    return _days_or_date(assigned_at, period.review_days, period.review_due_at)


def format_deadline(deadline: datetime.datetime) -> str:
    """116-03-31 23:59: ROC year, Taipei's clock (dates.roc_datetime)."""
    return dates.roc_datetime(deadline.astimezone(TAIPEI))


# --- 申請 --------------------------------------------------------------------------------------------

OUTSIDE_PERIOD = "目前不在申請期間，申請期間為 {opens} 至 {closes}。"
NOT_YET_OPEN = "目前尚未開放申請，申請期間自 {opens} 起。"
PAST_CLOSE = "已超過申請截止時間（{closes}）。"


def apply_refusal(
    certification_type_id: int, academic_year: int, county_id: int | None, now: datetime.datetime | None = None
) -> str | None:
    """Why 申請 is refused now by the period, with the period in the sentence, or None (open)."""
    period = period_for(certification_type_id, academic_year, county_id)
    now = now or timezone.now()
    opens, closes = period.apply_opens_at, period.apply_closes_at
    if (opens is None or now >= opens) and (closes is None or now <= closes):
        return None
    if opens is not None and closes is not None:
        return OUTSIDE_PERIOD.format(opens=format_deadline(opens), closes=format_deadline(closes))
    if opens is not None:
        return NOT_YET_OPEN.format(opens=format_deadline(opens))
    return PAST_CLOSE.format(closes=format_deadline(closes))


def submit_deadline(case: Case) -> datetime.datetime | None:
    """The last moment to 送出審查文件: an extension of this case (action_deadline), else 申請截止."""
    if case.action_deadline is not None:
        return case.action_deadline
    return case_period(case).apply_closes_at


# --- the workflow's guards and effects --------------------------------------------------------------


def within_appeal_window(case: Case, actor) -> str | None:
    """申復 is open until the deadline the failing decision set; a case without one (failed before
    deadlines were recorded) is not refused here."""
    deadline = case.appeal_deadline
    if deadline is not None and timezone.now() > deadline:
        return f"已超過申復期限（{format_deadline(deadline)}）。"
    return None


def within_submit_deadline(case: Case, actor) -> str | None:
    """送出審查文件 closes with 申請截止 (or the date an extension gave this case)."""
    deadline = submit_deadline(case)
    if deadline is not None and timezone.now() > deadline:
        return f"已超過送出審查文件期限（{format_deadline(deadline)}），無法送出。"
    return None


def within_revision_deadline(case: Case, actor) -> str | None:
    """送出複審資料 / 申復重新送審 close with the case's 修正期限."""
    deadline = case.action_deadline
    if deadline is not None and timezone.now() > deadline:
        return f"已超過修正期限（{format_deadline(deadline)}），無法送出。"
    return None


def open_appeal_window(change) -> None:
    """first_fail / second_fail: the notice goes out with this change, so the window starts now."""
    days = case_period(change.case).appeal_window_days
    change.case.appeal_deadline = deadline_after(change.at, WINDOW_DAYS if days is None else days)
    change.case.save(update_fields=["appeal_deadline"])


def close_appeal_window(change) -> None:
    """appeal / appeal_expire: the case leaves the failed state, and the job must not see it again."""
    change.case.appeal_deadline = None
    change.case.save(update_fields=["appeal_deadline"])


def open_revision_window(change) -> None:
    """first_revise / appeal_accept: the teacher's 修正期限 runs from the decision's notice."""
    period = case_period(change.case)
    if change.step.action == "appeal_accept":
        deadline = _days_or_date(change.at, period.appeal_revision_days, period.appeal_revision_due_at)
    else:
        deadline = _days_or_date(change.at, period.revision_days, period.revision_due_at)
    change.case.action_deadline = deadline
    change.case.save(update_fields=["action_deadline"])


def close_revision_window(change) -> None:
    """The teacher sent (or the deadline passed): no deadline runs for them any more."""
    if change.case.action_deadline is not None:
        change.case.action_deadline = None
        change.case.save(update_fields=["action_deadline"])


NOTHING_TO_EXTEND = "此申請目前沒有可延長的期限。"
NEW_DATE_REQUIRED = "請填寫新的期限。"
NEW_DATE_PAST = "新的期限須晚於現在。"
NEW_DATE_EARLIER = "新的期限須晚於原期限（{old}）。"


def running_deadline(case: Case) -> datetime.datetime | None:
    """The deadline the teacher acts by now: 修正期限, or 送出審查文件's in 準備資料."""
    if case.state == "preparing":
        return submit_deadline(case)
    return case.action_deadline


def extend(change) -> None:
    """extend_deadline: the posted `deadline` (an aware datetime, ISO text in the event) becomes the
    case's running deadline; the event keeps the old and the new one."""
    new = change.data.get("deadline")
    if isinstance(new, str):
        try:
            new = datetime.datetime.fromisoformat(new)
        except ValueError:
            new = None
    if not isinstance(new, datetime.datetime) or timezone.is_naive(new):
        raise DomainError(NEW_DATE_REQUIRED)
    old = running_deadline(change.case)
    if old is None:
        raise DomainError(NOTHING_TO_EXTEND)
    if new <= change.at:
        raise DomainError(NEW_DATE_PAST)
    if new <= old:
        raise DomainError(NEW_DATE_EARLIER.format(old=format_deadline(old)))
    change.case.action_deadline = new
    change.case.save(update_fields=["action_deadline"])
    # Taipei's clock in the event, as the teacher and the office read the dates.
    change.data["deadline"] = new.astimezone(TAIPEI).isoformat()
    change.data["old_deadline"] = old.astimezone(TAIPEI).isoformat()
