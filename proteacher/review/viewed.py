"""檢視紀錄: who looked at a teacher's forms and files of a case (certification.access_log's
entries), as the teacher is shown it: by role and county, never by name. An officer reads as
縣市承辦人（臺北市）, 管理者 as 管理者, and the 委員 as 委員一, 委員二 … numbered per case in the
order they were first assigned to it, in any round (so the same 委員 is the same number on every
line, and the numbers never say who).

The personal-data export lists the same lines (`lines`), for each case of the teacher.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from proteacher.accounts.models import Role
from proteacher.audit.actions import VIEWS, label
from proteacher.audit.models import AuditEntry
from proteacher.certification.models import Case
from proteacher.registry.models import County
from proteacher.review.models import Assignment
from proteacher.review.views.committee_forms import NUMERALS


def views_of(case: Case) -> QuerySet[AuditEntry]:
    """The looks at the case's forms and files, newest first (the (case_id, at) index)."""
    return AuditEntry.objects.filter(case_id=case.pk, subject_id=case.teacher_id, action__in=VIEWS).order_by(
        "-at", "-id"
    )


def reviewer_numbers(case: Case) -> dict[int, str]:
    """{委員's user id: 委員一 …} by first assignment to the case."""
    numbers: dict[int, str] = {}
    for reviewer_id in (
        Assignment.objects.filter(case=case).order_by("assigned_at", "pk").values_list("reviewer_id", flat=True)
    ):
        if reviewer_id not in numbers:
            count = len(numbers)
            numbers[reviewer_id] = f"委員{NUMERALS[count]}" if count < len(NUMERALS) else f"委員{count + 1}"
    return numbers


@dataclass
class Line:
    at: object
    who: str
    what: str


def lines(case: Case, entries) -> list[Line]:
    """`entries` (of views_of) as the teacher reads them; two queries whatever their number."""
    entries = list(entries)
    numbers = reviewer_numbers(case) if any(e.actor_role == Role.REVIEWER for e in entries) else {}
    county_ids = {e.data.get("county") for e in entries if e.actor_role == Role.COUNTY} - {None}
    counties = dict(County.objects.filter(pk__in=county_ids).values_list("pk", "name")) if county_ids else {}
    return [
        Line(entry.at, _who(entry, numbers, counties), f"{label(entry.action)}：{entry.target}") for entry in entries
    ]


def _who(entry: AuditEntry, numbers: dict[int, str], counties: dict[int, str]) -> str:
    if entry.actor_role == Role.COUNTY:
        county = counties.get(entry.data.get("county"))
        return f"縣市承辦人（{county}）" if county else "縣市承辦人"
    if entry.actor_role == Role.REVIEWER:
        return numbers.get(entry.actor_id, "委員")
    if entry.actor_role == Role.ADMIN:
        return "管理者"
    return Role(entry.actor_role).label if entry.actor_role in Role.values else "平臺"
