"""統計: the year's figures for 縣市 (own county) and 管理者 (all, or one county), from the database.

Every figure is a grouped query over the cases in the viewer's scope (`selectors.cases_visible_to`),
never a loop over cases in Python; the number of queries does not depend on the number of cases.

What the words mean (read from the workflow table, certification.workflow):

- 申請件數 (applications): every case.
- 已送審 (sent): the case left 準備資料 at least once (it has a 送出審查文件 event).
- 通過 (passed): the case is 通過, 通過可產證 or 已發證.
- 未通過 (failed): the case is 初審未通過, 複審未通過 (a round's failing result) or 不合格.
- 申復 (appealed): the teacher pressed 申復 (an 申復 event).
- 已發證 (issued): the case is 已發證 (its certificate was numbered).
- Pass rate per round: the round's decisions (判定 events) and how many of them were 通過.
- Turnaround in days, from the case's first 送出審查文件 to its first 形式審查 decision (通過 or
  退件), to the decision that gave the year's result (the event that moved it to 通過 or 不合格),
  and to 發證. Median and 90th percentile by the nearest-rank method: of n durations in
  ascending order, the p-th percentile is the ⌈p·n/100⌉-th (the median of 4 is the 2nd). Times are
  counted in whole seconds and shown in days with one decimal.
- 委員 load: per 委員, open assignments (審查標準表 not yet submitted), submitted ones, and overdue
  ones (open and assigned more than settings.REVIEW_DUE_DAYS days ago). Only assignments on cases
  in the viewer's scope count, so a 縣市 sees the 委員 of its own county's cases and nothing else.
"""

import datetime
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, FilteredRelation, Q, QuerySet
from django.utils import timezone

from proteacher.accounts.models import Role
from proteacher.certification import workflow
from proteacher.certification.models import Case, CaseEvent, VerificationLookup
from proteacher.review import selectors
from proteacher.review.models import Assignment

State = workflow.State

PASSED_STATES = (State.PASSED, State.APPROVED, State.ISSUED)
FAILED_STATES = tuple(s.code for s in workflow.STATES if s.stage == "failed" or s.code == State.FAILED)
SUBMIT = "submit"
APPEAL = "appeal"
FORMAL_DECISIONS = ("formal_pass", "formal_return")
RESULT_STATES = (State.PASSED, State.FAILED)
ISSUE = "issue"
# The columns of every breakdown, in the order the page and the workbook show them.
MEASURES = [
    ("applications", "申請件數"),
    ("sent", "已送審"),
    ("passed", "通過"),
    ("failed", "未通過"),
    ("appealed", "申復"),
    ("issued", "已發證"),
]
# The schools listed one by one; the others are summed in one row.
TOP_SCHOOLS = 20
# (code, label, percent) of the percentiles shown.
PERCENTILES = [("median", "中位數", 50), ("p90", "第90百分位數", 90)]
SPANS = [
    ("formal", "送出 → 形式審查結果"),
    ("result", "送出 → 審查結果（通過或不合格）"),
    ("issued", "送出 → 發證"),
]
PERCENTILE_NOTE = "天數以最近序位法計算：n 件依天數由少至多排序，第 p 百分位數為第 ⌈p×n/100⌉ 件的天數（中位數 p=50）。"
OTHER_SCHOOLS = "其他學校"
NO_SCHOOL = "（未填學校）"
NO_COUNTY = "（未填縣市）"


@dataclass(frozen=True)
class StatisticsFilters:
    """What the figures are narrowed to; empty values filter nothing. `county` is for 管理者 only."""

    certification_type: int | None = None
    academic_year: int | None = None
    county: int | None = None
    school: str = ""

    @property
    def narrowed(self) -> bool:
        return bool(self.certification_type or self.academic_year or self.county or self.school)


@dataclass
class Figures:
    """Everything 統計 shows. as_dict() is JSON-ready (ints, floats, strings, lists, dicts)."""

    totals: dict
    by_type: list[dict]
    by_year: list[dict]
    by_county: list[dict]
    by_school: list[dict]
    by_state: list[dict]
    rounds: list[dict]
    turnaround: list[dict]
    reviewers: list[dict]
    review_due_days: int
    verifications: list[dict]
    percentile_note: str = PERCENTILE_NOTE
    measures: list[dict] = field(default_factory=lambda: [{"key": k, "label": v} for k, v in MEASURES])

    @property
    def is_empty(self) -> bool:
        return self.totals["applications"] == 0 and not self.reviewers

    def as_dict(self) -> dict:
        return asdict(self)


def in_scope(viewer, filters: StatisticsFilters) -> QuerySet[Case]:
    """The cases the figures count: the viewer's scope narrowed by the filters. Only the office
    (縣市, 管理者) has figures; anyone else's scope is empty."""
    if not viewer.is_authenticated or viewer.role not in (Role.COUNTY, Role.ADMIN):
        return Case.objects.none()
    cases = selectors.cases_visible_to(viewer).order_by()
    if filters.certification_type:
        cases = cases.filter(certification_type_id=filters.certification_type)
    if filters.academic_year:
        cases = cases.filter(academic_year=filters.academic_year)
    # A 縣市's scope is its own county whatever the filter says.
    if filters.county and viewer.role == Role.ADMIN:
        cases = cases.filter(county_id=filters.county)
    if filters.school:
        cases = cases.filter(Q(school__name__icontains=filters.school) | Q(school__code=filters.school))
    return cases


def _with_events(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases joined to their 送出審查文件 and 申復 events (LEFT JOINs, used by _measures()).

    A join counted with DISTINCT, not an EXISTS per case: PostgreSQL runs a correlated EXISTS once
    for every case of the group (0.3 s a breakdown for 20,000 cases), the join in one pass (0.05 s).
    """
    return cases.annotate(
        sent_event=FilteredRelation("events", condition=Q(events__action=SUBMIT)),
        appeal_event=FilteredRelation("events", condition=Q(events__action=APPEAL)),
    )


def _measures() -> dict:
    """The Count()s of MEASURES over _with_events(cases), for one aggregate() or a grouped annotate().
    A case sent three times joins three rows: every count is DISTINCT."""
    return {
        "applications": Count("pk", distinct=True),
        "sent": Count("pk", distinct=True, filter=Q(sent_event__id__isnull=False)),
        "passed": Count("pk", distinct=True, filter=Q(state__in=PASSED_STATES)),
        "failed": Count("pk", distinct=True, filter=Q(state__in=FAILED_STATES)),
        "appealed": Count("pk", distinct=True, filter=Q(appeal_event__id__isnull=False)),
        "issued": Count("pk", distinct=True, filter=Q(state=State.ISSUED)),
    }


def _row(key, label: str, values: dict) -> dict:
    return {"key": key, "label": label, **{name: values[name] for name, _ in MEASURES}}


def _grouped(cases: QuerySet[Case], *fields: str) -> list[dict]:
    return list(_with_events(cases).values(*fields).annotate(**_measures()).order_by())


def _by_type(cases) -> list[dict]:
    rows = _grouped(cases, "certification_type_id", "certification_type__name", "certification_type__sort_order")
    rows.sort(key=lambda r: (r["certification_type__sort_order"], r["certification_type_id"]))
    return [_row(r["certification_type_id"], r["certification_type__name"], r) for r in rows]


def _by_year(cases) -> list[dict]:
    rows = sorted(_grouped(cases, "academic_year"), key=lambda r: -r["academic_year"])
    return [_row(r["academic_year"], f"{r['academic_year']}學年度", r) for r in rows]


def _by_county(cases) -> list[dict]:
    rows = _grouped(cases, "county_id", "county__name", "county__sort_order", "county__code")
    rows.sort(key=lambda r: (r["county_id"] is None, r["county__sort_order"] or 0, r["county__code"] or ""))
    return [_row(r["county_id"], r["county__name"] or NO_COUNTY, r) for r in rows]


def _by_school(cases, totals: dict) -> list[dict]:
    """The TOP_SCHOOLS schools with the most applications, then the rest summed in one row."""
    rows = list(
        _with_events(cases)
        .values("school_id", "school__name", "school__code")
        .annotate(**_measures())
        .order_by("-applications", "school__code", "school_id")[:TOP_SCHOOLS]
    )
    result = [_row(r["school_id"], r["school__name"] or NO_SCHOOL, r) for r in rows]
    rest = {name: totals[name] - sum(r[name] for r in rows) for name, _ in MEASURES}
    if rest["applications"]:
        result.append(_row(None, OTHER_SCHOOLS, rest))
    return result


def _by_state(cases) -> list[dict]:
    counts = dict(cases.values("state").annotate(count=Count("pk")).values_list("state", "count"))
    return [{"key": s.code, "label": s.label, "count": counts.get(s.code, 0)} for s in workflow.STATES]


def _rounds(cases) -> list[dict]:
    """Per round: its decisions (判定) and how many of them were 通過."""
    decisions = {code: workflow.decisions_of(code) for code in workflow.ROUNDS}
    passing = {
        code: next(a for a in actions if workflow.BY_ACTION[a].target == State.PASSED)
        for code, actions in decisions.items()
    }
    every = [action for actions in decisions.values() for action in actions]
    counts = dict(
        CaseEvent.objects.filter(case__in=cases.values("pk"), action__in=every)
        .values("action")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("action", "count")
    )
    rows = []
    for code, label in workflow.ROUNDS.items():
        decided = sum(counts.get(action, 0) for action in decisions[code])
        passed = counts.get(passing[code], 0)
        rate = round(100 * passed / decided, 1) if decided else None
        rows.append({"key": code, "label": label, "decided": decided, "passed": passed, "rate": rate})
    return rows


def _seconds(later: str, earlier: str) -> str:
    """SQL for the whole seconds between two timestamp columns (each truncated to the second)."""
    if connection.vendor == "postgresql":
        return (
            f"(CAST(EXTRACT(EPOCH FROM date_trunc('second', {later})) AS BIGINT)"
            f" - CAST(EXTRACT(EPOCH FROM date_trunc('second', {earlier})) AS BIGINT))"
        )
    # %% is a literal % in a query that has parameters.
    return f"(CAST(strftime('%%s', {later}) AS INTEGER) - CAST(strftime('%%s', {earlier}) AS INTEGER))"


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _turnaround(cases) -> list[dict]:
    """The median and 90th percentile of each span, nearest-rank, in one query: the durations are
    ranked per span with ROW_NUMBER() and COUNT() windows and only the rows at the ranks are read."""
    found = {code: {"count": 0} for code, _ in SPANS}
    try:
        scope_sql, scope_params = cases.values("pk").query.sql_with_params()
    except EmptyResultSet:
        scope_sql = None
    events = CaseEvent._meta.db_table
    # The scope's query is repeated in each span rather than shared as a CTE: PostgreSQL then
    # estimates its size and joins the events by a hash, instead of probing them case by case.
    first = "SELECT case_id, MIN(at) AS at FROM {events} WHERE case_id IN ({scope}) AND {where} GROUP BY case_id"
    rank_checks = " OR ".join(
        f"(rn * 100 >= {percent} * n AND (rn - 1) * 100 < {percent} * n)" for _, _, percent in PERCENTILES
    )
    # Every value interpolated below is a table name, a constant of this module or placeholders;
    # the scope's and the actions' values are parameters.
    formal_where = f"action IN ({_placeholders(FORMAL_DECISIONS)})"
    outcome_where = f"to_state IN ({_placeholders(RESULT_STATES)})"
    sql = f"""WITH sent AS ({first.format(events=events, scope=scope_sql, where="action = %s")}),
        formal AS ({first.format(events=events, scope=scope_sql, where=formal_where)}),
        outcome AS ({first.format(events=events, scope=scope_sql, where=outcome_where)}),
        issued AS ({first.format(events=events, scope=scope_sql, where="action = %s")}),
        spans AS (
            SELECT 'formal' AS span, {_seconds("e.at", "s.at")} AS seconds
              FROM sent s JOIN formal e ON e.case_id = s.case_id
            UNION ALL
            SELECT 'result', {_seconds("e.at", "s.at")} FROM sent s JOIN outcome e ON e.case_id = s.case_id
            UNION ALL
            SELECT 'issued', {_seconds("e.at", "s.at")} FROM sent s JOIN issued e ON e.case_id = s.case_id
        ),
        ranked AS (
            SELECT span, seconds,
                   ROW_NUMBER() OVER (PARTITION BY span ORDER BY seconds) AS rn,
                   COUNT(*) OVER (PARTITION BY span) AS n
              FROM spans
        )
        SELECT span, seconds, rn, n FROM ranked WHERE {rank_checks}
    """  # nosec B608 # see above: no value of a request is put in the text
    rows = []
    if scope_sql is not None:
        with connection.cursor() as cursor:
            params = [*scope_params, SUBMIT, *scope_params, *FORMAL_DECISIONS]
            params += [*scope_params, *RESULT_STATES, *scope_params, ISSUE]
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    for span, seconds, rn, n in rows:
        found[span]["count"] = n
        for code, _, percent in PERCENTILES:
            if rn * 100 >= percent * n and (rn - 1) * 100 < percent * n:
                found[span][code] = days(seconds)
    return [
        {"key": code, "label": label, "count": found[code]["count"]}
        | {pct: found[code].get(pct) for pct, _, _ in PERCENTILES}
        for code, label in SPANS
    ]


def days(seconds: int) -> float:
    """Whole seconds as days with one decimal."""
    return round(seconds / 86400, 1)


def _reviewers(cases, now: datetime.datetime) -> list[dict]:
    due = now - datetime.timedelta(days=settings.REVIEW_DUE_DAYS)
    open_ = Q(submitted_at__isnull=True)
    rows = (
        Assignment.objects.filter(case__in=cases.values("pk"))
        .values("reviewer_id", "reviewer__name", "reviewer__username")
        .annotate(
            open=Count("pk", filter=open_),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            overdue=Count("pk", filter=open_ & Q(assigned_at__lt=due)),
        )
        .order_by("-overdue", "-open", "reviewer__name", "reviewer_id")
    )
    return [
        {
            "key": r["reviewer_id"],
            "label": r["reviewer__name"] or r["reviewer__username"],
            "open": r["open"],
            "submitted": r["submitted"],
            "overdue": r["overdue"],
        }
        for r in rows
    ]


def _verifications(viewer, filters: StatisticsFilters, cases: QuerySet[Case]) -> list[dict]:
    """證書查驗: the public verification page's answers per outcome, through a QR code's link and
    through the 證號 and name form. 管理者 without filters sees every lookup (unknown numbers and
    refused ones included); otherwise only the lookups of certificates issued for the cases counted."""
    lookups = VerificationLookup.objects.all()
    if viewer.role != Role.ADMIN or filters.narrowed:
        lookups = lookups.filter(certificate__case__in=cases.values("pk"))
    counts = {
        (row["outcome"], row["by_number"]): row["count"]
        for row in lookups.values("outcome", "by_number").annotate(count=Count("pk")).order_by()
    }
    rows = []
    for outcome in VerificationLookup.Outcome:
        by_code, by_number = counts.get((outcome.value, False), 0), counts.get((outcome.value, True), 0)
        rows.append(
            {
                "key": outcome.value,
                "label": outcome.label,
                "by_code": by_code,
                "by_number": by_number,
                "total": by_code + by_number,
            }
        )
    return rows


def figures(viewer, filters: StatisticsFilters, now: datetime.datetime | None = None) -> Figures:
    """統計 for `viewer` (anything with is_authenticated, role and county_id: a User or an API client)."""
    cases = in_scope(viewer, filters)
    totals = _with_events(cases).aggregate(**_measures())
    return Figures(
        totals=totals,
        by_type=_by_type(cases),
        by_year=_by_year(cases),
        by_county=_by_county(cases),
        by_school=_by_school(cases, totals),
        by_state=_by_state(cases),
        rounds=_rounds(cases),
        turnaround=_turnaround(cases),
        reviewers=_reviewers(cases, now or timezone.now()),
        review_due_days=settings.REVIEW_DUE_DAYS,
        verifications=_verifications(viewer, filters, cases),
    )
