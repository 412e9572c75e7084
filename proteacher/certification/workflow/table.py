"""The case's states and every way it moves between them (SPEC §6), as one table.

Everything the platform knows about a state or an action is declared here and nowhere else:

- a state: its 狀態 label as the seed shows it, the teacher's 相關訊息 (what happens next), the
  review round it belongs to, whether the teacher may edit the forms in it;
- an action: the states it leaves, where it goes, who may take it, its label as the seed words it,
  the page that offers it, what the actor reads once it is done, whether it needs a 原因訊息, the
  訊息通知 it sends and to whom (or SILENT), and the named guards, checks and effects that run with
  it (the functions live in the modules named beside them; nothing is added to a row at start-up).

A wording fix is one edit here: the buttons, the flash messages, the teacher's page, the office's
queue, the messages and their emails, and docs/workflow.md (drawn from this table) all read it.
The engine that moves a case by these rows is engine.py.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from proteacher.accounts.models import Role
from proteacher.certification import (
    certificates,
    deadlines,
    formal_verdicts,
    revocation,
    selectors,
    submission,
    submissions,
)
from proteacher.errors import DomainError

# Who acts. SYSTEM is the platform itself (the last review handed in, an appeal window closing).
TEACHER, COUNTY, ADMIN, REVIEWER, SYSTEM = Role.TEACHER, Role.COUNTY, Role.ADMIN, Role.REVIEWER, "system"
OFFICE = (COUNTY, ADMIN)


class To:
    """Who a 訊息通知 is for (each also gets it by email)."""

    TEACHER = "teacher"  # the case's teacher
    REVIEWERS = "reviewers"  # the 委員 assigned to the case's round
    COUNTY = "county"  # the 縣市 officers of the case's county
    ADMIN = "admin"  # every 管理者


# --- review rounds ----------------------------------------------------------------------------------

FIRST, SECOND, APPEAL = "first", "second", "appeal"
ROUNDS = {FIRST: "初審", SECOND: "複審", APPEAL: "申復"}


# --- states -----------------------------------------------------------------------------------------


class State:
    """The state codes, for code that names one (State.PREPARING …); each is described in STATES below."""

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
    REVOKED = "revoked"


@dataclass(frozen=True, kw_only=True)
class StateSpec:
    code: str
    label: str  # 狀態, exactly as the seed shows it
    next_step: str  # 相關訊息: what happens next, in the teacher's words
    round: str | None = None  # the review round the state belongs to
    stage: str = ""  # within its round: "assign", "review", "decision" or "failed"
    teacher_edits: bool = False  # the teacher may fill in and change the forms
    outcome: bool = False  # a result (of a round or of the year): listed last among the queue's tabs
    final: bool = False  # nothing moves the case on this academic year
    # A different 相關訊息 when the case arrived by one of these actions.
    next_step_after: dict[str, str] = field(default_factory=dict)


_APPEAL_SENTENCE = (
    "若對審查意見有疑義，可於收到通知後10日(含假日)內填寫申復表提出申復；逾期未申復，認證結果即為不合格。"
)

STATES: list[StateSpec] = [
    StateSpec(
        code=State.PREPARING,
        label="準備資料",
        next_step="請完成下列所有表單後，按「送出審查文件」。",
        next_step_after={
            "formal_return": (
                "形式審查退件：請參閱查看表單列表中的形式審查表與原因訊息，修正表單後再按「送出審查文件」。"
            )
        },
        teacher_edits=True,
    ),
    StateSpec(code=State.FORMAL_REVIEW, label="形式審查", next_step="已送出審查文件，縣市教專中心正在進行形式審查。"),
    StateSpec(
        code=State.FIRST_ASSIGN,
        label="初審分發委員",
        next_step="形式審查已通過，等待分發初審委員。",
        round=FIRST,
        stage="assign",
    ),
    StateSpec(
        code=State.FIRST_REVIEW,
        label="初審",
        next_step="初審委員審查中，請耐心等候審查結果。",
        round=FIRST,
        stage="review",
    ),
    StateSpec(
        code=State.FIRST_DECISION,
        label="初審判定",
        next_step="初審委員已完成審查，等待縣市教專中心判定初審結果。",
        round=FIRST,
        stage="decision",
    ),
    StateSpec(
        code=State.FIRST_REVISION,
        label="初審修正資料",
        next_step=("初審結果為修正後複審：請參閱查看表單列表中的審查標準表與原因訊息，修正表單後按「送出複審資料」。"),
        teacher_edits=True,
    ),
    StateSpec(
        code=State.FIRST_FAILED,
        label="初審未通過",
        next_step=f"初審未通過。{_APPEAL_SENTENCE}",
        round=FIRST,
        stage="failed",
        outcome=True,
    ),
    StateSpec(
        code=State.SECOND_ASSIGN,
        label="複審分發委員",
        next_step="已送出複審資料，等待分發複審委員。",
        round=SECOND,
        stage="assign",
    ),
    StateSpec(
        code=State.SECOND_REVIEW,
        label="複審",
        next_step="複審委員審查中，請耐心等候審查結果。",
        round=SECOND,
        stage="review",
    ),
    StateSpec(
        code=State.SECOND_DECISION,
        label="複審判定",
        next_step="複審委員已完成審查，等待縣市教專中心判定複審結果。",
        round=SECOND,
        stage="decision",
    ),
    StateSpec(
        code=State.SECOND_FAILED,
        label="複審未通過",
        next_step=f"複審未通過。{_APPEAL_SENTENCE}",
        round=SECOND,
        stage="failed",
        outcome=True,
    ),
    StateSpec(
        code=State.APPEAL_INTAKE, label="申復審查 (受理中)", next_step="已提出申復，縣市教專中心正在確認是否受理。"
    ),
    StateSpec(
        code=State.APPEAL_REVISION,
        label="申復修正資料",
        next_step="申復已受理：請參閱查看表單列表中的審查標準表與原因訊息，修正表單後按「申復重新送審」。",
        teacher_edits=True,
    ),
    StateSpec(
        code=State.APPEAL_ASSIGN,
        label="申復分發委員",
        next_step="已申復重新送審，等待分發申復審查委員。",
        round=APPEAL,
        stage="assign",
    ),
    StateSpec(
        code=State.APPEAL_REVIEW,
        label="申復審查",
        next_step="申復審查委員審查中，請耐心等候審查結果。",
        round=APPEAL,
        stage="review",
    ),
    StateSpec(
        code=State.APPEAL_DECISION,
        label="申復判定",
        next_step="申復審查委員已完成審查，等待判定申復結果。",
        round=APPEAL,
        stage="decision",
    ),
    StateSpec(code=State.PASSED, label="通過", next_step="審查結果為「通過」，證書將於所有認證審查完成後統一核發。"),
    StateSpec(code=State.APPROVED, label="通過可產證", next_step="已核定可產證，證書字號公告後可至個人資訊頁面檢視。"),
    StateSpec(
        code=State.ISSUED,
        label="已發證",
        next_step="已發證，證書字號與數位研習證明可至個人資訊頁面檢視。",
        outcome=True,
        final=True,
    ),
    StateSpec(
        code=State.FAILED,
        label="不合格",
        next_step="本學年度認證結果為不合格。可於研習時數之檢核時效內，未來再重新申請認證。",
        outcome=True,
        final=True,
    ),
    StateSpec(
        code=State.REVOKED,
        label="已撤銷",
        next_step="證書已由管理者撤銷，撤銷原因請參閱訊息通知；如有疑義請聯繫教師專業發展支持作業平臺工作小組。",
        outcome=True,
        final=True,
    ),
]


# --- messages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """A 訊息通知 (and its email). SPEC §7's texts, with the case's type filled in, so that a 初階
    case never reads 進階:

        {type}      CertificationType.name           進階專業回饋人才認證
        {short}     CertificationType.short_name     進階認證
        {training}  CertificationType.training_name  進階專業回饋人才
    """

    title: str
    body: str
    to: tuple[str, ...] = (To.TEACHER,)
    # A decision's 原因訊息 (CaseEvent.reason) is appended when the officer gave one.
    shows_reason: bool = False
    # A failing decision tells the teacher the last moment to press 申復 (Case.appeal_deadline).
    shows_appeal_deadline: bool = False
    # No legal weight (a receipt, an announcement): its email goes as the person chose under 通知設定
    # (at once, in the daily digest, or none). False, the default, is always emailed at once:
    # decisions, 退件, 形式審查 results, the 申復 window, revocation, deadlines and reminders.
    optional: bool = False
    # 修正後複審, 申復受理 and an extension tell the teacher the last moment to send (Case.action_deadline).
    shows_action_deadline: bool = False


# Nobody is told: the teacher's own act on a page, the office's and reviewers' inner steps (they
# show only as the case's 狀態). Every row says SILENT or its Notice; none may leave it out.
SILENT = None

REASON_LINE = "\n原因：{reason}"
APPEAL_DEADLINE_LINE = "\n申復期限：{deadline}（含假日）"
ACTION_DEADLINE_LINE = "\n請於 {deadline} 前{act}。"

_OPINIONS = "敬請參閱審查意見以做為未來專業回饋之參考。"
_LATER_AGAIN = "您可於研習時數之檢核時效內，未來再重新申請認證，謝謝。"
_APPEAL_OR_LATER = "您若對審查意見有疑義，可填寫申復表申請申復，或可於研習時數之檢核時效內，未來再重新申請認證，謝謝。"
_PASSED = Notice(
    # 複審 and 申復 通過 (SPEC §7: the same words for both)
    "申請{short}已經通過",
    "感謝您申請{short}，您的審查結果為「通過」，可取得證書。證書將於所有認證審查完成後統一核發，謝謝。",
    shows_reason=True,
)


# --- the hooks the rows name -------------------------------------------------------------------------


@dataclass
class Change:
    """One action being taken, handed to a row's checks and effects inside the transaction: the
    locked case, who acts, the row, the 原因訊息, the page's data (JSON values become the event's
    extra) and the moment the event will carry."""

    case: object
    actor: object
    step: "Transition"
    reason: str
    data: dict
    at: object


def _verdicts_complete(change: Change) -> None:
    """formal_pass / formal_return: a verdict for every slot (formal_verdicts); only clean ones are kept."""
    slots = selectors.case_slots(change.case)
    verdicts = change.data.get("slots") if isinstance(change.data.get("slots"), dict) else {}
    found = formal_verdicts.problems(
        slots, verdicts, change.step.action == "formal_pass", return_label=label_of("formal_return")
    )
    if found:
        raise DomainError(next(iter(found.values())))
    change.data["slots"] = formal_verdicts.cleaned(slots, verdicts)


def _appeal_form_given(change: Change) -> None:
    """appeal: 申復 goes with its 認證審查結果申復表 (review.appeals files the saved form with it)."""
    form = change.data.get("appeal_form")
    if not isinstance(form, dict) or not form:
        raise DomainError("請先於編輯表單列表的「申覆文件」填寫認證審查結果申復表並儲存，再按「申復」。")


# --- actions ----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    label: str  # the button or the decision, as the seed words it
    notice: Notice | None  # the 訊息通知 it sends, or SILENT: every row says which
    route: str = ""  # the page that offers it (a URL name); "" for the platform's own steps
    opens_page: bool = False  # the button opens a page first (a 送出 its check, 確認送出)
    # For a teacher's 送出: what follows once sent, on the page that asks before sending.
    confirm: str = ""
    done: str = ""  # what the one who acted reads afterwards ({label} … filled in by the page)
    reason_required: str = ""  # the message when the 原因訊息 is missing; "" when it is optional
    round: str | None = None
    # Why the action is unavailable now (shown beside the greyed button), or None: (case, actor).
    guards: tuple[Callable, ...] = field(default=(), compare=False)
    hidden_when_unavailable: bool = False  # gone rather than greyed when a guard says no
    # What the posted data must satisfy, on the locked case; each raises DomainError: (change).
    checks: tuple[Callable, ...] = field(default=(), compare=False)
    # What else the change writes, in its transaction, before the state and the event: (change).
    # An effect may carry its set form as `for_many` (changes → {case id: refusal}), which
    # transition_many() calls once for all its cases instead of the effect once per case.
    effects: tuple[Callable, ...] = field(default=(), compare=False)


ASSIGN = "分發委員"
ASSIGNED = "已分發{round}委員：{names}。"
REVIEWS_DONE = "委員審查完成"
DECIDED = "已判定「{label}」。"
DECISION_NEEDS_REASON = "「{label}」請填寫原因訊息。"
# The target of a row that leaves the case where it is (延長期限): the engine keeps its state.
SAME_STATE = ""
PASS = "通過"  # nosec B105 # the verdict 通過, not a password

# 申請 opens the case (workflow.open_case); it is no transition, but its event and label are the table's.
OPENING = Transition(
    action="apply",
    sources=(),
    target=State.PREPARING,
    roles=(TEACHER,),
    label="申請",
    route="certification:apply",
    done="已建立{short}申請，請於編輯表單列表中填寫或上傳各項表單。",
    notice=SILENT,
)

TRANSITIONS: list[Transition] = [
    Transition(
        action="submit",
        sources=(State.PREPARING,),
        target=State.FORMAL_REVIEW,
        roles=(TEACHER,),
        label="送出審查文件",
        route="certification:submit",
        opens_page=True,
        confirm="送出後，所有表單將鎖定，無法再修改；縣市教專中心將進行形式審查，結果會以訊息通知及電子郵件告知您。",
        done="已送出審查文件。",
        round=FIRST,
        # 申請截止 is also the last moment to send (or the date an extension gave the case).
        guards=(deadlines.within_submit_deadline,),
        checks=(submission.every_slot_complete,),
        # Every answer and file, frozen as the round's submission.
        effects=(submissions.freeze, deadlines.close_revision_window),
        # Not in the seed: the teacher's receipt.
        notice=Notice(
            "{type}已收到送審文件",
            "感謝您申請{type}，已收到您的送審文件，將由縣市教專中心進行形式審查，審查結果將另行通知，謝謝。",
            optional=True,
        ),
    ),
    Transition(
        action="formal_pass",
        sources=(State.FORMAL_REVIEW,),
        target=State.FIRST_ASSIGN,
        roles=OFFICE,
        label="通過 (準備分發委員)",
        route="review:formal",
        done="形式審查已通過 (準備分發委員)。",
        checks=(_verdicts_complete,),
        # Not in the seed.
        notice=Notice(
            "{type}形式審查通過",
            "感謝您申請{type}，您的認證資料已通過形式審查，將分發審查委員進行初審，審查結果將另行通知，謝謝。",
            shows_reason=True,
        ),
    ),
    Transition(
        action="formal_return",
        sources=(State.FORMAL_REVIEW,),
        target=State.PREPARING,
        roles=OFFICE,
        label="退件 (退回再編輯修正)",
        route="review:formal",
        done="已退件 (退回再編輯修正)。",
        reason_required="退件請填寫原因訊息。",
        checks=(_verdicts_complete,),
        notice=Notice(
            "申請{type}退件",
            "感謝您申請{type}，因您的認證資料有誤，請依形式審查意見補齊後再重新申請認證。",
            shows_reason=True,
        ),
    ),
    Transition(
        action="assign_first",
        sources=(State.FIRST_ASSIGN,),
        target=State.FIRST_REVIEW,
        roles=OFFICE,
        label=ASSIGN,
        route="review:assign",
        done=ASSIGNED,
        round=FIRST,
        notice=SILENT,
    ),
    Transition(
        action="first_reviews_done",
        sources=(State.FIRST_REVIEW,),
        target=State.FIRST_DECISION,
        roles=(SYSTEM,),
        label=REVIEWS_DONE,
        round=FIRST,
        notice=SILENT,
    ),
    Transition(
        action="first_pass",
        sources=(State.FIRST_DECISION,),
        target=State.PASSED,
        roles=OFFICE,
        label="通過 / 修正後通過 (代表通過)",
        route="review:decide",
        done=DECIDED,
        round=FIRST,
        notice=Notice(
            "{type}通過",
            "感謝您申請{type}，您的初審結果為「通過」，可取得證書。證書將於所有認證審查完成後統一核發，謝謝。",
            shows_reason=True,
        ),
    ),
    Transition(
        action="first_revise",
        sources=(State.FIRST_DECISION,),
        target=State.FIRST_REVISION,
        roles=OFFICE,
        label="修正後複審",
        route="review:decide",
        done=DECIDED,
        reason_required=DECISION_NEEDS_REASON,
        round=FIRST,
        # The 修正期限 of the case's period starts with this notice.
        effects=(deadlines.open_revision_window,),
        notice=Notice(
            "{type}請修正送複審",
            "感謝您申請{type}，您的初審結果為修正後複審，請您依據審查委員意見修正後再申請複審。"
            "如有需要，可洽詢所屬縣市之教專中心安排複審諮詢，謝謝。",
            shows_reason=True,
            shows_action_deadline=True,
        ),
    ),
    Transition(
        action="first_fail",
        sources=(State.FIRST_DECISION,),
        target=State.FIRST_FAILED,
        roles=OFFICE,
        label="未通過 (可以申復)",
        route="review:decide",
        done=DECIDED,
        reason_required=DECISION_NEEDS_REASON,
        round=FIRST,
        effects=(deadlines.open_appeal_window,),
        notice=Notice(
            "初審{type}未通過",
            "感謝您申請{type}，因資料有所不足，初審委員評為認證不通過，" + _OPINIONS + _APPEAL_OR_LATER,
            shows_reason=True,
            shows_appeal_deadline=True,
        ),
    ),
    Transition(
        action="resubmit",
        sources=(State.FIRST_REVISION,),
        target=State.SECOND_ASSIGN,
        roles=(TEACHER,),
        label="送出複審資料",
        route="certification:act",
        opens_page=True,
        confirm="送出後，所有表單將鎖定，無法再修改；縣市教專中心將分發委員進行複審，結果會以訊息通知及電子郵件告知您。",
        done="已送出複審資料。",
        round=SECOND,
        guards=(deadlines.within_revision_deadline,),
        checks=(submission.every_slot_complete,),
        # Every answer and file, frozen as the round's submission.
        effects=(submissions.freeze, deadlines.close_revision_window),
        # Not in the seed.
        notice=Notice(
            "{type}已收到複審資料",
            "感謝您申請{type}，已收到您修正後的複審資料，將分發審查委員進行複審，審查結果將另行通知，謝謝。",
            optional=True,
        ),
    ),
    Transition(
        action="assign_second",
        sources=(State.SECOND_ASSIGN,),
        target=State.SECOND_REVIEW,
        roles=OFFICE,
        label=ASSIGN,
        route="review:assign",
        done=ASSIGNED,
        round=SECOND,
        notice=SILENT,
    ),
    Transition(
        action="second_reviews_done",
        sources=(State.SECOND_REVIEW,),
        target=State.SECOND_DECISION,
        roles=(SYSTEM,),
        label=REVIEWS_DONE,
        round=SECOND,
        notice=SILENT,
    ),
    Transition(
        action="second_pass",
        sources=(State.SECOND_DECISION,),
        target=State.PASSED,
        roles=OFFICE,
        label=PASS,
        route="review:decide",
        done=DECIDED,
        round=SECOND,
        notice=_PASSED,
    ),
    Transition(
        action="second_fail",
        sources=(State.SECOND_DECISION,),
        target=State.SECOND_FAILED,
        roles=OFFICE,
        label="未通過 (可申復)",
        route="review:decide",
        done=DECIDED,
        reason_required=DECISION_NEEDS_REASON,
        round=SECOND,
        effects=(deadlines.open_appeal_window,),
        notice=Notice(
            "複審{type}未通過",
            "感謝您申請{type}，因您的複審資料仍有不足，經複審委員評為認證不通過，" + _OPINIONS + _APPEAL_OR_LATER,
            shows_reason=True,
            shows_appeal_deadline=True,
        ),
    ),
    Transition(
        action="appeal",
        sources=(State.FIRST_FAILED, State.SECOND_FAILED),
        target=State.APPEAL_INTAKE,
        roles=(TEACHER,),
        label="申復",
        # Files the 申覆文件 the teacher saved (review.appeals); the form is a row of 編輯表單列表.
        route="review:appeal_send",
        done="已提出申復，縣市教專中心將確認是否受理。",
        guards=(deadlines.within_appeal_window,),
        # After the window 申復 is gone, not greyed: the page says the window closed.
        hidden_when_unavailable=True,
        checks=(_appeal_form_given,),
        effects=(deadlines.close_appeal_window,),
        # Not in the seed.
        notice=Notice(
            "申請{short}已收到申復申請",
            "感謝您申請{short}，已收到您的認證審查結果申復表，將由縣市教專中心確認是否受理申復申請案，"
            "結果將另行通知，謝謝。",
            optional=True,
        ),
    ),
    Transition(
        action="appeal_expire",
        sources=(State.FIRST_FAILED, State.SECOND_FAILED),
        target=State.FAILED,
        roles=(SYSTEM,),
        label="申復期限已過",
        effects=(deadlines.close_appeal_window,),
        # Not in the seed.
        notice=Notice(
            "申請{short}申復期限已過",
            "感謝您申請{short}，您未於審查結果通知後10日內（含假日）提出申復，申復期限已過，認證結果為不合格，"
            + _OPINIONS
            + _LATER_AGAIN,
        ),
    ),
    Transition(
        action="appeal_accept",
        sources=(State.APPEAL_INTAKE,),
        target=State.APPEAL_REVISION,
        roles=OFFICE,
        label="申復申請案受理 (將進行申復審查)",
        route="review:appeal_intake",
        done="申復申請案已受理。",
        # The 申復修正期限 of the case's period starts with this notice.
        effects=(deadlines.open_revision_window,),
        # Not in the seed.
        notice=Notice(
            "申請{short}申復申請案受理",
            "感謝您申請{short}，您的申復申請案已受理，將進行申復審查。請您依據審查委員意見修正資料後，"
            "按「申復重新送審」重新送審，謝謝。",
            shows_reason=True,
            shows_action_deadline=True,
        ),
    ),
    Transition(
        action="appeal_reject",
        sources=(State.APPEAL_INTAKE,),
        target=State.FAILED,
        roles=OFFICE,
        label="申復申請案未受理",
        route="review:appeal_intake",
        done="申復申請案未受理。",
        reason_required="申復申請案未受理請填寫原因訊息。",
        # SPEC §7 asks for it in the same voice.
        notice=Notice(
            "申請{short}申復申請案未受理",
            "感謝您申請{short}，您的申復申請案未受理，認證結果為不合格，" + _OPINIONS + _LATER_AGAIN,
            shows_reason=True,
        ),
    ),
    Transition(
        action="appeal_resubmit",
        sources=(State.APPEAL_REVISION,),
        target=State.APPEAL_ASSIGN,
        roles=(TEACHER,),
        label="申復重新送審",
        route="certification:act",
        opens_page=True,
        confirm="送出後，所有表單將鎖定，無法再修改；縣市教專中心將分發委員進行申復審查，結果會以訊息通知及電子郵件告知您。",
        done="已申復重新送審。",
        round=APPEAL,
        guards=(deadlines.within_revision_deadline,),
        checks=(submission.every_slot_complete,),
        # Every answer and file, frozen as the round's submission.
        effects=(submissions.freeze, deadlines.close_revision_window),
        # Not in the seed.
        notice=Notice(
            "申請{short}已收到申復重新送審資料",
            "感謝您申請{short}，已收到您申復重新送審的資料，將分發審查委員進行申復審查，審查結果將另行通知，謝謝。",
            optional=True,
        ),
    ),
    Transition(
        action="assign_appeal",
        sources=(State.APPEAL_ASSIGN,),
        target=State.APPEAL_REVIEW,
        roles=OFFICE,
        label=ASSIGN,
        route="review:assign",
        done=ASSIGNED,
        round=APPEAL,
        notice=SILENT,
    ),
    Transition(
        action="appeal_reviews_done",
        sources=(State.APPEAL_REVIEW,),
        target=State.APPEAL_DECISION,
        roles=(SYSTEM,),
        label=REVIEWS_DONE,
        round=APPEAL,
        notice=SILENT,
    ),
    Transition(
        action="appeal_pass",
        sources=(State.APPEAL_DECISION,),
        target=State.PASSED,
        roles=OFFICE,
        label=PASS,
        route="review:decide",
        done=DECIDED,
        round=APPEAL,
        notice=_PASSED,
    ),
    Transition(
        action="appeal_fail",
        sources=(State.APPEAL_DECISION,),
        target=State.FAILED,
        roles=OFFICE,
        label="未通過",
        route="review:decide",
        done=DECIDED,
        reason_required=DECISION_NEEDS_REASON,
        round=APPEAL,
        # SPEC §7, including the seed's 申覆.
        notice=Notice(
            "申請{short}申覆不成功",
            "感謝您申請{short}，您的申復結果為不合格，" + _OPINIONS + _LATER_AGAIN,
            shows_reason=True,
        ),
    ),
    Transition(
        action="revision_expire",
        sources=(State.FIRST_REVISION, State.APPEAL_REVISION),
        target=State.FAILED,
        roles=(SYSTEM,),
        label="修正期限已過",
        effects=(deadlines.close_revision_window,),
        # Not in the seed.
        notice=Notice(
            "申請{short}修正期限已過",
            "感謝您申請{short}，您未於修正期限內送出修正資料，修正期限已過，認證結果為不合格，" + _LATER_AGAIN,
        ),
    ),
    # Not in the seed: more time for one teacher (sick leave, say). The case stays where it is;
    # the event keeps who, when, why and the old and new date (its extra), the teacher is told.
    Transition(
        action="extend_deadline",
        sources=(State.PREPARING, State.FIRST_REVISION, State.APPEAL_REVISION),
        target=SAME_STATE,
        roles=OFFICE,
        label="延長期限",
        route="review:extend_deadline",
        done="已延長期限。",
        reason_required="延長期限請填寫原因訊息。",
        effects=(deadlines.extend,),
        notice=Notice(
            "申請{short}期限已延長",
            "感謝您申請{short}，縣市教專中心已延長您的期限。",
            shows_reason=True,
            shows_action_deadline=True,
        ),
    ),
    Transition(
        action="approve",
        sources=(State.PASSED,),
        target=State.APPROVED,
        roles=(ADMIN,),
        label="核定可產證",
        route="review:issuing",
        done="已核定可產證 {count} 件。",
        # SPEC §7 "已發證, announced": the results are announced.
        notice=Notice(
            "{type}已公告",
            "感謝您申請{type}，審查結果已公告，證書字號將請教育部核定後公告，屆時可至個人資訊頁面檢視。"
            "證書將統一印製後寄發，請您耐心等待，謝謝。",
            optional=True,
        ),
    ),
    Transition(
        action="issue",
        sources=(State.APPROVED,),
        target=State.ISSUED,
        roles=(ADMIN,),
        label="發證",
        route="review:issuing",
        done="已發證 {count} 件。",
        effects=(certificates.number_certificate,),
        notice=Notice(
            "{type}數位研習證明已核發",
            "感謝您參與{training}培訓，數位研習證明已核發，您可至個人資訊頁面檢視，謝謝。",
            optional=True,
        ),
    ),
    # Not in the seed: withdrawing a certificate issued in error, and undoing that.
    Transition(
        action="revoke",
        sources=(State.ISSUED,),
        target=State.REVOKED,
        roles=(ADMIN,),
        label="撤銷證書",
        route="review:certificate_status",
        done="已撤銷證書。",
        reason_required="撤銷證書請填寫原因訊息。",
        checks=(revocation.category_given,),
        effects=(revocation.mark_revoked,),
        notice=Notice(
            "{type}證書已撤銷",
            "您的{type}證書已由教育部撤銷，證書查驗頁面將顯示為已撤銷。如有疑義，請聯繫教師專業發展支持作業平臺工作小組。",
            shows_reason=True,
        ),
    ),
    Transition(
        action="restore",
        sources=(State.REVOKED,),
        target=State.ISSUED,
        roles=(ADMIN,),
        label="恢復證書",
        route="review:certificate_status",
        done="已恢復證書。",
        reason_required="恢復證書請填寫原因訊息。",
        effects=(revocation.mark_restored,),
        notice=Notice(
            "{type}證書已恢復",
            "您的{type}證書已由教育部恢復為有效，證書查驗頁面將顯示為有效，謝謝。",
            shows_reason=True,
        ),
    ),
]


# --- read from the table above (never edit these; edit the rows) -----------------------------------

BY_STATE: dict[str, StateSpec] = {state.code: state for state in STATES}
BY_ACTION: dict[str, Transition] = {step.action: step for step in TRANSITIONS}
ACTIONS: list[Transition] = [OPENING, *TRANSITIONS]
ACTION_CHOICES = [(step.action, step.label) for step in ACTIONS]

STATE_LABELS = {state.code: state.label for state in STATES}
STATE_CHOICES = list(STATE_LABELS.items())
EDITABLE_STATES = frozenset(state.code for state in STATES if state.teacher_edits)
FINAL_STATES = frozenset(state.code for state in STATES if state.final)
APPEALABLE_STATES = tuple(BY_ACTION["appeal"].sources)

# The office's queue: first the states in which an officer acts, in the order a case meets them,
# then the states waiting for someone else, then the results (撤銷證書 of an 已發證 case is no work
# waiting: a result stays among the results).
_OFFICE_ACTS = {
    source
    for step in TRANSITIONS
    if set(step.roles) & set(OFFICE) and step.target != SAME_STATE
    for source in step.sources
    if not BY_STATE[source].outcome
}
OFFICE_STATES = tuple(state.code for state in STATES if state.code in _OFFICE_ACTS)
OTHER_STATES = tuple(
    state.code for state in sorted((s for s in STATES if s.code not in _OFFICE_ACTS), key=lambda s: s.outcome)
)


def label(state: str) -> str:
    """The 狀態 of a state code (the code itself for one the table does not know)."""
    spec = BY_STATE.get(state)
    return spec.label if spec else state


def label_of(action: str) -> str:
    """The label of an action as the seed words it (the code itself for one the table does not know)."""
    step = BY_ACTION.get(action) or (OPENING if action == OPENING.action else None)
    return step.label if step else action


def offered_on(route: str) -> list[Transition]:
    """The rows a page offers, in the table's order (review:decide → every round's decisions)."""
    return [step for step in TRANSITIONS if step.route == route]


def state_in(round: str, stage: str) -> str:
    """The state of a round's stage: state_in(SECOND, "review") == "second_review"."""
    return next(state.code for state in STATES if state.round == round and state.stage == stage)


def round_action(round: str, route: str = "", roles: tuple[str, ...] = ()) -> str:
    """The round's one action offered on `route` (review:assign) or taken by `roles` ((SYSTEM,))."""
    return next(
        step.action
        for step in TRANSITIONS
        if step.round == round and (route and step.route == route or roles and step.roles == roles)
    )


def decisions_of(round: str) -> list[str]:
    """The actions that decide a round (its 判定), in the order the office reads them."""
    return [step.action for step in offered_on("review:decide") if step.round == round]
