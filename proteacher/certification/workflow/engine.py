"""Moving a case by the rows of table.py: `transition_many()` is the only code that changes
Case.state (`transition()` is it for one case), `open_case()` the only code that creates a case.

One transaction each: lock the case rows, check the page's freshness, the row's roles, state and
guards, the 原因訊息 and the row's checks; write the state and the row's effects; write the
immutable CaseEvent and its audit entry; queue the row's 訊息通知 for whoever it names. The emails
leave after commit (the outbox's worker), so a message exists exactly when the change does.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from proteacher.accounts.models import Role, User
from proteacher.audit.log import record_many
from proteacher.certification import deadlines, state_counts
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


# --- moving cases -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What transition_many() did with one case: moved (`case` is the locked case as it is now) or
    refused (`refusal` is the user's message, and nothing of the case changed)."""

    case_id: int
    case: Case | None = None
    refusal: str = ""
    missing: bool = False  # no such case (refused with CASE_GONE)

    @property
    def moved(self) -> bool:
        return self.case is not None


CASE_GONE = "此申請已不存在，請重新整理後再操作。"


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

    transition_many() of this one case: there is one way a case moves.
    """
    outcome = transition_many(
        [case], action, actor=actor, expected={case.pk: (expected_state, expected_revision)}, reason=reason, **data
    )[case.pk]
    if outcome.missing:
        raise Case.DoesNotExist(f"case {case.pk} does not exist")
    if not outcome.moved:
        raise DomainError(outcome.refusal)
    locked = outcome.case
    case.state, case.revision, case.updated_at = locked.state, locked.revision, locked.updated_at
    return locked


def transition_many(
    cases: Iterable[Case | int],
    action: str,
    *,
    actor: User | None,
    expected: Mapping[int, tuple[str | None, int | None]] | None = None,
    reason: str = "",
    **data,
) -> dict[int, Outcome]:
    """Move each of `cases` (objects or ids) by `action`, taken by `actor`, in one transaction; the
    one core every change of a case's state goes through (transition() is this of one case).

    Each case gets the checks transition() promises on its own locked row: `expected` maps a case
    id to the (state, revision) its page showed, then the row's roles and scope, states, guards,
    the 原因訊息 and the row's checks. The cases that pass are written together: their state and
    revision in one UPDATE, the row's effects (in their set form where the effect offers one, its
    `for_many`, else case by case), one CaseEvent each, their audit entries, their 訊息通知 and
    emails, and the state counts, each one statement for all. Effects and numbering follow the
    order of `cases`; the rows are locked in id order. Returns an Outcome per case id, in the
    order given: the moved case or the refusal. A database error undoes the whole call.
    """
    given: dict[int, Case | None] = {}
    for case in cases:
        pk = case if isinstance(case, int) else case.pk
        given.setdefault(pk, None if isinstance(case, int) else case)
    if not given:
        return {}
    expected = expected or {}
    step = table.BY_ACTION.get(action)
    reason = clean_text(reason).strip()
    outcomes: dict[int, Outcome] = {}
    with transaction.atomic():
        # The lock makes two officers, a double click, a stale tab or a second batch wait here and
        # then see the state the first one left, so the checks below refuse them. Only the case
        # rows: locking the joined type row too would make every case of a type wait for every
        # other. The teacher (whom nearly every row's notice names) and the county (numbering)
        # come with them, read in the same query. Locked in id order, whatever order numbers
        # follow, so two movers of overlapping cases never wait for each other in a circle.
        locked = {
            row.pk: row
            for row in Case.objects.select_for_update(of=("self",))
            .select_related("certification_type", "teacher", "county")
            .filter(pk__in=list(given))
            .order_by("pk")
        }
        at = timezone.now()
        changes: list[tuple[Change, str]] = []
        for pk, shown in given.items():
            case = locked.get(pk)
            if case is None:
                outcomes[pk] = Outcome(pk, refusal=CASE_GONE, missing=True)
                continue
            problem = _refusal(case, shown, expected.get(pk, (None, None)), action, actor, reason)
            change = None
            if problem is None:
                change = Change(case=case, actor=actor, step=step, reason=reason, data=dict(data), at=at)
                try:
                    for check in step.checks:
                        check(change)
                except DomainError as error:
                    problem = error.message
            if problem is not None:
                outcomes[pk] = Outcome(pk, refusal=problem)
                continue
            changes.append((change, case.state))
            case.state = step.target or case.state
            case.revision += 1
            case.updated_at = at
        changes = _effects(step, changes, outcomes)
        if changes:
            _write(step, changes, actor, at)
        for change, _ in changes:
            outcomes[change.case.pk] = Outcome(change.case.pk, case=change.case)
    return {pk: outcomes[pk] for pk in given}


def _refusal(
    case: Case, shown: Case | None, expected: tuple[str | None, int | None], action: str, actor, reason: str
) -> str | None:
    """Why this locked case cannot move now (the page's freshness first), or None."""
    expected_state, expected_revision = expected
    shown_state = expected_state or (shown.state if shown is not None else case.state)
    if expected_state is not None and case.state != expected_state:
        return HANDLED.format(state=label(case.state))
    if expected_revision is not None and case.revision != expected_revision:
        if case.state != shown_state:
            return HANDLED.format(state=label(case.state))
        return STALE_PAGE
    problem = unavailable_reason(case, action, actor)
    if problem:
        return problem
    step = table.BY_ACTION[action]
    if step.reason_required and not reason:
        return step.reason_required.format(label=step.label)
    return None


def _effects(step: Transition, changes: list[tuple[Change, str]], outcomes: dict) -> list[tuple[Change, str]]:
    """Run the row's effects on the changes that passed their checks; returns those still moving.

    An effect may refuse a case (a DomainError; a set form returns its refusals): then everything
    the effects wrote is undone and they run again without that case, so that the others are
    written as if it had never been there (the next case takes its certificate number)."""
    while step.effects and changes:
        refused: dict[int, str] = {}
        try:
            # One case: the whole call is its transaction (an exception marks it for rollback).
            with transaction.atomic(savepoint=len(changes) > 1):
                refused = _run_effects(step, [change for change, _ in changes])
                if refused:
                    raise _Undo
        except _Undo:
            pass
        if not refused:
            break
        for pk, message in refused.items():
            outcomes[pk] = Outcome(pk, refusal=message)
        changes = [(change, from_state) for change, from_state in changes if change.case.pk not in refused]
    return changes


class _Undo(Exception):
    pass


def _run_effects(step: Transition, changes: list[Change]) -> dict[int, str]:
    """The row's effects in order, each in its set form (`for_many`) when it has one; stops at the
    first refusal and returns the refused {case id: message} (empty when all went through)."""
    for effect in step.effects:
        many = getattr(effect, "for_many", None)
        if many is not None:
            refused = many(changes)
            if refused:
                return refused
            continue
        for change in changes:
            try:
                effect(change)
            except DomainError as error:
                return {change.case.pk: error.message}
    return {}


def _write(step: Transition, changes: list[tuple[Change, str]], actor: User | None, at) -> None:
    """The moved cases' state, events, audit entries, messages and counts: one statement each.

    A row whose target is SAME_STATE (延長期限) leaves each case in its state: the revision and
    the event still say something happened, the counts do not move."""
    moved = {"state": step.target} if step.target != table.SAME_STATE else {}
    Case.objects.filter(pk__in=sorted(change.case.pk for change, _ in changes)).update(
        revision=F("revision") + 1, updated_at=at, **moved
    )
    events = CaseEvent.objects.bulk_create(
        CaseEvent(
            case=change.case,
            actor=actor,
            at=at,
            action=step.action,
            from_state=from_state,
            to_state=step.target or from_state,
            reason=change.reason,
            extra={
                k: v for k, v in change.data.items() if isinstance(v, str | int | float | bool | list | dict | None)
            },
        )
        for change, from_state in changes
    )
    _audit(events, step.label)
    _tell(events, step.notice)
    # Last: the counts' rows are shared by every case of the county, type and year, so they
    # are held only until the commit that follows.
    if moved:
        state_counts.moved_many([(change.case, from_state, step.target) for change, from_state in changes])


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
        _audit([event], table.OPENING.label)
        _tell([event], table.OPENING.notice)
        state_counts.opened(case)
    return case


def _audit(events: list[CaseEvent], step_label: str) -> None:
    """The audit log's entries of changes (one actor, one moment), beside their CaseEvents and in
    their transaction (稽核紀錄 lists every change of every kind in one place; the case's history
    stays the CaseEvents)."""
    entries = []
    for event in events:
        moved = f"{label(event.from_state)} → {label(event.to_state)}" if event.from_state else label(event.to_state)
        entries.append(
            {
                "subject": event.case.teacher_id,
                "case": event.case_id,
                "target": f"{step_label}（{moved}）",
                "data": {"action": event.action, "from": event.from_state, "to": event.to_state, "event": event.pk},
            }
        )
    record_many("case.transition", entries, actor=events[0].actor, at=events[0].at)


# --- telling people -------------------------------------------------------------------------------------


def render_notice(
    notice: Notice, certification_type, reason: str = "", appeal_deadline=None, action_deadline=None, state: str = ""
) -> tuple[str, str]:
    """(title, body) of a notice for a case of `certification_type`, with the 原因, 申復期限 and
    修正期限 lines the notice asks for (`state`: the case's, which names what is sent by then)."""
    names = {
        "type": certification_type.name,
        "short": certification_type.short_name,
        "training": certification_type.training_name,
    }
    body = notice.body.format(**names)
    if notice.shows_appeal_deadline and appeal_deadline is not None:
        # Taipei time whatever the worker's or the request's time zone: the teacher's clock.
        body += table.APPEAL_DEADLINE_LINE.format(deadline=format_deadline(appeal_deadline))
    if notice.shows_action_deadline and action_deadline is not None:
        body += table.ACTION_DEADLINE_LINE.format(deadline=format_deadline(action_deadline), act=due_act(state))
    if notice.shows_reason and reason.strip():
        body += table.REASON_LINE.format(reason=reason.strip())
    return notice.title.format(**names), body


def notice_of(
    action: str, certification_type, reason: str = "", appeal_deadline=None, action_deadline=None, state: str = ""
) -> tuple[str, str] | None:
    """The (title, body) an action sends for a type, or None when it is silent."""
    step = table.OPENING if action == table.OPENING.action else table.BY_ACTION.get(action)
    if step is None or step.notice is SILENT:
        return None
    return render_notice(step.notice, certification_type, reason, appeal_deadline, action_deadline, state)


def due_line(case: Case) -> str:
    """The case's running deadline and who acts by it, as the teacher's page and the office's read
    it: 請於 116-03-31 23:59 前送出複審資料 ("" when no deadline runs)."""
    if case.state not in table.EDITABLE_STATES:
        return ""
    deadline = deadlines.running_deadline(case)
    if deadline is None:
        return ""
    return table.ACTION_DEADLINE_LINE.format(deadline=format_deadline(deadline), act=due_act(case.state)).strip()


def due_act(state: str) -> str:
    """What the teacher must have done by the running deadline of a case in `state`, in the words
    of its button: 送出審查文件 / 送出複審資料 / 申復重新送審."""
    step = next(
        (row for row in table.TRANSITIONS if state in row.sources and row.roles == (table.TEACHER,) and row.opens_page),
        None,
    )
    return f"{step.label}" if step else "完成"


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


def _tell(events: list[CaseEvent], notice: Notice | None) -> None:
    """Queue the row's 訊息通知 and emails for the changes (of one moment), inside their
    transaction: each text rendered once (it differs by type, 原因 and 申復期限 only), all written
    together."""
    if notice is SILENT:
        return
    texts: dict[tuple, tuple[str, str]] = {}
    messages = []
    for event in events:
        case = event.case
        key = (case.certification_type_id, event.reason, case.appeal_deadline, case.action_deadline, case.state)
        if key not in texts:
            texts[key] = render_notice(
                notice, case.certification_type, event.reason, case.appeal_deadline, case.action_deadline, case.state
            )
        title, body = texts[key]
        for person in recipients(case, notice.to, _round_of(event)):
            messages.append(
                notifications.Message(person, title, body, case=case, event=event, optional=notice.optional)
            )
    notifications.notify_many(messages, at=events[0].at)


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
            lines.append(f"    {source} --> {step.target or source}: {who} {step.label}")
    for state in sorted(table.FINAL_STATES):
        lines.append(f"    {state} --> [*]")
    return "\n".join(lines) + "\n"
