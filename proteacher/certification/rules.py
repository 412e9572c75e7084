"""Eligibility (申請資格) as data: small named checks with parameters, picked by a RuleSet.

A RuleSet row holds the rules of one type from one academic year on, optionally for one county:
``[{"code", "item" (項目), "condition" (條件), "check", "params"}]``. Each ``check`` names a
function registered here; it receives the teacher's facts, the rule's params and the day of the
evaluation, and answers pass or fail with a short detail the teacher can act on.

``evaluate()`` picks the rule set, loads the teacher's facts once and runs every rule. Its
``record`` is what a case stores, so the evaluation that let a case in can always be read back:
the inputs, the rule set's id and version and every row's result.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import FilteredRelation, Q
from django.utils import timezone

from proteacher import dates
from proteacher.accounts.models import TeacherProfile
from proteacher.certification.models import CertificationType, RuleSet
from proteacher.registry.models import TrainingCategory, TrainingRecord

# Shown beside every failing row, exactly as the seed shows it.
FAILURE_MESSAGE = "資格不符。請洽詢所屬縣市之教專中心或臺師大培訓認證"


# --- the teacher's facts -------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFact:
    kind: str
    academic_year: int
    number: str
    # The last valid day (None: no end, or not known for an imported certificate), and whether
    # it was revoked (撤銷證書).
    expires_on: datetime.date | None = None
    revoked: bool = False


@dataclass(frozen=True)
class TrainingFact:
    course: str
    category: str
    hours: Decimal
    completed_on: datetime.date
    academic_year: int


@dataclass(frozen=True)
class TeacherFacts:
    """Everything the checks may read about a teacher, loaded once per evaluation."""

    has_profile: bool = False
    school: str = ""
    title_code: str = ""
    title_name: str = ""
    title_code_known: bool = False
    is_formal_teacher: bool = False
    formal_since: datetime.date | None = None
    teaching_years: int = 0
    county: str = ""
    certificates: tuple[CertificateFact, ...] = ()
    training: tuple[TrainingFact, ...] = ()
    # Every certification type's short name by code: how a rule that names a type words it.
    type_names: dict[str, str] = field(default_factory=dict)

    def type_name(self, code: str) -> str:
        return self.type_names.get(code, code)

    def as_record(self) -> dict:
        return {
            "school": self.school,
            "title_code": self.title_code,
            "title_name": self.title_name,
            "is_formal_teacher": self.is_formal_teacher,
            "formal_since": self.formal_since.isoformat() if self.formal_since else None,
            "teaching_years": self.teaching_years,
            "county": self.county,
            "certificates": [
                {
                    "kind": c.kind,
                    "academic_year": c.academic_year,
                    "number": c.number,
                    "expires_on": c.expires_on.isoformat() if c.expires_on else None,
                    "revoked": c.revoked,
                }
                for c in self.certificates
            ],
            "training": [
                {
                    "course": t.course,
                    "category": t.category,
                    "hours": str(t.hours),
                    "completed_on": t.completed_on.isoformat(),
                    "academic_year": t.academic_year,
                }
                for t in self.training
            ],
        }


def load_facts(teacher, training_categories: Iterable[str] | None = None) -> TeacherFacts:
    """The teacher's profile, certificates (with every type's name) and training records: three
    queries, whatever the rules.

    Training is keyed by the in-service network account (that is how the records are imported);
    only the categories some rule counts are read, so a long history of other courses costs nothing.
    """
    profile = TeacherProfile.objects.select_related("school", "title_code").filter(user_id=teacher.pk).first()
    # Every type once (to name it), joined to the teacher's certificates of it, if any: one query.
    held = CertificationType.objects.annotate(
        held=FilteredRelation("certificates", condition=Q(certificates__teacher_id=teacher.pk))
    ).values_list(
        "code",
        "short_name",
        "held__academic_year",
        "held__number",
        "held__id",
        "held__expires_on",
        "held__revoked_at",
    )
    type_names: dict[str, str] = {}
    found = []
    for code, short_name, year, number, pk, expires_on, revoked_at in held.order_by("sort_order", "id"):
        type_names[code] = short_name
        if pk is not None:
            found.append((year, pk, CertificateFact(code, year, number, expires_on, revoked_at is not None)))
    # As the teacher's list shows them: by academic year, then as recorded.
    certificates = tuple(fact for _, _, fact in sorted(found, key=lambda item: item[:2]))
    training: tuple[TrainingFact, ...] = ()
    categories = sorted(set(training_categories or ()))
    if teacher.inservice_account and categories:
        training = tuple(
            TrainingFact(course, category, hours, completed_on, year)
            for course, category, hours, completed_on, year in TrainingRecord.objects.filter(
                inservice_account=teacher.inservice_account, category__in=categories
            )
            .order_by("completed_on", "id")
            .values_list("course", "category", "hours", "completed_on", "academic_year")
        )
    if profile is None:
        return TeacherFacts(certificates=certificates, training=training, type_names=type_names)
    title = profile.title_code
    return TeacherFacts(
        has_profile=True,
        school=profile.school.name if profile.school else "",
        title_code=title.code if title else profile.title_code_value,
        title_name=title.name if title else "",
        title_code_known=title is not None,
        is_formal_teacher=profile.is_formal_teacher,
        formal_since=profile.formal_since,
        teaching_years=profile.teaching_years,
        county=profile.county_name,
        certificates=certificates,
        training=training,
        type_names=type_names,
    )


# --- the checks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    passed: bool
    detail: str


@dataclass(frozen=True)
class Param:
    """One parameter of a check, typed so 管理者 edits it in a field of the right kind.

    kinds: "years" (whole years), "months" (whole months), "hours" (decimal hours),
    "academic_year" (ROC year, may be empty), "categories" (training categories),
    "certificate_kind", "windows" (date windows, each with its own hours).
    """

    name: str
    kind: str
    label: str
    required: bool = True
    help_text: str = ""


@dataclass(frozen=True)
class Check:
    name: str
    label: str
    function: Callable[[TeacherFacts, dict, datetime.date], Outcome]
    params: tuple[Param, ...] = field(default_factory=tuple)


CHECKS: dict[str, Check] = {}


def check(name: str, label: str, *params: Param):
    def register(function):
        CHECKS[name] = Check(name, label, function, tuple(params))
        return function

    return register


def format_hours(hours) -> str:
    value = Decimal(str(hours)).normalize()
    return f"{value:f}"


def format_day(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The day on which `years` full years since `day` are complete.

    A period counted in years ends on the day before the same date (民法 §121), so it is full on
    the same date: from 2016-08-01, three years are full on 2019-08-01 and not on 2019-07-31.
    From 29 February the period ends on the last day of February, so it is full on 1 March.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def _parse_day(value) -> datetime.date | None:
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def _categories(params: dict) -> list[str]:
    return list(params.get("categories") or [])


def _category_names(codes: Iterable[str]) -> str:
    labels = dict(TrainingCategory.choices)
    return "、".join(labels.get(code, code) for code in codes)


def _years_window(on_day: datetime.date, years_back) -> tuple[int, int] | None:
    """The academic years counted: the year of `on_day` and `years_back` years before it.

    None when the rule has no such parameter (rule sets saved before it existed): every year counts.
    """
    if years_back is None or years_back == "":
        return None
    current = dates.academic_year(on_day)
    return current - int(years_back), current


def _describe_years(window: tuple[int, int]) -> str:
    first, last = window
    return f"{last}學年度" if first == last else f"{first}至{last}學年度"


def _counted_training(facts: TeacherFacts, params: dict, on_day: datetime.date) -> list[TrainingFact]:
    categories = set(_categories(params))
    window = _years_window(on_day, params.get("years_back"))
    return [
        t
        for t in facts.training
        if t.category in categories
        and t.completed_on <= on_day
        and (window is None or window[0] <= t.academic_year <= window[1])
    ]


@check("in_service_teacher", "現職教師（有服務學校與職稱代碼）")
def in_service_teacher(facts: TeacherFacts, params: dict, on_day: datetime.date) -> Outcome:
    if not facts.has_profile:
        return Outcome(False, "查無教師資料")
    if not facts.school:
        return Outcome(False, "查無服務學校資料")
    if not facts.title_code:
        return Outcome(False, "查無職稱代碼")
    return Outcome(True, f"服務學校：{facts.school}")


@check("formal_teacher", "現職正式教師（職稱代碼屬正式教師）")
def formal_teacher(facts: TeacherFacts, params: dict, on_day: datetime.date) -> Outcome:
    if not facts.has_profile or not facts.title_code:
        return Outcome(False, "查無職稱代碼")
    if not facts.title_code_known:
        return Outcome(False, f"職稱代碼 {facts.title_code} 尚未登錄於職稱代碼表")
    name = f"{facts.title_code}（{facts.title_name}）"
    if facts.is_formal_teacher:
        return Outcome(True, f"職稱代碼 {name}")
    return Outcome(False, f"職稱代碼 {name} 不屬正式教師")


@check("formal_years", "正式教師年資", Param("years", "years", "年數"))
def formal_years(facts: TeacherFacts, params: dict, on_day: datetime.date) -> Outcome:
    years = int(params.get("years") or 0)
    if facts.formal_since is None:
        return Outcome(False, "未填寫取得正式教師時間")
    full_on = add_years(facts.formal_since, years)
    since = format_day(facts.formal_since)
    if full_on <= on_day:
        return Outcome(True, f"取得正式教師時間 {since}，已滿{years}年")
    return Outcome(False, f"取得正式教師時間 {since}，{format_day(full_on)} 起滿{years}年")


@check("teaching_years", "實際教學年資", Param("years", "years", "年數"))
def teaching_years(facts: TeacherFacts, params: dict, on_day: datetime.date) -> Outcome:
    years = int(params.get("years") or 0)
    detail = f"實際教學年資 {facts.teaching_years} 年"
    return Outcome(
        facts.teaching_years >= years, detail if facts.teaching_years >= years else f"{detail}（需{years}年）"
    )


@check(
    "certificate_or_training",
    "持有證書，或一定學年度以後之培訓時數",
    Param("kind", "certificate_kind", "證書類別"),
    Param("categories", "categories", "培訓類別", required=False, help_text="不勾選表示只接受證書。"),
    Param("hours", "hours", "培訓時數", required=False, help_text="0 表示只接受證書。"),
    Param("from_academic_year", "academic_year", "培訓自學年度起", required=False, help_text="空白表示不限學年度。"),
)
def certificate_or_training(facts: TeacherFacts, params: dict, on_day: datetime.date) -> Outcome:
    kind = params.get("kind") or ""
    kind_label = facts.type_name(kind)
    held = [c for c in facts.certificates if c.kind == kind]
    if held:
        number = held[-1].number
        return Outcome(True, f"持有{kind_label}證號{f' {number}' if number else ''}")
    needed = Decimal(str(params.get("hours") or 0))
    categories = _categories(params)
    if needed <= 0 or not categories:
        return Outcome(False, f"查無{kind_label}證號")
    since = params.get("from_academic_year")
    hours = sum(
        (
            t.hours
            for t in facts.training
            if t.category in categories and t.completed_on <= on_day and (not since or t.academic_year >= int(since))
        ),
        Decimal(0),
    )
    scope = f"{since}學年度以後之" if since else ""
    detail = f"{scope}{_category_names(categories)} {format_hours(hours)} 小時"
    if hours >= needed:
        return Outcome(True, detail)
    return Outcome(False, f"查無{kind_label}證號；{detail}（需 {format_hours(needed)} 小時）")


@check(
    "certificate_renewable",
    "持有證書，且證書即將到期或已過期（換證）",
    Param("kind", "certificate_kind", "證書類別"),
    Param("months", "months", "到期前幾個月起可申請", help_text="例如 12：證書有效期限前12個月內或已過期者可申請。"),
)
def certificate_renewable(facts: TeacherFacts, params: dict, on_day: datetime.date) -> Outcome:
    """換證: the teacher's latest-ending certificate of the kind, not revoked, ends within `months`
    of `on_day` or has ended. One without an end date (imported from the old system) cannot be
    dated and fails with words saying so; a later certificate (already renewed) is the one read."""
    kind = params.get("kind") or ""
    kind_label = facts.type_name(kind)
    held = [c for c in facts.certificates if c.kind == kind and not c.revoked]
    if not held:
        return Outcome(False, f"查無有效之{kind_label}證號")
    if any(c.expires_on is None for c in held):
        undated = next(c for c in held if c.expires_on is None)
        return Outcome(False, f"{kind_label}證號 {undated.number} 無有效期限資料，請洽管理者")
    latest = max(held, key=lambda c: c.expires_on)
    months = int(params.get("months") or 0)
    opens_on = dates.add_months(latest.expires_on, -months)
    until = format_day(latest.expires_on)
    if latest.expires_on < on_day:
        return Outcome(True, f"{kind_label}證號 {latest.number} 已於 {until} 到期")
    if opens_on <= on_day:
        return Outcome(True, f"{kind_label}證號 {latest.number} 有效期限至 {until}")
    return Outcome(False, f"{kind_label}證號 {latest.number} 有效期限至 {until}，{format_day(opens_on)} 起可申請換證")


@check(
    "training_hours",
    "研習時數（依研習完成時間決定應達時數）",
    Param("categories", "categories", "研習類別"),
    Param("years_back", "years", "計入前幾學年度", help_text="0 表示只計認證時當學年度；1 表示含前1學年度。"),
    Param("windows", "windows", "研習期間與應達時數", help_text="研習期間的起訖日期可空白（不限）。"),
)
def training_hours(facts: TeacherFacts, params: dict, on_day: datetime.date) -> Outcome:
    """Hours of the counted categories in the counted academic years, against a threshold.

    The threshold depends on when the training took place (the seed: 18 hours from 108年7月,
    15 hours from 107年7月 to 108年6月, when the programme was shorter). We read "took place" as
    when the teacher completed it: the day of the latest counted course picks the window, and all
    counted hours are compared with that window's hours. So 15 hours finished in 2019-03 pass; a
    course added in 2019-08 moves the teacher into the 18-hour window for all their hours.
    The windows are parameters, so a county that reads its rule otherwise changes data, not code.
    """
    counted = _counted_training(facts, params, on_day)
    hours = sum((t.hours for t in counted), Decimal(0))
    windows = list(params.get("windows") or [])
    window_of = _window_containing(windows, counted[-1].completed_on if counted else on_day)
    if window_of is None and windows:
        # Nothing counted, or completed outside every window: the strictest threshold applies.
        window_of = max(windows, key=lambda w: Decimal(str(w.get("hours") or 0)))
    needed = Decimal(str(window_of.get("hours") or 0)) if window_of else Decimal(0)
    years = _years_window(on_day, params.get("years_back"))
    detail = f"{_describe_years(years) if years else ''}研習 {format_hours(hours)} 小時"
    completed_in_window = counted and window_of and _window_containing([window_of], counted[-1].completed_on)
    if completed_in_window and _describe_window(window_of):
        detail += f"（於{_describe_window(window_of)}完成）"
    detail += f"，需 {format_hours(needed)} 小時"
    return Outcome(bool(counted) and hours >= needed, detail)


def _window_containing(windows: list[dict], day: datetime.date) -> dict | None:
    for window in windows:
        start, end = _parse_day(window.get("from")), _parse_day(window.get("to"))
        if (start is None or start <= day) and (end is None or day <= end):
            return window
    return None


def _describe_window(window: dict) -> str:
    start, end = _parse_day(window.get("from")), _parse_day(window.get("to"))
    if start and end:
        return f"{format_day(start)}至{format_day(end)}"
    if start:
        return f"{format_day(start)}以後"
    if end:
        return f"{format_day(end)}以前"
    return ""


@check(
    "training_recent",
    "研習年度（只計認證時當學年度與前幾學年度之研習）",
    Param("categories", "categories", "研習類別"),
    Param("years_back", "years", "計入前幾學年度", help_text="0 表示只計認證時當學年度；1 表示含前1學年度。"),
)
def training_recent(facts: TeacherFacts, params: dict, on_day: datetime.date) -> Outcome:
    years = _years_window(on_day, params.get("years_back") or 0)
    counted = _counted_training(facts, {**params, "years_back": params.get("years_back") or 0}, on_day)
    if counted:
        found = sorted({t.academic_year for t in counted})
        return Outcome(True, "研習學年度：" + "、".join(str(year) for year in found))
    older = [t for t in facts.training if t.category in set(_categories(params)) and t.completed_on <= on_day]
    detail = f"{_describe_years(years)}無研習紀錄"
    if older:
        detail += f"（最近一筆為{max(t.academic_year for t in older)}學年度，不列計）"
    return Outcome(False, detail)


# --- picking the rules and evaluating ------------------------------------------------------


def applicable_rule_set(certification_type: CertificationType, county_id: int | None, year: int) -> RuleSet | None:
    """The rules in force for a teacher of `county_id` in academic year `year`.

    A county's own rules win over the national ones (依照縣市規定); within a scope the rules of
    the latest starting year in force win, and of those the newest version (a correction saved
    later for the same starting year replaces the earlier one).
    """
    scope = Q(county__isnull=True)
    if county_id is not None:
        scope |= Q(county_id=county_id)
    candidates = list(
        RuleSet.objects.filter(scope, certification_type=certification_type, from_academic_year__lte=year)
        .select_related("county")
        .order_by("-from_academic_year", "-version")
    )
    own = [rule_set for rule_set in candidates if rule_set.county_id is not None]
    return (own or candidates or [None])[0]


@dataclass(frozen=True)
class Row:
    code: str
    item: str
    condition: str
    passed: bool
    detail: str

    @property
    def message(self) -> str:
        return "" if self.passed else FAILURE_MESSAGE


@dataclass(frozen=True)
class Evaluation:
    certification_type: CertificationType
    on_day: datetime.date
    academic_year: int
    rule_set: RuleSet | None
    rows: tuple[Row, ...]
    record: dict

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(row.passed for row in self.rows)

    @property
    def failing_rows(self) -> list[Row]:
        return [row for row in self.rows if not row.passed]


def _run(rule: dict, facts: TeacherFacts, on_day: datetime.date) -> Outcome:
    registered = CHECKS.get(rule.get("check", ""))
    if registered is None:
        # A rule set naming a check this code does not know must refuse, never let everyone in.
        return Outcome(False, f"未知的檢核方式「{rule.get('check', '')}」，請洽管理者")
    return registered.function(facts, rule.get("params") or {}, on_day)


def evaluate(
    teacher, certification_type: CertificationType, on_day: datetime.date | None = None, route=None
) -> Evaluation:
    """Run the rules in force for `teacher` on `on_day` (today by default); for an application
    route (申請方式) that names some of the type's rules, those only."""
    on_day = on_day or dates.today()
    year = dates.academic_year(on_day)
    rule_set = applicable_rule_set(certification_type, teacher.county_id, year)
    rules = list(rule_set.rules) if rule_set else []
    if route is not None and route.rule_codes:
        rules = [rule for rule in rules if rule.get("code") in route.rule_codes]
    categories = {c for rule in rules for c in (rule.get("params") or {}).get("categories") or []}
    facts = load_facts(teacher, categories)
    if rule_set is None:
        rows = (Row("rule_set", "資格規則", f"{year}學年度尚未設定資格規則", False, "請洽管理者"),)
    else:
        rows = tuple(
            Row(rule.get("code", ""), rule.get("item", ""), rule.get("condition", ""), outcome.passed, outcome.detail)
            for rule in rules
            for outcome in [_run(rule, facts, on_day)]
        )
    record = {
        "evaluated_at": timezone.now().isoformat(),
        "on_day": on_day.isoformat(),
        "academic_year": year,
        "rule_set": None
        if rule_set is None
        else {
            "id": rule_set.pk,
            "version": rule_set.version,
            "from_academic_year": rule_set.from_academic_year,
            "county": rule_set.county.name if rule_set.county else None,
        },
        "inputs": facts.as_record(),
        "results": [
            {
                "code": row.code,
                "item": row.item,
                "condition": row.condition,
                "check": rule.get("check", ""),
                "params": rule.get("params") or {},
                "passed": row.passed,
                "detail": row.detail,
            }
            for row, rule in zip(rows, rules or [{}], strict=False)
        ],
        "passed": bool(rows) and all(row.passed for row in rows),
    }
    if route is not None:
        record["route"] = {
            "code": route.code,
            "name": route.name,
            "rule_codes": list(route.rule_codes),
            "slot_codes": list(route.slot_codes),
        }
    return Evaluation(certification_type, on_day, year, rule_set, rows, record)


def describe_params(rule: dict) -> list[tuple[str, str]]:
    """A rule's parameters as 管理者 reads them in the list of versions: (label, value) pairs."""
    spec = CHECKS.get(rule.get("check", ""))
    params = rule.get("params") or {}
    if spec is None:
        return [(key, str(value)) for key, value in params.items()]
    described = []
    for param in spec.params:
        value = params.get(param.name)
        if param.kind == "categories":
            text = _category_names(value or []) or "（未指定）"
        elif param.kind == "certificate_kind":
            text = CertificationType.objects.filter(code=value).values_list("short_name", flat=True).first() or str(
                value or ""
            )
        elif param.kind == "windows":
            text = "；".join(
                f"{_describe_window(window) or '不限期間'} {format_hours(window.get('hours') or 0)} 小時"
                for window in value or []
            )
        elif param.kind == "hours":
            text = f"{format_hours(value or 0)} 小時"
        elif param.kind == "months":
            text = f"{value or 0} 個月"
        elif value is None or value == "":
            text = "不限"
        else:
            text = str(value)
        described.append((param.label, text))
    return described
