"""One generated academic year of cases, for 統計 and for trying the back office with a full year.

Each case walks the workflow table (certification.workflow) from 準備資料 with fixed odds per state,
so every state and every event is one the table allows; the walk stops at random or when the next
step would be later than now. Alongside the events it writes what the steps leave behind: 形式審查表,
two 委員 per round (their 審查標準表 submitted before the round's 委員審查完成; some still open, some
of them overdue), appeals, and for 已發證 the certificate number and the 數位研習證明.

Rows are written with bulk inserts, not through transition(): a year of 2,000 cases takes seconds.
It is data for development and demonstration only (the command refuses to run without DEBUG), and
it is deterministic: the same year, count and seed give the same cases.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from proteacher.accounts.models import Role, TeacherProfile, User
from proteacher.certification import certificates, state_counts, workflow
from proteacher.certification.models import (
    Case,
    CaseEvent,
    Certificate,
    CertificateSerial,
    CertificationType,
    TrainingCertificate,
)
from proteacher.dates import academic_year_bounds
from proteacher.documents.catalogue import get_template
from proteacher.registry.models import County, School, TitleCode
from proteacher.review.models import Appeal, Assignment, FormalReview, Reviewer

State = workflow.State

# From each state: (action, chance in 100); what is left to 100 is the chance the case stays there.
WALK: dict[str, list[tuple[str, int]]] = {
    State.PREPARING: [("submit", 85)],
    State.FORMAL_REVIEW: [("formal_pass", 78), ("formal_return", 14)],
    State.FIRST_ASSIGN: [("assign_first", 92)],
    State.FIRST_REVIEW: [("first_reviews_done", 85)],
    State.FIRST_DECISION: [("first_pass", 58), ("first_revise", 22), ("first_fail", 16)],
    State.FIRST_REVISION: [("resubmit", 82)],
    State.FIRST_FAILED: [("appeal", 40), ("appeal_expire", 52)],
    State.SECOND_ASSIGN: [("assign_second", 92)],
    State.SECOND_REVIEW: [("second_reviews_done", 85)],
    State.SECOND_DECISION: [("second_pass", 68), ("second_fail", 27)],
    State.SECOND_FAILED: [("appeal", 40), ("appeal_expire", 52)],
    State.APPEAL_INTAKE: [("appeal_accept", 62), ("appeal_reject", 30)],
    State.APPEAL_REVISION: [("appeal_resubmit", 85)],
    State.APPEAL_ASSIGN: [("assign_appeal", 92)],
    State.APPEAL_REVIEW: [("appeal_reviews_done", 85)],
    State.APPEAL_DECISION: [("appeal_pass", 55), ("appeal_fail", 40)],
    State.PASSED: [("approve", 78)],
    State.APPROVED: [("issue", 88)],
}
# Days from the step before to this one: (least, most).
GAPS: dict[str, tuple[int, int]] = {
    "submit": (7, 70),
    "formal_pass": (1, 21),
    "formal_return": (1, 14),
    "assign_first": (1, 10),
    "first_reviews_done": (5, 35),
    "first_pass": (1, 12),
    "first_revise": (1, 12),
    "first_fail": (1, 12),
    "resubmit": (5, 30),
    "assign_second": (1, 10),
    "second_reviews_done": (5, 30),
    "second_pass": (1, 10),
    "second_fail": (1, 10),
    "appeal": (1, 9),
    "appeal_expire": (10, 11),
    "appeal_accept": (1, 7),
    "appeal_reject": (1, 7),
    "appeal_resubmit": (5, 20),
    "assign_appeal": (1, 7),
    "appeal_reviews_done": (5, 25),
    "appeal_pass": (1, 7),
    "appeal_fail": (1, 7),
    "approve": (10, 40),
    "issue": (5, 30),
}
# 退件 at most this often per case (then the officer lets it through).
MAX_RETURNS = 2
# Cases per type out of ten: 初階 4, 進階 5, 教學輔導教師 1.
TYPE_MIX = ["basic"] * 4 + ["advanced"] * 5 + ["mentor"]
REVIEWER_POOL = 40
REVIEWERS_PER_ROUND = 2
SCHOOLS_PER_COUNTY = 6
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
GIVEN = "怡君雅婷志明淑芬家豪俊傑美玲建宏佳穎宗翰欣怡承恩詠晴"
OFFICE_USERNAME = "gen-office"
REVIEWER_USERNAME = "gen-reviewer{number:02d}"


class AlreadyGenerated(Exception):
    pass


@dataclass
class Summary:
    cases: int = 0
    events: int = 0
    assignments: int = 0
    certificates: int = 0
    states: Counter = field(default_factory=Counter)


def teacher_prefix(year: int, seed: int) -> str:
    return f"gen{year}-{seed}:"


def _walk(
    rng: random.Random, applied: datetime.datetime, cap: datetime.datetime
) -> list[tuple[str, datetime.datetime]]:
    """The case's steps after 申請: (action, moment), each later than the one before and not after cap."""
    steps, state, at, returns = [], State.PREPARING, applied, 0
    while state in WALK:
        roll, chosen = rng.randrange(100), None
        for action, chance in WALK[state]:
            if roll < chance:
                chosen = action
                break
            roll -= chance
        if chosen is None or (chosen == "formal_return" and returns >= MAX_RETURNS):
            break
        least, most = GAPS[chosen]
        at = at + datetime.timedelta(seconds=rng.randint(least * 86400, most * 86400))
        if at > cap:
            break
        returns += chosen == "formal_return"
        steps.append((chosen, at))
        state = workflow.BY_ACTION[chosen].target
    return steps


def _between(rng: random.Random, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
    span = max(int((end - start).total_seconds()), 0)
    return start + datetime.timedelta(seconds=rng.randint(0, span))


def _schools() -> list[School]:
    """Enough schools in every county (the samples hold a few): missing ones are added by name."""
    counties = list(County.objects.order_by("sort_order", "code"))
    have = Counter(School.objects.values_list("county_id", flat=True))
    for county in counties:
        for number in range(have[county.pk], SCHOOLS_PER_COUNTY):
            code = f"G{county.code[-3:]}{number:02d}"
            if not School.objects.filter(code=code).exists():
                School.objects.create(code=code, name=f"{county.name}立模擬第{number + 1}國民小學", county=county)
    return list(School.objects.select_related("county").order_by("code"))


def _reviewers(rng: random.Random, schools: list[School]) -> list[int]:
    unusable = make_password(None)
    pool = []
    for number in range(REVIEWER_POOL):
        username = REVIEWER_USERNAME.format(number=number)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username,
                password=unusable,
                role=Role.REVIEWER,
                name=f"{SURNAMES[number % len(SURNAMES)]}委員{number + 1:02d}",
                email=f"{username}@proteacher.example.tw",
            )
        Reviewer.objects.get_or_create(user=user, defaults={"school": rng.choice(schools)})
        pool.append(user.pk)
    return pool


def _office() -> User:
    """Who takes the office's steps: a 管理者 of the platform, or one made for the purpose (it cannot sign in)."""
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is not None:
        return admin
    return User.objects.create(
        username=OFFICE_USERNAME,
        password=make_password(None),
        role=Role.ADMIN,
        name="模擬資料工作小組",
        email=f"{OFFICE_USERNAME}@proteacher.example.tw",
    )


def generate(year: int, count: int, seed: int, now: datetime.datetime | None = None) -> Summary:
    """Add `count` cases of academic year `year` (call inside a transaction)."""
    now = (now or timezone.now()).replace(microsecond=0)
    start_day, _ = academic_year_bounds(year)
    year_start = timezone.make_aware(datetime.datetime.combine(start_day, datetime.time(8)))
    if year_start >= now:
        raise ValueError(f"{year}學年度尚未開始，無法產生。")
    prefix = teacher_prefix(year, seed)
    if User.objects.filter(username__startswith=prefix).exists():
        raise AlreadyGenerated(f"{year}學年度（seed {seed}）已產生過；請換一個 --seed 或另一個學年度。")
    rng = random.Random(f"{year}:{seed}")  # nosec B311 # made-up cases, repeatable by seed: no secret
    schools = _schools()
    # Their own generator: the pool is made once, and the cases come out the same either way.
    pool = _reviewers(random.Random("reviewers"), schools)  # nosec B311 # made-up 委員: no secret
    reviewer_school = dict(Reviewer.objects.filter(user_id__in=pool).values_list("user_id", "school_id"))
    office = _office()
    types = {kind.code: kind for kind in CertificationType.objects.all()}
    title_code, _ = TitleCode.objects.get_or_create(code="8", defaults={"name": "專任教師", "is_formal_teacher": True})
    # Most cases in the first months of the year; none later than a week before now.
    latest_apply = min(year_start + datetime.timedelta(days=240), now - datetime.timedelta(days=7))
    latest_apply = max(latest_apply, year_start)

    plans = []
    for number in range(count):
        school = rng.choice(schools)
        applied = _between(rng, year_start, latest_apply)
        plans.append(
            {
                "number": number,
                "school": school,
                "type": types[TYPE_MIX[rng.randrange(len(TYPE_MIX))]],
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2]),
                "applied": applied,
                "steps": _walk(rng, applied, now),
            }
        )

    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"{prefix}t{plan['number']:05d}",
                password=unusable,
                role=Role.TEACHER,
                name=plan["name"],
                inservice_account=f"{prefix}t{plan['number']:05d}",
                county_id=plan["school"].county_id,
                email=f"g{year}s{seed}t{plan['number']:05d}@school.example.tw",
                date_joined=plan["applied"],
            )
            for plan in plans
        ],
        batch_size=1000,
    )
    teacher_of = dict(User.objects.filter(username__startswith=prefix).values_list("username", "pk"))
    for plan in plans:
        plan["teacher_id"] = teacher_of[f"{prefix}t{plan['number']:05d}"]
    TeacherProfile.objects.bulk_create(
        [
            TeacherProfile(
                user_id=plan["teacher_id"],
                school=plan["school"],
                school_name=plan["school"].name,
                county_name=plan["school"].county.name,
                title_code=title_code,
                title_code_value="8",
                levels=["國小"],
                domains=["語文"],
                formal_since=datetime.date(2012, 8, 1),
                teaching_years=10,
                email_verified_at=plan["applied"],
                verified_at=plan["applied"],
                old_data_decision="none",
            )
            for plan in plans
        ],
        batch_size=1000,
    )

    cases = []
    for plan in plans:
        steps = plan["steps"]
        state = workflow.BY_ACTION[steps[-1][0]].target if steps else State.PREPARING
        last = steps[-1][1] if steps else plan["applied"]
        deadline = None
        if state in workflow.APPEALABLE_STATES:
            deadline = last + datetime.timedelta(days=10)
        cases.append(
            Case(
                teacher_id=plan["teacher_id"],
                certification_type=plan["type"],
                academic_year=year,
                state=state,
                school=plan["school"],
                county_id=plan["school"].county_id,
                eligibility={"result": "pass", "made_by": "generate_year"},
                updated_at=last,
                revision=len(steps),
                appeal_deadline=deadline,
            )
        )
    Case.objects.bulk_create(cases, batch_size=1000)
    case_of = dict(
        Case.objects.filter(teacher_id__in=teacher_of.values(), academic_year=year).values_list("teacher_id", "pk")
    )
    created = []
    for plan, case in zip(plans, cases, strict=True):
        case.pk = case_of[plan["teacher_id"]]
        # auto_now_add stamped the insert; a generated case was opened when its teacher applied.
        case.created_at = plan["applied"]
        created.append(case)
    Case.objects.bulk_update(created, ["created_at"], batch_size=1000)

    events, formal, assignments, appeals, issued = [], [], [], [], []
    summary = Summary(cases=len(plans))
    for plan, case in zip(plans, created, strict=True):
        summary.states[case.state] += 1
        events.append(
            CaseEvent(
                case_id=case.pk,
                actor_id=plan["teacher_id"],
                at=plan["applied"],
                action=workflow.OPENING.action,
                to_state=State.PREPARING,
            )
        )
        steps = plan["steps"]
        state = State.PREPARING
        for index, (action, at) in enumerate(steps):
            step = workflow.BY_ACTION[action]
            following = steps[index + 1] if index + 1 < len(steps) else None
            actor = plan["teacher_id"] if workflow.TEACHER in step.roles else None
            if set(step.roles) & set(workflow.OFFICE):
                actor = office.pk
            extra = {}
            if action in ("formal_pass", "formal_return"):
                passed = action == "formal_pass"
                reason = "" if passed else "觀察紀錄表缺少核章，請補正。"
                formal.append(
                    FormalReview(case_id=case.pk, officer=office, created_at=at, passed=passed, reason=reason)
                )
            if action.startswith("assign_"):
                assignments.extend(
                    _assignments(rng, case, plan, step.round, at, following, now, pool, reviewer_school, office)
                )
                extra = {"reviewers": REVIEWERS_PER_ROUND}
            if action == "appeal":
                appeals.append(_appeal(case, state, at, following))
            if action == "issue":
                issued.append((case, plan, at))
            events.append(
                CaseEvent(
                    case_id=case.pk,
                    actor_id=actor,
                    at=at,
                    action=action,
                    from_state=state,
                    to_state=step.target,
                    reason="" if not step.reason_required else "依審查意見判定。",
                    extra=extra,
                )
            )
            state = step.target
    numbers = _certificates(issued, year)
    for event in events:
        if event.action == "issue":
            event.extra = {"certificate_number": numbers[event.case_id]}
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    FormalReview.objects.bulk_create(formal, batch_size=1000)
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    Appeal.objects.bulk_create(appeals, batch_size=1000)
    # Cases written here, not by the workflow, are counted again for the 認證審查 tabs.
    state_counts.rebuild()
    summary.events = len(events)
    summary.assignments = len(assignments)
    summary.certificates = len(numbers)
    return summary


def _assignments(rng, case, plan, round_code, at, following, now, pool, reviewer_school, office) -> list[Assignment]:
    """The round's 委員 (never of the teacher's school). All submitted by the round's 委員審查完成;
    while the round is still under review, at most one of them has submitted."""
    kind = plan["type"]
    template_code, template_version = _review_template(kind)
    chosen = []
    while len(chosen) < REVIEWERS_PER_ROUND:
        candidate = rng.choice(pool)
        if candidate not in chosen and reviewer_school.get(candidate) != case.school_id:
            chosen.append(candidate)
    done_at = following[1] if following and following[0].endswith("_reviews_done") else None
    rows = []
    for index, reviewer_id in enumerate(chosen):
        submitted = None
        if done_at is not None:
            submitted = done_at if index == len(chosen) - 1 else _between(rng, at, done_at)
        elif index == 0 and rng.random() < 0.3:
            submitted = _between(rng, at, now)
        recommendation = rng.choice(["pass", "pass", "revise", "fail"]) if submitted else ""
        rows.append(
            Assignment(
                case_id=case.pk,
                round=round_code,
                reviewer_id=reviewer_id,
                assigned_by=office,
                assigned_at=at,
                template_code=template_code,
                template_version=template_version,
                data={"recommendation": recommendation} if submitted else {},
                recommendation=recommendation,
                submitted_at=submitted,
                revision=1 if submitted else 0,
            )
        )
    return rows


_templates: dict[int, tuple[str, int]] = {}


def _review_template(kind: CertificationType) -> tuple[str, int]:
    if kind.pk not in _templates:
        template = get_template(kind.review_template_code)
        _templates[kind.pk] = (template.code, template.version)
    return _templates[kind.pk]


def _appeal(case, state, at, following) -> Appeal:
    accepted, decided = None, None
    if following and following[0] in ("appeal_accept", "appeal_reject"):
        accepted, decided = following[0] == "appeal_accept", following[1]
    return Appeal(
        case_id=case.pk,
        round=workflow.BY_STATE[state].round,
        filed_at=at,
        updated_at=at,
        revision=1,
        is_complete=True,
        data={"opinion": "審查意見所指之觀察紀錄已於附件補充說明。"},
        accepted=accepted,
        decided_at=decided,
    )


def _certificates(issued, year: int) -> dict[int, str]:
    """Number the 已發證 cases in the order they were issued, after the serials already handed out."""
    numbers = {}
    counters = {}
    certificates_, trainings = [], []
    for case, plan, at in sorted(issued, key=lambda item: (item[2], item[0].pk)):
        kind = plan["type"]
        key = (case.county_id, kind.pk)
        if key not in counters:
            counters[key], _ = CertificateSerial.objects.get_or_create(
                county_id=case.county_id, certification_type=kind, academic_year=year
            )
        counter = counters[key]
        counter.last_serial += 1
        number = certificates.certificate_number(
            plan["school"].county.short_name, kind.certificate_letter, year, counter.last_serial
        )
        numbers[case.pk] = number
        certificates_.append(
            Certificate(
                teacher_id=case.teacher_id,
                certification_type=kind,
                academic_year=year,
                number=number,
                issued_at=at,
                source=Certificate.Source.ISSUED,
                case_id=case.pk,
                county_id=case.county_id,
                serial=counter.last_serial,
                expires_on=certificates.valid_through(at, kind.validity_years),
            )
        )
        trainings.append(
            TrainingCertificate(
                teacher_id=case.teacher_id,
                case_id=case.pk,
                title=certificates.training_certificate_title(kind),
                issued_at=at,
            )
        )
    for counter in counters.values():
        counter.save(update_fields=["last_serial"])
    Certificate.objects.bulk_create(certificates_, batch_size=1000)
    TrainingCertificate.objects.bulk_create(trainings, batch_size=1000)
    return numbers
