"""Dates as the platform's users read them: Asia/Taipei, ROC years, academic years from 1 August."""

import calendar
import datetime

from django.utils import timezone

ROC_OFFSET = 1911


def today() -> datetime.date:
    return timezone.localdate()


def roc_year(year: int) -> int:
    return year - ROC_OFFSET


def academic_year(day: datetime.date) -> int:
    """The ROC academic year (學年度) a day belongs to: 108 runs 2019-08-01 to 2020-07-31."""
    return day.year - ROC_OFFSET - (0 if day.month >= 8 else 1)


def current_academic_year() -> int:
    return academic_year(today())


def academic_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of an ROC academic year."""
    start = datetime.date(year + ROC_OFFSET, 8, 1)
    return start, datetime.date(year + ROC_OFFSET + 1, 7, 31)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier, when negative); a day the month lacks becomes the
    month's last day (2028-02-29 + 12 months = 2029-02-28, 2026-08-31 - 6 months = 2026-02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def roc_date(day: datetime.date | datetime.datetime) -> str:
    """A day as certificates word it: 中華民國115年12月5日 (a moment is read in Asia/Taipei)."""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    return f"中華民國{roc_year(day.year)}年{day.month}月{day.day}日"


def roc_datetime(moment: datetime.datetime) -> str:
    """A deadline as the platform's pages and messages word it: 116-03-31 23:59 (ROC year,
    Asia/Taipei wall clock), the way counties announce their dates."""
    local = timezone.localtime(moment)
    return f"{roc_year(local.year)}-{local:%m-%d %H:%M}"
