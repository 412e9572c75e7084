"""What the back office may see of cases: the office's scope (certification.selectors') and a
委員's (exactly the cases assigned to them), and the office's filtered, counted lists.

Every list here starts from `cases_visible_to(user)` and only narrows it, so a 縣市 sees its own
county whatever the address says. Out-of-scope cases are a 404, never a 403.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from proteacher.accounts.models import Role, User
from proteacher.certification import selectors as case_selectors
from proteacher.certification import state_counts as kept_counts
from proteacher.certification import workflow
from proteacher.certification.models import Case, CertificationType
from proteacher.registry.models import County
from proteacher.review.models import Assignment


def cases_visible_to(user: User) -> QuerySet[Case]:
    """certification's scope for the teacher and the office; for a 委員 exactly the cases assigned
    to them, in any round, so their forms and files open from the 審查標準表 page."""
    if user.is_authenticated and user.role == Role.REVIEWER:
        # An EXISTS, not a join: two rounds must not list a case twice.
        assigned = Assignment.objects.filter(case=OuterRef("pk"), reviewer_id=user.pk)
        return case_selectors.all_cases().filter(Exists(assigned))
    return case_selectors.cases_visible_to(user)


def case_for(user: User, pk: int) -> Case:
    return get_object_or_404(cases_visible_to(user), pk=pk)


def assignments_of(user: User) -> QuerySet[Assignment]:
    """審查案件: the 委員's own assignments, the ones still to do first."""
    return (
        Assignment.objects.filter(reviewer_id=user.pk)
        .select_related("case__certification_type", "case__school")
        .defer("data")
        .order_by(F("submitted_at").desc(nulls_first=True), "-assigned_at", "-pk")
    )


def assignment_for(user: User, pk: int) -> Assignment:
    """One of the signed-in 委員's own assignments; anyone else's is a 404."""
    assignments = Assignment.objects.select_related(
        "case__certification_type", "case__school", "case__teacher", "case__county"
    )
    assignment = get_object_or_404(assignments, pk=pk, reviewer_id=user.pk)
    # The 委員 is the signed-in user, already read for the request (the audit entry names them).
    assignment.reviewer = user
    return assignment


@dataclass(frozen=True)
class QueueFilters:
    """What the office narrowed the list to; empty values filter nothing."""

    certification_type: int | None = None
    academic_year: int | None = None
    county: int | None = None
    school: str = ""
    state: str = ""
    q: str = ""
    overdue: bool = False  # 逾期未審: a 委員's 審查期限 passed with the 審查標準表 unsent


def overdue_assignments(now=None) -> QuerySet[Assignment]:
    """Assignments whose 審查期限 passed with the 審查標準表 unsent (逾期未審)."""
    return Assignment.objects.filter(submitted_at__isnull=True, due_at__lt=now or timezone.now())


def office_cases(user: User, filters: QueueFilters) -> QuerySet[Case]:
    """The cases in the user's scope matching every filter but the state (the tabs count those)."""
    cases = cases_visible_to(user)
    if filters.certification_type:
        cases = cases.filter(certification_type_id=filters.certification_type)
    if filters.academic_year:
        cases = cases.filter(academic_year=filters.academic_year)
    # A 縣市's scope is its county already; its filter is fixed, so only 管理者 choose one.
    if filters.county and user.role == Role.ADMIN:
        cases = cases.filter(county_id=filters.county)
    if filters.school:
        cases = cases.filter(Q(school__name__icontains=filters.school) | Q(school__code=filters.school))
    if filters.q:
        cases = cases.filter(Q(teacher__name__icontains=filters.q) | Q(teacher__inservice_account__iexact=filters.q))
    if filters.overdue:
        cases = cases.filter(Exists(overdue_assignments().filter(case=OuterRef("pk"))))
    return cases


def queue_rows(cases: QuerySet[Case]) -> QuerySet:
    """What the queue's table shows of each case, as plain values: a page of 50 cases read as model
    instances (case, teacher, type, school, county) cost more than its query."""
    return cases.values(
        "pk",
        "state",
        "academic_year",
        "updated_at",
        # 期限: the deadline that runs (the teacher's, the 申復 window's, the earliest open 審查期限).
        "action_deadline",
        "appeal_deadline",
        teacher_name=F("teacher__name"),
        school_name=F("school__name"),
        county_name=F("county__name"),
        type_name=F("certification_type__name"),
        review_due=Subquery(
            Assignment.objects.filter(case=OuterRef("pk"), submitted_at__isnull=True, due_at__isnull=False)
            .order_by("due_at")
            .values("due_at")[:1]
        ),
    )


def in_state(cases: QuerySet[Case], state: str) -> QuerySet[Case]:
    return cases.filter(state=state) if state else cases


def queue_list(cases: QuerySet[Case], state: str) -> QuerySet[Case]:
    """The table's rows, the most recently changed first."""
    return in_state(cases, state).order_by("-updated_at", "-pk")


def kept_counts_of(user: User, county: int | None = None) -> kept_counts.Summary:
    """The counts the workflow keeps (certification.state_counts), in the user's scope: their own
    county for a 縣市, every county or the one given for 管理者, none for anyone else (the office
    pages admit no one else). One query of a few rows, whatever the number of cases."""
    if user.is_authenticated and user.role == Role.ADMIN:
        return kept_counts.summary(county)
    if user.is_authenticated and user.role == Role.COUNTY and user.county_id is not None:
        return kept_counts.summary(user.county_id)
    return kept_counts.Summary(())


def state_counts(user: User, filters: QueueFilters, in_scope: kept_counts.Summary) -> dict[str, int]:
    """{state: cases} in the user's scope matching the filters (the tabs); states without cases
    are absent. `in_scope` is kept_counts_of(user), already read for the 學年度 choices.

    Type and year narrow the kept counts; a 管理者's county reads that county's. A school or a
    name narrows to cases that must be found first, so those few are grouped instead.
    """
    if filters.school or filters.q or filters.overdue:
        # order_by() drops Case.Meta.ordering, which would otherwise join the GROUP BY and split counts.
        cases = office_cases(user, filters).order_by()
        return dict(cases.values("state").annotate(count=Count("pk")).values_list("state", "count"))
    if filters.county and user.role == Role.ADMIN:
        in_scope = kept_counts_of(user, filters.county)
    return in_scope.counts(filters.certification_type, filters.academic_year)


# The stages in which a round's 委員 are at work or their reviews are being decided.
PANEL_STAGES = ("review", "decision")


def panel_sizes(cases: list[tuple[int, str]]) -> dict[int, int]:
    """{case id: 委員 assigned to the round the case is in} for the (case id, state) pairs reviewed
    or decided now; one query for a page of cases."""
    rounds = {
        pk: spec.round
        for pk, state in cases
        if (spec := workflow.BY_STATE.get(state)) is not None and spec.round and spec.stage in PANEL_STAGES
    }
    sizes = dict.fromkeys(rounds, 0)
    if rounds:
        rows = (
            Assignment.objects.filter(case_id__in=list(rounds))
            .values_list("case_id", "round")
            .annotate(count=Count("id"))
            .order_by()
        )
        for case_id, round_code, count in rows:
            if rounds[case_id] == round_code:
                sizes[case_id] = count
    return sizes


def certification_types() -> list[tuple[int, str]]:
    return list(CertificationType.objects.order_by("sort_order", "id").values_list("pk", "name"))


def counties() -> list[tuple[int, str]]:
    return list(County.objects.order_by("sort_order", "code").values_list("pk", "name"))
