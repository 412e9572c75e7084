"""分發委員: who may review a case, how busy each 委員 is, and assigning them (one case or a whole queue).

A 委員 whose 可審類別 are listed (the reviewer roster, review.roster) is offered and accepted only
for cases of those types; a 委員 without any listed reviews every type.

A 委員 never reviews their own application or a colleague's: a reviewer who is the teacher (the
same account, or the same 全教網帳號) or whose 服務學校 is the case's school is refused, both when
the page offers reviewers and when the choice is posted. A round given fewer 委員 than the count
(REVIEWERS_PER_CASE) needs the officer's confirmation, which its event keeps (review.short_panels).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from proteacher.accounts.models import Role, User
from proteacher.audit import log as audit
from proteacher.certification import deadlines, workflow
from proteacher.certification.models import Case
from proteacher.documents.catalogue import UnknownTemplate, get_template
from proteacher.errors import DomainError
from proteacher.notifications import services as notifications
from proteacher.review import short_panels
from proteacher.review.models import Assignment, Reviewer
from proteacher.review.short_panels import Shortage, ShortPanel

# The states in which a round's 委員 are assigned (初審 / 複審 / 申復分發委員), in the table's order.
ASSIGN_STATES = tuple(state.code for state in workflow.STATES if state.stage == "assign")


def reviewers_per_case() -> int:
    """How many 委員 the pages suggest per case (REVIEWERS_PER_CASE, at least one)."""
    return max(1, int(getattr(settings, "REVIEWERS_PER_CASE", 2)))


def round_to_assign(case: Case) -> str | None:
    """The round whose 委員 the case waits for (its state is that round's 分發委員), or None."""
    spec = workflow.BY_STATE.get(case.state)
    return spec.round if spec is not None and spec.stage == "assign" else None


def not_assigning(case: Case) -> str:
    return f"此申請目前的狀態為「{workflow.label(case.state)}」，不在分發委員階段。"


def reviewer_record(user: User) -> Reviewer:
    """The 委員's Reviewer row, created on first need: 帳號管理 creates accounts without one."""
    return Reviewer.objects.get_or_create(user=user)[0]


def reviewer_users() -> QuerySet[User]:
    """Every active 委員 account, with its Reviewer row (if any) and school joined."""
    return (
        User.objects.filter(role=Role.REVIEWER, is_active=True)
        .select_related("reviewer__school__county")
        .prefetch_related("reviewer__certification_types")
        .order_by("name", "username", "pk")
    )


def assignable_reviewers() -> QuerySet[User]:
    """Active 委員 who may be given cases: no Reviewer row yet counts as 可分發."""
    return reviewer_users().filter(Q(reviewer__isnull=True) | Q(reviewer__is_active=True))


def reviewer_load(users=None) -> dict[int, int]:
    """Open load per 委員: assignments not yet submitted, across every case and round."""
    open_assignments = Assignment.objects.filter(submitted_at__isnull=True)
    if users is not None:
        open_assignments = open_assignments.filter(reviewer__in=[getattr(u, "pk", u) for u in users])
    return dict(open_assignments.values_list("reviewer").annotate(count=Count("id")).order_by())


def _record_of(user: User) -> Reviewer | None:
    """The Reviewer row joined by reviewer_users(), or None when the 委員 has none yet."""
    try:
        return user.reviewer
    except Reviewer.DoesNotExist:
        return None


def school_of(user: User):
    record = _record_of(user)
    return record.school if record is not None else None


def conflict(case: Case, user: User) -> str | None:
    """Why `user` may not review `case`, or None. Reads user.reviewer (join it) and case.teacher."""
    if user.pk == case.teacher_id:
        return "委員即為申請教師本人，不能審查自己的申請。"
    account = (user.inservice_account or "").strip().casefold()
    if account and account == (case.teacher.inservice_account or "").strip().casefold():
        return "委員即為申請教師本人（相同全教網帳號），不能審查自己的申請。"
    school = school_of(user)
    if school is not None and case.school_id is not None and school.pk == case.school_id:
        return f"委員服務於申請教師的學校（{school.name}），不能審查同校教師的申請。"
    return not_qualified(case, user)


def review_types(user: User) -> list:
    """The 委員's 可審類別 (reviewer_users() prefetches them); empty means any type."""
    record = _record_of(user)
    return list(record.certification_types.all()) if record is not None else []


def not_qualified(case: Case, user: User) -> str | None:
    """Why the 委員's 可審類別 leave out the case's type, or None (none listed: any type)."""
    types = review_types(user)
    if types and case.certification_type_id not in {kind.pk for kind in types}:
        names = "、".join(kind.name for kind in types)
        return f"委員的可審類別（{names}）不含「{case.certification_type.name}」。"
    return None


def unavailable(user: User) -> str | None:
    """Why a 委員 cannot be given any case now, or None."""
    if user.role != Role.REVIEWER or not user.is_active:
        return "此帳號不是可分發的審查委員。"
    record = _record_of(user)
    if record is not None and not record.is_active:
        return "此委員目前暫停分發。"
    return None


@dataclass
class ReviewerOption:
    """One 委員 on an assignment page: school, open load, and why they cannot be chosen (if so)."""

    user: User
    load: int
    reason: str | None = None
    suggested: bool = False

    @property
    def school(self):
        return school_of(self.user)

    @property
    def available(self) -> bool:
        return self.reason is None


def pick(candidates: list[User], loads: dict[int, int], count: int) -> list[User]:
    """The `count` least-loaded candidates; ties go by name, then account, so a run is repeatable."""
    ordered = sorted(candidates, key=lambda u: (loads.get(u.pk, 0), u.name or u.username, u.username, u.pk))
    return ordered[:count]


def reviewer_options(case: Case) -> list[ReviewerOption]:
    """Every active 委員 for the case's assign page, the conflicted ones with their reason."""
    users = list(reviewer_users())
    loads = reviewer_load()
    options = [ReviewerOption(user, loads.get(user.pk, 0), unavailable(user) or conflict(case, user)) for user in users]
    suggested = {u.pk for u in pick([o.user for o in options if o.available], loads, reviewers_per_case())}
    for option in options:
        option.suggested = option.user.pk in suggested
    return options


def excluded(case: Case, users: list[User]) -> list[tuple[User, str]]:
    """The 委員 among `users` who may not review `case`, each with the reason."""
    return [(user, reason) for user in users if (reason := unavailable(user) or conflict(case, user))]


def shortage(case: Case, users: list[User], required: int | None = None) -> Shortage | None:
    """Whether conflicts leave fewer than `required` of `users` for the case (every active 委員 on
    the one-case page, the chosen ones for a queue), and who is left out; None when enough remain."""
    required = reviewers_per_case() if required is None else required
    left_out = excluded(case, users)
    eligible = len(users) - len(left_out)
    return Shortage(case, required, eligible, left_out) if eligible < required else None


def _check_reviewers(case: Case, reviewers: list[User]) -> None:
    if not reviewers:
        raise DomainError("請至少選擇一位委員。")
    if len({u.pk for u in reviewers}) != len(reviewers):
        raise DomainError("同一位委員只能勾選一次。")
    for user in reviewers:
        reason = unavailable(user) or conflict(case, user)
        if reason:
            raise DomainError(f"「{user}」無法分發：{reason}")


def _short_panel(case: Case, reviewers: list[User], required: int, confirmed: bool, pool) -> dict | None:
    """Refuses fewer 委員 than `required` unless confirmed; what the event keeps of a confirmed one."""
    if len(reviewers) >= required:
        return None
    if not confirmed:
        raise ShortPanel(short_panels.refusal(len(reviewers), required))
    pool = list(reviewer_users() if pool is None else pool)
    left_out = excluded(case, pool)
    return short_panels.audit(required, len(reviewers), len(pool) - len(left_out), left_out)


def assign_reviewers(
    case: Case,
    round: str,
    reviewers: list[User],
    officer: User,
    expected_revision: int | None,
    *,
    required: int | None = None,
    short_confirmed: bool = False,
    pool: list[User] | None = None,
) -> list[Assignment]:
    """分發委員: give the case's `round` to `reviewers` and move it to that round's review, at once.

    Fewer 委員 than `required` (REVIEWERS_PER_CASE unless a queue says otherwise) are assigned only
    with `short_confirmed`; the event then keeps the count, the 委員 of `pool` (every active 委員
    unless a queue chose fewer) left out and why. The transition locks the case row and checks
    state, role, county and page freshness first, so a double click or a stale page is refused with
    its message before any row is written; the rows and the event commit together or not at all.
    """
    if round not in workflow.ROUNDS:
        raise DomainError("沒有這個審查階段。")
    reviewers = list(reviewers)
    _check_reviewers(case, reviewers)
    required = reviewers_per_case() if required is None else required
    short = _short_panel(case, reviewers, required, short_confirmed, pool)
    try:
        # The 審查標準表 the type names under 認證設定, as it is now; the assignment keeps its version.
        template = get_template(case.certification_type.review_template_code)
    except UnknownTemplate:
        raise DomainError(f"「{case.certification_type.name}」尚未設定審查標準表，無法分發委員。") from None
    try:
        with transaction.atomic():
            # 委員審查期限 of the case's period, counted from now (None: the period sets none).
            due_at = deadlines.review_due(case, timezone.now())
            workflow.transition(
                case,
                workflow.round_action(round, route="review:assign"),
                actor=officer,
                expected_revision=expected_revision,
                reviewers=[u.pk for u in reviewers],
                **({"short_panel": short} if short else {}),
            )
            for user in reviewers:
                reviewer_record(user)
            return Assignment.objects.bulk_create(
                Assignment(
                    case=case,
                    round=round,
                    reviewer=user,
                    assigned_by=officer,
                    template_code=template.code,
                    template_version=template.version,
                    due_at=due_at,
                )
                for user in reviewers
            )
    except IntegrityError:
        # The unique (case, round, reviewer) constraint: only a race the case lock did not cover.
        raise DomainError("此申請已經分發過委員，請重新整理後再確認。") from None


@dataclass
class QueueResult:
    case: Case
    reviewers: list[User] = field(default_factory=list)
    error: str = ""


@dataclass
class QueueRun:
    results: list[QueueResult]
    loads: dict[int, int]
    reviewers: list[User]
    per_case: int = 0

    @property
    def assigned(self) -> int:
        return sum(1 for r in self.results if not r.error)

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.results if r.error)


def assign_queue(
    cases, reviewers: list[User], officer: User, per_case: int | None = None, *, short_confirmed: bool = False
) -> QueueRun:
    """Assign a whole queue at once with balanced load.

    Each case gets `per_case` 委員, chosen greedily among `reviewers` by the lowest open load
    (counting what this run has already given), without conflict for that case; ties by name.
    When conflicts leave a case fewer than `per_case`, nothing is assigned (ShortPanel names those
    cases) unless `short_confirmed`: then such a case gets the 委員 it may have.
    Each case is its own transaction: a case without any 委員 free of conflict, or changed by
    someone else meanwhile, is reported and skipped, and the rest proceed.
    """
    per_case = reviewers_per_case() if per_case is None else per_case
    if per_case < 1:
        raise DomainError("每案至少分發一位委員。")
    reviewers = list(reviewers)
    if not reviewers:
        raise DomainError("請至少選擇一位委員。")
    for user in reviewers:
        reason = unavailable(user)
        if reason:
            raise DomainError(f"「{user}」無法分發：{reason}")
    cases = list(cases)
    short = [found for case in cases if round_to_assign(case) and (found := shortage(case, reviewers, per_case))]
    if short and not short_confirmed:
        raise ShortPanel(short_panels.queue_refusal(len(short), per_case), short)
    loads = {u.pk: 0 for u in reviewers} | reviewer_load(reviewers)
    results = []
    for case in cases:
        round = round_to_assign(case)
        if round is None:
            results.append(QueueResult(case, error=not_assigning(case)))
            continue
        free = [u for u in reviewers if conflict(case, u) is None]
        if not free:
            blocked = "、".join(f"{u}（{conflict(case, u)}）" for u in reviewers)
            results.append(QueueResult(case, error=f"沒有可分發的委員：{blocked}"))
            continue
        chosen = pick(free, loads, per_case)
        try:
            assign_reviewers(
                case,
                round,
                chosen,
                officer,
                expected_revision=case.revision,
                required=per_case,
                short_confirmed=short_confirmed,
                pool=reviewers,
            )
        except DomainError as refusal:
            results.append(QueueResult(case, error=refusal.message))
            continue
        for user in chosen:
            loads[user.pk] = loads.get(user.pk, 0) + 1
        results.append(QueueResult(case, reviewers=chosen))
    return QueueRun(results=results, loads=loads, reviewers=reviewers, per_case=per_case)


def update_reviewer(user: User, *, school, is_active: bool, actor: User | None = None) -> Reviewer:
    """管理者 (`actor`) sets a 委員's 服務學校 and whether they may be given cases."""
    if user.role != Role.REVIEWER:
        raise DomainError("此帳號不是審查委員。")
    with transaction.atomic():
        record = Reviewer.objects.select_for_update().get_or_create(user=user)[0]
        was = {"school": record.school.name if record.school else "", "is_active": record.is_active}
        record.school = school
        record.is_active = is_active
        record.save(update_fields=["school", "is_active"])
        now = {"school": school.name if school else "", "is_active": is_active}
        audit.record(
            "staff.change",
            actor=actor,
            target=f"審查委員：{user.name or user.username}（{user.username}）",
            data={"account": user.pk, "change": "reviewer", "before": was, "after": now},
        )
    return record


DUE_NOT_OPEN = "此委員已送出審查標準表，無須延長審查期限。"
DUE_NOT_SET = "此分發沒有審查期限可延長。"
DUE_NOT_LATER = "新的審查期限須晚於原期限（{old}）與現在。"
DUE_REASON = "延長審查期限請填寫原因訊息。"
DUE_TITLE = "{short}審查期限已延長"
DUE_BODY = "分發給您的{type}（{year}學年度 {round}）審查期限已延長為 {deadline}。\n原因：{reason}"


def extend_due(assignment: Assignment, officer: User, new_due, reason: str) -> Assignment:
    """延長委員審查期限: one 委員's date for one case, later, with the reason; the 委員 is told, the
    audit entry keeps the old and new date, and the reminders follow the new date (it is in
    their key). The case row is locked, as for every change of its review."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(DUE_REASON)
    with transaction.atomic():
        Case.objects.select_for_update(of=("self",)).filter(pk=assignment.case_id).order_by().first()
        assignment = Assignment.objects.select_related("case__certification_type", "reviewer").get(pk=assignment.pk)
        if assignment.submitted_at is not None:
            raise DomainError(DUE_NOT_OPEN)
        old = assignment.due_at
        if old is None:
            raise DomainError(DUE_NOT_SET)
        if new_due <= old or new_due <= timezone.now():
            raise DomainError(DUE_NOT_LATER.format(old=deadlines.format_deadline(old)))
        assignment.due_at = new_due
        assignment.save(update_fields=["due_at"])
        case, kind = assignment.case, assignment.case.certification_type
        shown = deadlines.format_deadline(new_due)
        notifications.notify(
            assignment.reviewer,
            DUE_TITLE.format(short=kind.short_name),
            DUE_BODY.format(
                type=kind.name,
                year=case.academic_year,
                round=assignment.get_round_display(),
                deadline=shown,
                reason=reason,
            ),
            case=case,
        )
        audit.record(
            "review.extend_due",
            actor=officer,
            subject=case.teacher,
            case=case,
            target=f"{assignment.reviewer.name} {deadlines.format_deadline(old)} → {shown}",
            data={"assignment": assignment.pk, "old": old.isoformat(), "new": new_due.isoformat(), "reason": reason},
        )
    return assignment
