"""What a 縣市 or 管理者 does to a case: 形式審查, the round decisions, 申復 受理 / 未受理.

Each function is one transaction: `workflow.transition()` locks the case row and refuses a wrong
role, a wrong state, a stale page or a second click; the checks of what the office typed and the
record that goes with the change (FormalReview, Appeal.accepted) come after it, inside the same
atomic block, so a refused action leaves nothing behind and an accepted one never lacks its record.
"""

import copy

from django.db import transaction

from proteacher.accounts.models import User
from proteacher.certification import workflow
from proteacher.certification.models import Case, FormSlot
from proteacher.certification.workflow import WorkflowError
from proteacher.review.models import Appeal, FormalReview

# The decisions of 初審判定 / 複審判定 / 申復判定, in the order the office reads them.
DECISIONS = (
    "first_pass",
    "first_revise",
    "first_fail",
    "second_pass",
    "second_fail",
    "appeal_pass",
    "appeal_fail",
)
# A decision other than 通過 tells the teacher why: the 原因訊息 is required.
DECISIONS_NEEDING_REASON = frozenset({"first_revise", "first_fail", "second_fail", "appeal_fail"})

FORMAL_SLOT_REASON_MISSING = "請填寫「{slot}」不齊全或不正確的原因。"
FORMAL_SLOT_UNCHECKED = "請勾選「{slot}」是否資料齊全且正確。"
FORMAL_RETURN_NEEDS_REASON = "退件請填寫原因訊息。"
FORMAL_PASS_WITH_PROBLEMS = "有表單標示為資料不齊全或不正確，無法通過；請改按「退件 (退回再編輯修正)」。"
DECISION_NEEDS_REASON = "「{decision}」請填寫原因訊息。"
APPEAL_REJECT_NEEDS_REASON = "申復申請案未受理請填寫原因訊息。"
NOT_A_DECISION = "請選擇判定結果。"


def formal_review_problems(slots: list[FormSlot], results: dict, passed: bool, reason: str) -> dict[str, str]:
    """What keeps a 形式審查表 from being accepted: {slot code or "reason" or "decision": message}.

    The form shows these beside the fields; `formal_review()` refuses with the first of them, so
    a command or a test calling the service directly meets the same rules.
    """
    problems: dict[str, str] = {}
    for slot in slots:
        result = results.get(slot.code)
        if not isinstance(result, dict) or not isinstance(result.get("ok"), bool):
            problems[slot.code] = FORMAL_SLOT_UNCHECKED.format(slot=slot.label)
        elif not result["ok"] and not str(result.get("reason", "")).strip():
            problems[slot.code] = FORMAL_SLOT_REASON_MISSING.format(slot=slot.label)
    if not passed and not reason.strip():
        problems["reason"] = FORMAL_RETURN_NEEDS_REASON
    if passed and any(
        isinstance(results.get(slot.code), dict) and results[slot.code].get("ok") is False for slot in slots
    ):
        problems["decision"] = FORMAL_PASS_WITH_PROBLEMS
    return problems


def case_slots(case: Case) -> list[FormSlot]:
    return list(FormSlot.objects.filter(certification_type_id=case.certification_type_id).order_by("sort_order", "id"))


def formal_review(
    case: Case, officer: User, slots: dict, passed: bool, reason: str = "", expected_revision: int | None = None
) -> FormalReview:
    """形式審查: 通過 (準備分發委員) → 初審分發委員, or 退件 (退回再編輯修正) → 準備資料.

    `slots` is {slot_code: {"ok": bool, "reason": str}} for every slot of the case's type; the
    teacher later reads it, with the 原因訊息, as the 形式審查表.
    """
    reason = reason.strip()
    with transaction.atomic():
        moved = workflow.transition(
            copy.copy(case),
            "formal_pass" if passed else "formal_return",
            officer,
            expected_revision=expected_revision,
            reason=reason,
        )
        # Checked after the transition so that a stale page or a second click hears that first;
        # raising here rolls the transition back with everything its listeners wrote.
        type_slots = case_slots(moved)
        problems = formal_review_problems(type_slots, slots, passed, reason)
        if problems:
            raise WorkflowError(next(iter(problems.values())))
        # Only the type's slots, in its order, with clean values: the stored form is what was asked.
        results = {
            slot.code: {
                "ok": slots[slot.code]["ok"],
                "reason": "" if slots[slot.code]["ok"] else str(slots[slot.code].get("reason", "")).strip(),
            }
            for slot in type_slots
        }
        record = FormalReview.objects.create(
            case=moved, officer=officer, created_at=moved.updated_at, passed=passed, slots=results, reason=reason
        )
    _follow(case, moved)
    return record


def decide(case: Case, officer: User, action: str, reason: str = "", expected_revision: int | None = None) -> Case:
    """初審判定 / 複審判定 / 申復判定: the decision is the event, its 原因訊息 the event's reason."""
    reason = reason.strip()
    if action not in DECISIONS:
        raise WorkflowError(NOT_A_DECISION)
    with transaction.atomic():
        moved = workflow.transition(
            copy.copy(case), action, officer, expected_revision=expected_revision, reason=reason
        )
        if action in DECISIONS_NEEDING_REASON and not reason:
            raise WorkflowError(DECISION_NEEDS_REASON.format(decision=decision_label(action)))
    return _follow(case, moved)


def take_appeal(
    case: Case, officer: User, accept: bool, reason: str = "", expected_revision: int | None = None
) -> Case:
    """申復申請案受理 (將進行申復審查) → 申復修正資料, or 申復申請案未受理 → 不合格."""
    reason = reason.strip()
    with transaction.atomic():
        moved = workflow.transition(
            copy.copy(case),
            "appeal_accept" if accept else "appeal_reject",
            officer,
            expected_revision=expected_revision,
            reason=reason,
        )
        if not accept and not reason:
            raise WorkflowError(APPEAL_REJECT_NEEDS_REASON)
        # The appeal being answered: the newest one not yet answered. The case row is locked by
        # the transition above, so no other officer can answer it at the same time.
        appeal = Appeal.objects.filter(case=moved, accepted__isnull=True).order_by("-filed_at", "-id").first()
        if appeal is not None:
            appeal.accepted = accept
            appeal.decided_at = moved.updated_at
            appeal.save(update_fields=["accepted", "decided_at"])
    return _follow(case, moved)


def _follow(case: Case, moved: Case) -> Case:
    # transition() updates the object it is given; it is given a copy so that a refusal after it
    # (rolled back) leaves the caller's case as the database has it, and the caller's object
    # follows only a committed change.
    case.state, case.revision, case.updated_at = moved.state, moved.revision, moved.updated_at
    return moved


def decision_label(action: str) -> str:
    return next(step.label for step in workflow.TRANSITIONS if step.action == action)
