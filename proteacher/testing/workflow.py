"""Cases walked along the workflow for tests: each action taken by whoever the table lets take it,
with what its row needs, the way the pages give it."""

import dataclasses

from proteacher.certification import workflow
from proteacher.certification.models import Case, FormSlot
from proteacher.certification.workflow import State, table
from proteacher.review import appeals
from proteacher.testing import factories

# The actions from 準備資料 to each state, in order.
PATHS = {
    State.PREPARING: [],
    State.FORMAL_REVIEW: ["submit"],
    State.FIRST_ASSIGN: ["submit", "formal_pass"],
    State.FIRST_REVIEW: ["submit", "formal_pass", "assign_first"],
    State.FIRST_DECISION: ["submit", "formal_pass", "assign_first", "first_reviews_done"],
}
PATHS[State.FIRST_REVISION] = PATHS[State.FIRST_DECISION] + ["first_revise"]
PATHS[State.FIRST_FAILED] = PATHS[State.FIRST_DECISION] + ["first_fail"]
PATHS[State.PASSED] = PATHS[State.FIRST_DECISION] + ["first_pass"]
PATHS[State.APPROVED] = PATHS[State.PASSED] + ["approve"]
PATHS[State.ISSUED] = PATHS[State.APPROVED] + ["issue"]
PATHS[State.SECOND_ASSIGN] = PATHS[State.FIRST_REVISION] + ["resubmit"]
PATHS[State.SECOND_REVIEW] = PATHS[State.SECOND_ASSIGN] + ["assign_second"]
PATHS[State.SECOND_DECISION] = PATHS[State.SECOND_REVIEW] + ["second_reviews_done"]
PATHS[State.SECOND_FAILED] = PATHS[State.SECOND_DECISION] + ["second_fail"]
PATHS[State.APPEAL_INTAKE] = PATHS[State.FIRST_FAILED] + ["appeal"]
PATHS[State.APPEAL_REVISION] = PATHS[State.APPEAL_INTAKE] + ["appeal_accept"]
PATHS[State.APPEAL_ASSIGN] = PATHS[State.APPEAL_REVISION] + ["appeal_resubmit"]
PATHS[State.APPEAL_REVIEW] = PATHS[State.APPEAL_ASSIGN] + ["assign_appeal"]
PATHS[State.APPEAL_DECISION] = PATHS[State.APPEAL_REVIEW] + ["appeal_reviews_done"]
PATHS[State.FAILED] = PATHS[State.APPEAL_INTAKE] + ["appeal_reject"]
PATHS[State.REVOKED] = PATHS[State.ISSUED] + ["revoke"]

# The 原因訊息 of the rows that need one, unless a test gives its own.
REASONS = {
    "formal_return": "實施證明缺少核章。",
    "first_revise": "請補充觀察紀錄。",
    "first_fail": "資料不足。",
    "second_fail": "仍有不足。",
    "appeal_reject": "逾期提出。",
    "appeal_fail": "申復理由不成立。",
    "revoke": "證書核發對象有誤。",
    "restore": "經查證書核發無誤。",
}
APPEAL_OPINIONS = {"reviewer_opinion": "委員認為資料不足。", "appeal_opinion": "已補充說明。"}


def actor_for(case: Case, action: str, officer):
    roles = workflow.BY_ACTION[action].roles
    if workflow.TEACHER in roles:
        return case.teacher
    if workflow.SYSTEM in roles:
        return None
    return officer


def verdicts(case: Case, *, passed: bool) -> dict:
    """A 形式審查表: every slot 是 (通過), or the first slot 否 with its reason (退件)."""
    slots = FormSlot.objects.filter(certification_type_id=case.certification_type_id).order_by("sort_order", "id")
    found = {slot.code: {"ok": True, "reason": ""} for slot in slots}
    if not passed and found:
        first = next(iter(found))
        found[first] = {"ok": False, "reason": "缺少核章。"}
    return found


def take(case: Case, action: str, officer, *, reason: str | None = None, expected_revision: int | None = None):
    """`action` on `case` by whoever the table lets take it (the teacher, `officer`, the platform),
    with what its row needs: the 形式審查表, a 原因訊息 where one is required, and for 申復 the
    申復表, filed the way the teacher's page files it. Returns the case, moved."""
    if reason is None:
        reason = REASONS.get(action, "") if workflow.BY_ACTION[action].reason_required else ""
    if action == "appeal":
        # The 申覆文件 saved as a draft, then 申復 on 流程進度, as the teacher's pages do.
        data = appeals.initial_data(case) | APPEAL_OPINIONS
        draft = appeals.draft_of(case)
        appeals.save_draft(case, case.teacher, data=data, uploads=[], expected_revision=draft.revision if draft else 0)
        appeals.file_appeal(case, case.teacher, expected_revision=expected_revision)
        return case
    data = {}
    if action in ("formal_pass", "formal_return"):
        data["slots"] = verdicts(case, passed=action == "formal_pass")
    if action == "revoke":
        data["category"] = "administrative"
    workflow.transition(
        case,
        action,
        actor=actor_for(case, action, officer),
        expected_revision=expected_revision,
        reason=reason,
        **data,
    )
    return case


def walk(case: Case, actions, officer, *, reasons: dict | None = None) -> Case:
    """Take each action in turn (see take); `reasons` gives some rows' 原因訊息."""
    for action in actions:
        take(case, action, officer, reason=(reasons or {}).get(action))
    case.refresh_from_db()
    return case


def advance(case: Case, state: str, officer) -> Case:
    """Walk a case in 準備資料 to `state`: its forms filled so 送出 passes its check, then PATHS[state]."""
    answered = set(case.answers.values_list("slot_code", flat=True))
    for slot in FormSlot.objects.filter(certification_type_id=case.certification_type_id):
        if slot.code not in answered:
            factories.answer(case, slot.code)
    for action in PATHS[state]:
        take(case, action, officer, expected_revision=case.revision)
    assert case.state == state
    return case


def without_checks_and_effects(monkeypatch) -> None:
    """The rows as declared, minus their checks and effects (forms complete, 形式審查表 verdicts,
    the 申復表, the appeal deadline, certificate numbers): those need data a test of roles,
    states, pages or messages is not about, and each is tested where it lives. Guards and the
    原因訊息 rule stay."""
    bare = [dataclasses.replace(step, checks=(), effects=()) for step in table.TRANSITIONS]
    monkeypatch.setattr(table, "TRANSITIONS", bare)
    monkeypatch.setattr(table, "BY_ACTION", {step.action: step for step in bare})
