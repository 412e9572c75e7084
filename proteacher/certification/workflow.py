"""The case's states and every way it moves between them (SPEC §6), as one table.

`transition()` is the only code that changes `Case.state`; `open_case()` is the only code that
creates a case. Both check, lock, write an immutable CaseEvent and hand the event to the
notification hooks in one transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from proteacher.accounts.models import Role, User
from proteacher.certification.models import Case, CaseEvent


class State:
    PREPARING = "preparing"
    FORMAL_REVIEW = "formal_review"
    FIRST_ASSIGN = "first_assign"
    FIRST_REVIEW = "first_review"
    FIRST_DECISION = "first_decision"
    FIRST_REVISION = "first_revision"
    FIRST_FAILED = "first_failed"
    SECOND_ASSIGN = "second_assign"
    SECOND_REVIEW = "second_review"
    SECOND_DECISION = "second_decision"
    SECOND_FAILED = "second_failed"
    APPEAL_INTAKE = "appeal_intake"
    APPEAL_REVISION = "appeal_revision"
    APPEAL_ASSIGN = "appeal_assign"
    APPEAL_REVIEW = "appeal_review"
    APPEAL_DECISION = "appeal_decision"
    PASSED = "passed"
    APPROVED = "approved"
    ISSUED = "issued"
    FAILED = "failed"


# The 狀態 label of each state, exactly as the seed shows it.
STATE_LABELS = {
    State.PREPARING: "準備資料",
    State.FORMAL_REVIEW: "形式審查",
    State.FIRST_ASSIGN: "初審分發委員",
    State.FIRST_REVIEW: "初審",
    State.FIRST_DECISION: "初審判定",
    State.FIRST_REVISION: "初審修正資料",
    State.FIRST_FAILED: "初審未通過",
    State.SECOND_ASSIGN: "複審分發委員",
    State.SECOND_REVIEW: "複審",
    State.SECOND_DECISION: "複審判定",
    State.SECOND_FAILED: "複審未通過",
    State.APPEAL_INTAKE: "申復審查 (受理中)",
    State.APPEAL_REVISION: "申復修正資料",
    State.APPEAL_ASSIGN: "申復分發委員",
    State.APPEAL_REVIEW: "申復審查",
    State.APPEAL_DECISION: "申復判定",
    State.PASSED: "通過",
    State.APPROVED: "通過可產證",
    State.ISSUED: "已發證",
    State.FAILED: "不合格",
}
STATE_CHOICES = list(STATE_LABELS.items())

# States in which the teacher may fill in and change the forms.
EDITABLE_STATES = frozenset({State.PREPARING, State.FIRST_REVISION, State.APPEAL_REVISION})
FINAL_STATES = frozenset({State.ISSUED, State.FAILED})

# Who acts. SYSTEM is the platform itself (the last review handed in, an appeal window closing).
TEACHER, COUNTY, ADMIN, REVIEWER, SYSTEM = Role.TEACHER, Role.COUNTY, Role.ADMIN, Role.REVIEWER, "system"
OFFICE = (COUNTY, ADMIN)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    label: str  # the button or decision as the seed words it
    # Returns why the action is unavailable now (shown beside the greyed button), or None.
    guard: Callable[[Case, User | None], str | None] | None = field(default=None, compare=False)


def _within_appeal_window(case: Case, actor: User | None) -> str | None:
    # 申復 is open until the deadline the failing decision set (review.appeals, Asia/Taipei); a
    # case without one (failed before deadlines were recorded) is not refused here.
    deadline = case.appeal_deadline
    if deadline is not None and timezone.now() > deadline:
        shown = timezone.localtime(deadline, timezone.get_default_timezone())
        return f"已超過申復期限（{shown:%Y-%m-%d %H:%M}）。"
    return None


TRANSITIONS: list[Transition] = [
    Transition("submit", (State.PREPARING,), State.FORMAL_REVIEW, (TEACHER,), "送出審查文件"),
    Transition("formal_pass", (State.FORMAL_REVIEW,), State.FIRST_ASSIGN, OFFICE, "通過 (準備分發委員)"),
    Transition("formal_return", (State.FORMAL_REVIEW,), State.PREPARING, OFFICE, "退件 (退回再編輯修正)"),
    Transition("assign_first", (State.FIRST_ASSIGN,), State.FIRST_REVIEW, OFFICE, "分發委員"),
    Transition("first_reviews_done", (State.FIRST_REVIEW,), State.FIRST_DECISION, (SYSTEM,), "委員審查完成"),
    Transition("first_pass", (State.FIRST_DECISION,), State.PASSED, OFFICE, "通過 / 修正後通過 (代表通過)"),
    Transition("first_revise", (State.FIRST_DECISION,), State.FIRST_REVISION, OFFICE, "修正後複審"),
    Transition("first_fail", (State.FIRST_DECISION,), State.FIRST_FAILED, OFFICE, "未通過 (可以申復)"),
    Transition("resubmit", (State.FIRST_REVISION,), State.SECOND_ASSIGN, (TEACHER,), "送出複審資料"),
    Transition("assign_second", (State.SECOND_ASSIGN,), State.SECOND_REVIEW, OFFICE, "分發委員"),
    Transition("second_reviews_done", (State.SECOND_REVIEW,), State.SECOND_DECISION, (SYSTEM,), "委員審查完成"),
    Transition("second_pass", (State.SECOND_DECISION,), State.PASSED, OFFICE, "通過"),
    Transition("second_fail", (State.SECOND_DECISION,), State.SECOND_FAILED, OFFICE, "未通過 (可申復)"),
    Transition(
        "appeal",
        (State.FIRST_FAILED, State.SECOND_FAILED),
        State.APPEAL_INTAKE,
        (TEACHER,),
        "申復",
        guard=_within_appeal_window,
    ),
    Transition("appeal_expire", (State.FIRST_FAILED, State.SECOND_FAILED), State.FAILED, (SYSTEM,), "申復期限已過"),
    Transition(
        "appeal_accept", (State.APPEAL_INTAKE,), State.APPEAL_REVISION, OFFICE, "申復申請案受理 (將進行申復審查)"
    ),
    Transition("appeal_reject", (State.APPEAL_INTAKE,), State.FAILED, OFFICE, "申復申請案未受理"),
    Transition("appeal_resubmit", (State.APPEAL_REVISION,), State.APPEAL_ASSIGN, (TEACHER,), "申復重新送審"),
    Transition("assign_appeal", (State.APPEAL_ASSIGN,), State.APPEAL_REVIEW, OFFICE, "分發委員"),
    Transition("appeal_reviews_done", (State.APPEAL_REVIEW,), State.APPEAL_DECISION, (SYSTEM,), "委員審查完成"),
    Transition("appeal_pass", (State.APPEAL_DECISION,), State.PASSED, OFFICE, "通過"),
    Transition("appeal_fail", (State.APPEAL_DECISION,), State.FAILED, OFFICE, "未通過"),
    Transition("approve", (State.PASSED,), State.APPROVED, (ADMIN,), "核定可產證"),
    Transition("issue", (State.APPROVED,), State.ISSUED, (ADMIN,), "發證"),
]
_BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}

# Actions' extra work inside the transaction, registered by the apps that own it
# (e.g. the forms check before 送出審查文件). Each receives (case, actor, data) and may raise
# WorkflowError to refuse; if you add one that writes elsewhere, it rolls back with the rest.
SIDE_EFFECTS: dict[str, list[Callable]] = {}
# Called after the state change with the new CaseEvent, still inside the transaction
# (notifications queue their messages here, so they exist exactly when the change does).
EVENT_LISTENERS: list[Callable[[CaseEvent], None]] = []


class WorkflowError(Exception):
    """An action the case cannot take now; `message` is what the user reads."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def register_side_effect(action: str, function: Callable) -> None:
    if function not in SIDE_EFFECTS.setdefault(action, []):
        SIDE_EFFECTS[action].append(function)


def label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def _role_of(actor: User | None) -> str:
    return SYSTEM if actor is None else actor.role


def _may_act_on(case: Case, actor: User | None, allowed_roles: tuple[str, ...]) -> bool:
    role = _role_of(actor)
    if role not in allowed_roles:
        return False
    if role == TEACHER:
        return case.teacher_id == actor.pk
    if role == COUNTY:
        return case.county_id is not None and case.county_id == actor.county_id
    return True


def unavailable_reason(case: Case, action: str, actor: User | None) -> str | None:
    """Why `actor` cannot take `action` on `case` now, or None when they can."""
    step = _BY_ACTION.get(action)
    if step is None:
        return "沒有這個操作。"
    if case.state not in step.sources:
        return f"此申請目前的狀態為「{label(case.state)}」，無法執行「{step.label}」。"
    if not _may_act_on(case, actor, step.roles):
        return "您沒有執行此操作的權限。"
    if step.guard is not None:
        return step.guard(case, actor)
    return None


def available_actions(case: Case, actor: User | None) -> list[tuple[Transition, str | None]]:
    """The actions this user may see for the case (their role acts in this state), each with the
    reason it is greyed out, or None when it can be taken now."""
    result = []
    for step in TRANSITIONS:
        if case.state in step.sources and _may_act_on(case, actor, step.roles):
            result.append((step, step.guard(case, actor) if step.guard else None))
    return result


def transition(
    case: Case, action: str, actor: User | None, *, expected_revision: int | None = None, reason: str = "", **data
) -> Case:
    """Move `case` by `action` taken by `actor` (None: the platform itself).

    One transaction: lock the case row, re-check state, role, page freshness and guard on the
    locked row, run the action's side effects, write the event, tell the listeners. Raises
    WorkflowError with the user's message and changes nothing when the action is not allowed.
    """
    with transaction.atomic():
        # The lock makes two officers, a double click or a stale tab wait here and then see the
        # state the first one left, so the checks below refuse them. Only the case row: locking
        # the joined type row too would make every case of a type wait for every other.
        locked = Case.objects.select_for_update(of=("self",)).select_related("certification_type").get(pk=case.pk)
        if expected_revision is not None and locked.revision != expected_revision:
            if locked.state != case.state:
                raise WorkflowError(f"此申請已經處理過，目前的狀態為「{label(locked.state)}」。")
            raise WorkflowError("此頁面的資料已經更新，請重新整理後再操作。")
        problem = unavailable_reason(locked, action, actor)
        if problem:
            raise WorkflowError(problem)
        step = _BY_ACTION[action]
        for effect in SIDE_EFFECTS.get(action, []):
            effect(locked, actor, data)
        now = timezone.now()
        from_state = locked.state
        locked.state = step.target
        locked.revision += 1
        locked.updated_at = now
        locked.save(update_fields=["state", "revision", "updated_at"])
        event = CaseEvent.objects.create(
            case=locked,
            actor=actor,
            at=now,
            action=action,
            from_state=from_state,
            to_state=step.target,
            reason=reason,
            extra={k: v for k, v in data.items() if isinstance(v, str | int | float | bool | list | dict | None)},
        )
        for listener in EVENT_LISTENERS:
            listener(event)
    case.state, case.revision, case.updated_at = locked.state, locked.revision, locked.updated_at
    return locked


def open_case(teacher: User, certification_type, academic_year: int, eligibility: dict) -> Case:
    """Create a teacher's case in 準備資料, with its first event, in one transaction."""
    profile = teacher.profile
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.create(
            teacher=teacher,
            certification_type=certification_type,
            academic_year=academic_year,
            state=State.PREPARING,
            school=profile.school,
            county_id=teacher.county_id,
            eligibility=eligibility,
            updated_at=now,
        )
        event = CaseEvent.objects.create(
            case=case, actor=teacher, at=now, action="apply", from_state="", to_state=State.PREPARING
        )
        for listener in EVENT_LISTENERS:
            listener(event)
    return case


def diagram() -> str:
    """The state diagram as Mermaid text, drawn from the table (docs/workflow.md embeds it)."""
    role_names = {TEACHER: "教師", COUNTY: "縣市", ADMIN: "管理者", REVIEWER: "委員", SYSTEM: "系統"}
    lines = ["stateDiagram-v2"]
    for state, text in STATE_LABELS.items():
        lines.append(f"    {state}: {text}")
    lines.append(f"    [*] --> {State.PREPARING}: 申請")
    for step in TRANSITIONS:
        who = "/".join(role_names[role] for role in step.roles)
        for source in step.sources:
            lines.append(f"    {source} --> {step.target}: {who} {step.label}")
    for state in sorted(FINAL_STATES):
        lines.append(f"    {state} --> [*]")
    return "\n".join(lines) + "\n"
