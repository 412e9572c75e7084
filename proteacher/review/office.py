"""What a 縣市 or 管理者 does to a case: 形式審查, the round decisions, 申復 受理 / 未受理.

Each function is one transaction: `workflow.transition()` locks the case row, refuses a wrong
role, a wrong state, a stale page or a second click, and checks what its row asks (the 形式審查表's
verdicts, the 原因訊息); the record that goes with the change (FormalReview, Appeal.accepted) is
written right after it in the same atomic block, so a refused action leaves nothing behind and an
accepted one never lacks its record.
"""

from django.db import transaction

from proteacher.accounts.models import User
from proteacher.audit.log import record
from proteacher.certification import formal_verdicts, selectors, workflow
from proteacher.certification.models import Case
from proteacher.errors import DomainError
from proteacher.review.models import Appeal, FormalReview

NOT_A_DECISION = "請選擇判定結果。"
# The office's decisions of a round's 判定, and 申復申請案 受理 / 未受理, as the table offers them.
DECISIONS = tuple(step.action for step in workflow.offered_on("review:decide"))
FORMAL = {True: "formal_pass", False: "formal_return"}
APPEAL_INTAKE = {True: "appeal_accept", False: "appeal_reject"}


def formal_review(
    case: Case,
    officer: User,
    slots: dict,
    passed: bool,
    reason: str = "",
    expected_revision: int | None = None,
    *,
    expected_state: str | None = None,
) -> FormalReview:
    """形式審查: 通過 (準備分發委員) → 初審分發委員, or 退件 (退回再編輯修正) → 準備資料.

    `slots` is {slot_code: {"ok": bool, "reason": str}} for every slot of the case's type; the
    teacher later reads it, with the 原因訊息, as the 形式審查表.
    """
    with transaction.atomic():
        moved = workflow.transition(
            case,
            FORMAL[passed],
            actor=officer,
            expected_state=expected_state,
            expected_revision=expected_revision,
            reason=reason,
            slots=slots,
        )
        # The verdicts as the row's check accepted them: only the type's slots, in its order.
        verdicts = formal_verdicts.cleaned(selectors.case_slots(moved), slots)
        review = FormalReview.objects.create(
            case=moved,
            officer=officer,
            created_at=moved.updated_at,
            passed=passed,
            slots=verdicts,
            reason=reason.strip(),
        )
        not_ok = [code for code, verdict in verdicts.items() if not verdict.get("ok")]
        record(
            "formal.save",
            actor=officer,
            subject=moved.teacher_id,
            case=moved.pk,
            target="形式審查表",
            data={"review": review.pk, "passed": passed, "not_ok": not_ok},
            at=review.created_at,
        )
        return review


def decide(
    case: Case,
    officer: User,
    action: str,
    reason: str = "",
    expected_revision: int | None = None,
    *,
    expected_state: str | None = None,
) -> Case:
    """初審判定 / 複審判定 / 申復判定: the decision is the event, its 原因訊息 the event's reason."""
    if action not in DECISIONS:
        raise DomainError(NOT_A_DECISION)
    return workflow.transition(
        case,
        action,
        actor=officer,
        expected_state=expected_state,
        expected_revision=expected_revision,
        reason=reason,
    )


def take_appeal(
    case: Case,
    officer: User,
    accept: bool,
    reason: str = "",
    expected_revision: int | None = None,
    *,
    expected_state: str | None = None,
) -> Case:
    """申復申請案受理 (將進行申復審查) → 申復修正資料, or 申復申請案未受理 → 不合格."""
    with transaction.atomic():
        moved = workflow.transition(
            case,
            APPEAL_INTAKE[accept],
            actor=officer,
            expected_state=expected_state,
            expected_revision=expected_revision,
            reason=reason,
        )
        # The appeal being answered: the newest one not yet answered. The case row is locked by
        # the transition above, so no other officer can answer it at the same time.
        appeal = Appeal.objects.filed().filter(case=moved, accepted__isnull=True).order_by("-filed_at", "-id").first()
        if appeal is not None:
            appeal.accepted = accept
            appeal.decided_at = moved.updated_at
            appeal.save(update_fields=["accepted", "decided_at"])
    return moved


EXTEND = "extend_deadline"


def extend_deadline(
    case: Case,
    officer: User,
    deadline,
    reason: str = "",
    expected_revision: int | None = None,
    *,
    expected_state: str | None = None,
) -> Case:
    """延長期限: one case's running deadline (修正期限, or 送出審查文件 in 準備資料) moved later, with
    the reason; the event keeps the old and the new date and the teacher is told (the table's row)."""
    return workflow.transition(
        case,
        EXTEND,
        actor=officer,
        expected_state=expected_state,
        expected_revision=expected_revision,
        reason=reason,
        deadline=deadline,
    )
