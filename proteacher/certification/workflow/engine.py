"""Moving a case by the rows of table.py: `transition()` is the only code that changes Case.state,
`open_case()` the only code that creates a case.

One transaction each: lock the case row, check the page's freshness, the row's roles, state and
guards, the 原因訊息 and the row's checks; write the state and the row's effects; write the
immutable CaseEvent and its audit entry; queue the row's 訊息通知 for whoever it names. The emails
leave after commit (the outbox's worker), so a message exists exactly when the change does.
"""

from django.db import transaction
from django.utils import timezone

from proteacher.accounts.models import Role, User
from proteacher.audit.log import record
from proteacher.certification import state_counts
from proteacher.certification.deadlines import format_deadline
from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import table
from proteacher.certification.workflow.table import SILENT, Change, Notice, To, Transition, label
from proteacher.errors import DomainError
from proteacher.notifications import services as notifications
from proteacher.text import clean_text

HANDLED = "此申請已經處理過，目前的狀態為「{state}」。"
STALE_PAGE = "此頁面的資料已經更新，請重新整理後再操作。"
NO_SUCH_ACTION = "沒有這個操作。"
NOT_ALLOWED = "您沒有執行此操作的權限。"
WRONG_STATE = "此申請目前的狀態為「{state}」，無法執行「{label}」。"


# --- who may act --------------------------------------------------------------------------------------


def _role_of(actor: User | None) -> str:
    return table.SYSTEM if actor is None else actor.role


def _may_act_on(case: Case, actor: User | None, allowed_roles: tuple[str, ...]) -> bool:
    role = _role_of(actor)
    if role not in allowed_roles:
        return False
    if role == table.TEACHER:
        return case.teacher_id == actor.pk
    if role == table.COUNTY:
        return case.county_id is not None and case.county_id == actor.county_id
    return True


def _guarded(case: Case, step: Transition, actor: User | None) -> str | None:
    for guard in step.guards:
        reason = guard(case, actor)
        if reason:
            return reason
    return None


def unavailable_reason(case: Case, action: str, actor: User | None) -> str | None:
    """Why `actor` cannot take `action` on `case` now, or None when they can."""
    step = table.BY_ACTION.get(action)
    if step is None:
        return NO_SUCH_ACTION
    if case.state not in step.sources:
        return WRONG_STATE.format(state=label(case.state), label=step.label)
    if not _may_act_on(case, actor, step.roles):
        return NOT_ALLOWED
    return _guarded(case, step, actor)


def available_actions(case: Case, actor: User | None) -> list[tuple[Transition, str | None]]:
    """The actions this user may see for the case (their role acts in this state), each with the
    reason it is greyed out, or None when it can be taken now."""
    return [
        (step, _guarded(case, step, actor))
        for step in table.TRANSITIONS
        if case.state in step.sources and _may_act_on(case, actor, step.roles)
    ]


# --- moving a case ------------------------------------------------------------------------------------


def transition(
    case: Case,
    action: str,
    *,
    actor: User | None,
    expected_state: str | None = None,
    expected_revision: int | None = None,
    reason: str = "",
    **data,
) -> Case:
    """Move `case` by `action`, taken by `actor` (None: the platform itself).

    `expected_state` and `expected_revision` are what the page showed: a case someone else has
    moved since is refused as handled (此申請已經處理過), one merely changed as a stale page. `data`
    is what the page posted for the row's checks and effects; its JSON values are kept on the
    event. Raises DomainError with the user's message and changes nothing when refused. The given
    case object follows the change (state, revision, 最後更新時間); the locked one is returned.
    """
    with transaction.atomic():
        # The lock makes two officers, a double click or a stale tab wait here and then see the
        # state the first one left, so the checks below refuse them. Only the case row: locking
        # the joined type row too would make every case of a type wait for every other. The
        # teacher (whom nearly every row's notice names) and the county (numbering) come with it,
        # read in the same query instead of one each (a batch of 發證 moves thousands of cases).
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("certification_type", "teacher", "county")
            .get(pk=case.pk)
        )
        shown_state = expected_state or case.state
        if expected_state is not None and locked.state != expected_state:
            raise DomainError(HANDLED.format(state=label(locked.state)))
        if expected_revision is not None and locked.revision != expected_revision:
            if locked.state != shown_state:
                raise DomainError(HANDLED.format(state=label(locked.state)))
            raise DomainError(STALE_PAGE)
        problem = unavailable_reason(locked, action, actor)
        if problem:
            raise DomainError(problem)
        step = table.BY_ACTION[action]
        reason = clean_text(reason).strip()
        if step.reason_required and not reason:
            raise DomainError(step.reason_required.format(label=step.label))
        change = Change(case=locked, actor=actor, step=step, reason=reason, data=data, at=timezone.now())
        for check in step.checks:
            check(change)
        from_state = locked.state
        locked.state = step.target
        locked.revision += 1
        locked.updated_at = change.at
        locked.save(update_fields=["state", "revision", "updated_at"])
        for effect in step.effects:
            effect(change)
        event = CaseEvent.objects.create(
            case=locked,
            actor=actor,
            at=change.at,
            action=action,
            from_state=from_state,
            to_state=step.target,
            reason=reason,
            extra={
                k: v for k, v in change.data.items() if isinstance(v, str | int | float | bool | list | dict | None)
            },
        )
        _audit(event, step.label, teacher_id=locked.teacher_id)
        _tell(event, step.notice)
        # Last: the counts' rows are shared by every case of the county, type and year, so they
        # are held only until the commit that follows.
        state_counts.moved(locked, from_state, step.target)
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
            state=table.OPENING.target,
            school=profile.school,
            county_id=teacher.county_id,
            eligibility=eligibility,
            updated_at=now,
        )
        event = CaseEvent.objects.create(
            case=case, actor=teacher, at=now, action=table.OPENING.action, from_state="", to_state=table.OPENING.target
        )
        _audit(event, table.OPENING.label, teacher_id=teacher.pk)
        _tell(event, table.OPENING.notice)
        state_counts.opened(case)
    return case


def _audit(event: CaseEvent, step_label: str, *, teacher_id: int) -> None:
    """The audit log's entry of a change, beside its CaseEvent and in its transaction (稽核紀錄
    lists every change of every kind in one place; the case's history stays the CaseEvents)."""
    moved = f"{label(event.from_state)} → {label(event.to_state)}" if event.from_state else label(event.to_state)
    record(
        "case.transition",
        actor=event.actor,
        subject=teacher_id,
        case=event.case_id,
        target=f"{step_label}（{moved}）",
        data={"action": event.action, "from": event.from_state, "to": event.to_state, "event": event.pk},
        at=event.at,
    )


# --- telling people -------------------------------------------------------------------------------------


def render_notice(notice: Notice, certification_type, reason: str = "", appeal_deadline=None) -> tuple[str, str]:
    """(title, body) of a notice for a case of `certification_type`, with the 原因 and 申復期限
    lines the notice asks for."""
    names = {
        "type": certification_type.name,
        "short": certification_type.short_name,
        "training": certification_type.training_name,
    }
    body = notice.body.format(**names)
    if notice.shows_appeal_deadline and appeal_deadline is not None:
        # Taipei time whatever the worker's or the request's time zone: the teacher's clock.
        body += table.APPEAL_DEADLINE_LINE.format(deadline=format_deadline(appeal_deadline))
    if notice.shows_reason and reason.strip():
        body += table.REASON_LINE.format(reason=reason.strip())
    return notice.title.format(**names), body


def notice_of(action: str, certification_type, reason: str = "", appeal_deadline=None) -> tuple[str, str] | None:
    """The (title, body) an action sends for a type, or None when it is silent."""
    step = table.OPENING if action == table.OPENING.action else table.BY_ACTION.get(action)
    if step is None or step.notice is SILENT:
        return None
    return render_notice(step.notice, certification_type, reason, appeal_deadline)


def _round_of(event: CaseEvent) -> str | None:
    step = table.BY_ACTION.get(event.action)
    if step is not None and step.round:
        return step.round
    for state in (event.to_state, event.from_state):
        spec = table.BY_STATE.get(state)
        if spec is not None and spec.round:
            return spec.round
    return None


def recipients(case: Case, to: tuple[str, ...], round: str | None = None) -> list[User]:
    """The people a notice is for, each once, in the order `to` names them.

    The assigned 委員 are read from the round's assignment event (the reviewers it recorded), so
    the workflow tells them without knowing the back office's records.
    """
    found: dict[int, User] = {}
    for kind in to:
        if kind == To.TEACHER:
            people = [case.teacher]
        elif kind == To.REVIEWERS:
            people = _assigned_reviewers(case, round)
        elif kind == To.COUNTY:
            # A case without a county (its teacher's school unknown) has no county officers.
            people = User.objects.filter(role=Role.COUNTY, county_id=case.county_id, is_active=True).order_by("pk")
            people = people if case.county_id is not None else []
        elif kind == To.ADMIN:
            people = User.objects.filter(role=table.ADMIN, is_active=True).order_by("pk")
        else:
            raise ValueError(f"unknown recipient {kind!r}")
        for person in people:
            found.setdefault(person.pk, person)
    return list(found.values())


def _assigned_reviewers(case: Case, round: str | None) -> list[User]:
    if round is None:
        return []
    assigned = (
        CaseEvent.objects.filter(case_id=case.pk, action=table.round_action(round, route="review:assign"))
        .order_by("-at", "-pk")
        .values_list("extra", flat=True)
        .first()
    )
    ids = (assigned or {}).get("reviewers") or []
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _tell(event: CaseEvent, notice: Notice | None) -> None:
    """Queue the row's 訊息通知 and emails, inside the change's transaction."""
    if notice is SILENT:
        return
    case = event.case
    title, body = render_notice(notice, case.certification_type, event.reason, case.appeal_deadline)
    for person in recipients(case, notice.to, _round_of(event)):
        notifications.notify(person, title, body, case=case, event=event, at=event.at)


# --- the diagram --------------------------------------------------------------------------------------


def diagram() -> str:
    """The state diagram as Mermaid text, drawn from the table (docs/workflow.md embeds it)."""
    role_names = {
        table.TEACHER: "教師",
        table.COUNTY: "縣市",
        table.ADMIN: "管理者",
        Role.REVIEWER: "委員",
        table.SYSTEM: "系統",
    }
    lines = ["stateDiagram-v2"]
    for state in table.STATES:
        lines.append(f"    {state.code}: {state.label}")
    lines.append(f"    [*] --> {table.State.PREPARING}: {table.OPENING.label}")
    for step in table.TRANSITIONS:
        who = "/".join(role_names[role] for role in step.roles)
        for source in step.sources:
            lines.append(f"    {source} --> {step.target}: {who} {step.label}")
    for state in sorted(table.FINAL_STATES):
        lines.append(f"    {state} --> [*]")
    return "\n".join(lines) + "\n"
