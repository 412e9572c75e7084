"""檢視紀錄: who looked at a teacher's forms and files (certification.access_log's entries), as
the teacher is shown it: by role and county, never by name. An officer reads as 縣市承辦人（臺北市）,
管理者 as 管理者, and the 委員 as 委員一, 委員二 … numbered per case in the order they were first
assigned to it, in any round (so the same 委員 is the same number on every line of a case, and
the numbers never say who).

The case's page (views/viewed.py) and the personal-data export (portal.personal_data, every case
of the teacher) list the same lines, so the two never disagree.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from proteacher.accounts.models import Role, User
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


def views_of_teacher(teacher: User) -> QuerySet[AuditEntry]:
    """Every look at the teacher's forms and files by someone else, oldest first (the (subject_id,
    at) index)."""
    entries = AuditEntry.objects.filter(subject_id=teacher.pk, action__in=VIEWS).exclude(actor_id=teacher.pk)
    return entries.order_by("at", "id")


def reviewer_numbers(case_ids) -> dict[int, dict[int, str]]:
    """{case id: {委員's user id: 委員一 …}} by first assignment to each case; one query."""
    numbers: dict[int, dict[int, str]] = {}
    assigned = Assignment.objects.filter(case_id__in=case_ids).order_by("assigned_at", "pk")
    for case_id, reviewer_id in assigned.values_list("case_id", "reviewer_id"):
        of_case = numbers.setdefault(case_id, {})
        if reviewer_id not in of_case:
            count = len(of_case)
            of_case[reviewer_id] = f"委員{NUMERALS[count]}" if count < len(NUMERALS) else f"委員{count + 1}"
    return numbers


@dataclass
class Line:
    at: object
    who: str
    action: str  # 檢視表單 / 檢視檔案
    target: str  # the form's title

    @property
    def what(self) -> str:
        return f"{self.action}：{self.target}"


def lines(entries) -> list[Line]:
    """`entries` (of views_of or views_of_teacher) as the teacher reads them, in their order; at
    most three queries whatever their number."""
    entries = list(entries)
    reviewed = {e.case_id for e in entries if e.actor_role == Role.REVIEWER}
    numbers = reviewer_numbers(reviewed) if reviewed else {}
    counties = _county_names(entries)
    return [Line(e.at, _who(e, numbers, counties), label(e.action), e.target) for e in entries]


def _county_names(entries: list[AuditEntry]) -> dict[int, str]:
    """{entry id: county} of the officers' entries: the county the entry kept, else (an entry
    written without one) the officer's county now."""
    officers = [e for e in entries if e.actor_role == Role.COUNTY]
    kept = {e.data.get("county") for e in officers} - {None}
    names = dict(County.objects.filter(pk__in=kept).values_list("pk", "name")) if kept else {}
    unknown = {e.actor_id for e in officers if e.data.get("county") is None and e.actor_id}
    now = dict(User.objects.filter(pk__in=unknown).values_list("pk", "county__name")) if unknown else {}
    return {e.pk: names.get(e.data.get("county")) or now.get(e.actor_id) or "" for e in officers}


def _who(entry: AuditEntry, numbers: dict[int, dict[int, str]], counties: dict[int, str]) -> str:
    if entry.actor_role == Role.COUNTY:
        county = counties.get(entry.pk)
        return f"縣市承辦人（{county}）" if county else "縣市承辦人"
    if entry.actor_role == Role.REVIEWER:
        return numbers.get(entry.case_id, {}).get(entry.actor_id, "委員")
    if entry.actor_role == Role.ADMIN:
        return "管理者"
    return Role(entry.actor_role).label if entry.actor_role in Role.values else "平臺"
