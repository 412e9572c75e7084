"""歷程紀錄: a case's events as its pages list them (the teacher's without names, the office's with)."""

import datetime

from proteacher.certification import submissions, workflow
from proteacher.certification.deadlines import format_deadline
from proteacher.certification.models import Case, CaseEvent


def case_events(case: Case, *, with_actors: bool = False) -> list[CaseEvent]:
    events = CaseEvent.objects.filter(case=case).order_by("at", "id")
    if with_actors:
        return list(events.select_related("actor"))
    return list(events.only("at", "action", "from_state", "to_state", "reason", "extra"))


def history(events: list[CaseEvent], *, with_actors: bool = False) -> list[dict]:
    """歷程紀錄: each change with the action that made it and its 原因訊息. Who acted is for staff
    only: the teacher's page never names anyone (reviewers stay anonymous to the teacher)."""
    rows = []
    for event in events:
        row = {
            "at": event.at,
            "change": (
                f"{workflow.label(event.from_state)} → {workflow.label(event.to_state)}"
                if event.from_state
                else workflow.label(event.to_state)
            ),
            "action": workflow.label_of(event.action) + _extension(event),
            "reason": event.reason,
            # False for a row that leaves the case where it is (延長期限).
            "moved": event.from_state != event.to_state,
        }
        if with_actors:
            row["actor"] = event.actor.header_name if event.actor else "系統"
        rows.append(row)
    return rows


def _extension(event: CaseEvent) -> str:
    """延長期限's old and new date, as its event keeps them: （原期限 116-03-31 23:59 → 新期限 …）."""
    if event.action != "extend_deadline" or not isinstance(event.extra, dict):
        return ""
    try:
        old, new = (datetime.datetime.fromisoformat(event.extra[key]) for key in ("old_deadline", "deadline"))
    except (KeyError, TypeError, ValueError):
        return ""
    return f"（原期限 {format_deadline(old)} → 新期限 {format_deadline(new)}）"


def state_reason(rows: list[dict]) -> str:
    """原因訊息 of the case's state: the reason of the change that brought it there (an extension's
    reason is its own row's, not the state's)."""
    return next((row["reason"] for row in reversed(rows) if row["moved"]), "")


# The actions that freeze a submission (送出審查文件, 送出複審資料, 申復重新送審).
SENDING_ACTIONS = frozenset(step.action for step in workflow.TRANSITIONS if submissions.freeze in step.effects)


def was_sent(events: list[CaseEvent]) -> bool:
    return any(event.action in SENDING_ACTIONS for event in events)


# The 形式審查表 exists once an officer decided by one of these actions.
FORMAL_ACTIONS = frozenset(step.action for step in workflow.offered_on("review:formal"))


def formal_decided(events: list[CaseEvent]) -> bool:
    return any(event.action in FORMAL_ACTIONS for event in events)


def shown_rounds(events: list[CaseEvent], *, office: bool) -> list[str]:
    """The rounds whose 審查標準表 the reader may see: decided ones; for the office also those
    whose reviews are all in (the office decides on them)."""
    actions = {event.action for event in events}
    return [
        round_code
        for round_code in workflow.ROUNDS
        if actions & set(workflow.decisions_of(round_code))
        or (office and workflow.round_action(round_code, roles=(workflow.SYSTEM,)) in actions)
    ]
