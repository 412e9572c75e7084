"""申復's 10-day window: opened by a failing decision, closed by 申復 or by the job when it passes.

The window is counted as the teacher reads a calendar in Taiwan: the notice's clock time, ten
calendar days later (holidays included). It is stored on the case (Case.appeal_deadline) when the
case enters 初審未通過 / 複審未通過 and cleared when it leaves, so the job finds expired cases with
one indexed query. The workflow table names these functions as the rows' guard and effects.
"""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from proteacher.certification.models import Case

WINDOW_DAYS = 10
# The window is Taiwan's, whatever zone a server or a request runs in.
TAIPEI = ZoneInfo("Asia/Taipei")


def deadline_after(notice_at: datetime.datetime) -> datetime.datetime:
    """The last moment 申復 may be pressed after a notice sent at `notice_at`: the same wall-clock
    time ten calendar days later in Asia/Taipei (zoneinfo adds days on the wall clock)."""
    return notice_at.astimezone(TAIPEI) + datetime.timedelta(days=WINDOW_DAYS)


def format_deadline(deadline: datetime.datetime) -> str:
    return f"{deadline.astimezone(TAIPEI):%Y-%m-%d %H:%M}"


# --- the workflow's guard and effects -------------------------------------------------------------


def within_appeal_window(case: Case, actor) -> str | None:
    """申復 is open until the deadline the failing decision set; a case without one (failed before
    deadlines were recorded) is not refused here."""
    deadline = case.appeal_deadline
    if deadline is not None and timezone.now() > deadline:
        return f"已超過申復期限（{format_deadline(deadline)}）。"
    return None


def open_appeal_window(change) -> None:
    """first_fail / second_fail: the notice goes out with this change, so the window starts now."""
    change.case.appeal_deadline = deadline_after(change.at)
    change.case.save(update_fields=["appeal_deadline"])


def close_appeal_window(change) -> None:
    """appeal / appeal_expire: the case leaves the failed state, and the job must not see it again."""
    change.case.appeal_deadline = None
    change.case.save(update_fields=["appeal_deadline"])
