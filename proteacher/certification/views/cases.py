"""A case's page (流程進度), the template chosen for each slot, the teacher's state actions, and
查看表單列表 (the 形式審查表 and 審查標準表 the page's reader may see)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from proteacher.accounts.decorators import teacher_required
from proteacher.accounts.models import Role
from proteacher.certification import workflow
from proteacher.certification.models import CaseEvent, FormSlot, SlotAnswer
from proteacher.certification.selectors import case_page_for, own_case_for, slot_of
from proteacher.certification.workflow import EDITABLE_STATES, State, WorkflowError
from proteacher.documents import engine, services
from proteacher.documents.catalogue import UnknownTemplate, get_template, title_of
from proteacher.review.appeals import APPEALABLE_STATES, format_deadline
from proteacher.review.models import Assignment, FormalReview, ReviewRound

# 相關訊息: what happens next, in the teacher's words, per state. Change the wording here only.
NEXT_STEPS = {
    State.PREPARING: "請完成下列所有表單後，按「送出審查文件」。",
    State.FORMAL_REVIEW: "已送出審查文件，縣市教專中心正在進行形式審查。",
    State.FIRST_ASSIGN: "形式審查已通過，等待分發初審委員。",
    State.FIRST_REVIEW: "初審委員審查中，請耐心等候審查結果。",
    State.FIRST_DECISION: "初審委員已完成審查，等待縣市教專中心判定初審結果。",
    State.FIRST_REVISION: (
        "初審結果為修正後複審：請參閱查看表單列表中的審查標準表與原因訊息，修正表單後按「送出複審資料」。"
    ),
    State.FIRST_FAILED: (
        "初審未通過。若對審查意見有疑義，可於收到通知後10日(含假日)內填寫申復表提出申復；"
        "逾期未申復，認證結果即為不合格。"
    ),
    State.SECOND_ASSIGN: "已送出複審資料，等待分發複審委員。",
    State.SECOND_REVIEW: "複審委員審查中，請耐心等候審查結果。",
    State.SECOND_DECISION: "複審委員已完成審查，等待縣市教專中心判定複審結果。",
    State.SECOND_FAILED: (
        "複審未通過。若對審查意見有疑義，可於收到通知後10日(含假日)內填寫申復表提出申復；"
        "逾期未申復，認證結果即為不合格。"
    ),
    State.APPEAL_INTAKE: "已提出申復，縣市教專中心正在確認是否受理。",
    State.APPEAL_REVISION: ("申復已受理：請參閱查看表單列表中的審查標準表與原因訊息，修正表單後按「申復重新送審」。"),
    State.APPEAL_ASSIGN: "已申復重新送審，等待分發申復審查委員。",
    State.APPEAL_REVIEW: "申復審查委員審查中，請耐心等候審查結果。",
    State.APPEAL_DECISION: "申復審查委員已完成審查，等待判定申復結果。",
    State.PASSED: "審查結果為「通過」，證書將於所有認證審查完成後統一核發。",
    State.APPROVED: "已核定可產證，證書字號公告後可至個人資訊頁面檢視。",
    State.ISSUED: "已發證，證書字號與數位研習證明可至個人資訊頁面檢視。",
    State.FAILED: "本學年度認證結果為不合格。可於研習時數之檢核時效內，未來再重新申請認證。",
}
# 準備資料 again after 退件: the forms are back with the teacher, with the officer's reasons.
RETURNED_STEP = "形式審查退件：請參閱查看表單列表中的形式審查表與原因訊息，修正表單後再按「送出審查文件」。"

# The state actions this page has a button for, and where the button goes. 申復 opens the
# 申復表 first; the others post from here.
ACTION_ROUTES = {
    "submit": "certification:submit",
    "resubmit": "certification:act",
    "appeal_resubmit": "certification:act",
    "appeal": "certification:appeal",
}
LINK_ACTIONS = frozenset({"appeal"})
# certification:act: the teacher's actions posted from this page, and what the teacher reads after.
TEACHER_ACTIONS = {"resubmit": "已送出複審資料。", "appeal_resubmit": "已申復重新送審。"}

# 說明 of the case's history: the button or decision that made each change.
EVENT_LABELS = {"apply": "申請"} | {step.action: step.label for step in workflow.TRANSITIONS}

# The 形式審查表 exists once an officer decided; a round's 審查標準表 reaches the teacher only once
# the round is decided, by one of these actions.
FORMAL_DECISIONS = frozenset({"formal_pass", "formal_return"})
ROUND_DECISIONS = {
    ReviewRound.FIRST: frozenset({"first_pass", "first_revise", "first_fail"}),
    ReviewRound.SECOND: frozenset({"second_pass", "second_fail"}),
    ReviewRound.APPEAL: frozenset({"appeal_pass", "appeal_fail"}),
}
# 委員一, 委員二 …: how the teacher tells the reviewers' forms apart without their names.
NUMERALS = "一二三四五六七八九十"

STALE_PAGE = "此頁面的資料已經更新，請重新整理後再操作。"


@dataclass
class SlotRow:
    """One line of 編輯表單列表."""

    slot: FormSlot
    answer: SlotAnswer | None
    choices: list[tuple[str, str]]  # (template code, title) for the drop-down

    @property
    def chosen_title(self) -> str:
        return _title(self.answer) if self.answer else ""

    @property
    def status(self) -> str:
        if self.answer is None:
            return "未填寫"
        return "已完成" if self.answer.is_complete else "尚未完成"

    @property
    def is_upload(self) -> bool:
        return bool(self.answer and self.answer.file)


def _title(answer: SlotAnswer) -> str:
    # The title of the version the answer was made with: an old case keeps its old names.
    try:
        return get_template(answer.template_code, answer.template_version).title
    except UnknownTemplate:
        return title_of(answer.template_code)


def _slot_rows(case) -> list[SlotRow]:
    slots = FormSlot.objects.filter(certification_type_id=case.certification_type_id).order_by("sort_order", "id")
    # The answers' JSON can be large (a Flanders code list, long notes) and the list needs none of it.
    answers = {answer.slot_code: answer for answer in SlotAnswer.objects.filter(case=case).defer("data")}
    rows = []
    for slot in slots:
        answer = answers.get(slot.code)
        codes = list(slot.template_codes)
        if answer is not None and answer.template_code not in codes:
            # A template 管理者 removed from the slot after the teacher used it still shows.
            codes.insert(0, answer.template_code)
        rows.append(SlotRow(slot, answer, [(code, title_of(code)) for code in codes]))
    return rows


def _events(case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).only("at", "action", "from_state", "to_state", "reason"))


def _history(events: list[CaseEvent]) -> list[dict]:
    # Only states, actions and reasons: never who acted (reviewers stay anonymous to the teacher).
    return [
        {
            "at": event.at,
            "change": (
                f"{workflow.label(event.from_state)} → {workflow.label(event.to_state)}"
                if event.from_state
                else workflow.label(event.to_state)
            ),
            "action": EVENT_LABELS.get(event.action, event.action),
            "reason": event.reason,
        }
        for event in events
    ]


def _is_office(user) -> bool:
    return user.role in (Role.COUNTY, Role.ADMIN)


def _standard_form_name(case) -> str:
    """進階審查標準表 for 進階認證: the reviewers' form as SPEC §5.2 names it for the type."""
    return f"{case.certification_type.short_name.removesuffix('認證')}審查標準表"


def _shown_rounds(events: list[CaseEvent], *, office: bool) -> list[str]:
    """The rounds whose 審查標準表 the reader may see: decided ones; for the office also those
    whose reviews are all in (the office decides on them)."""
    actions = {event.action for event in events}
    return [
        round_code
        for round_code, decisions in ROUND_DECISIONS.items()
        if actions & decisions or (office and f"{round_code}_reviews_done" in actions)
    ]


def _review_forms(case, events: list[CaseEvent], *, office: bool) -> list[dict]:
    """查看表單列表 on the case page, read from the events the page loads anyway (no query of its
    own): the review forms, and the 申復表 once filed."""
    reviews_url = reverse("certification:reviews", args=[case.pk])
    forms = []
    if any(event.action in FORMAL_DECISIONS for event in events):
        forms.append({"url": f"{reviews_url}#formal", "title": "形式審查表"})
    for round_code in _shown_rounds(events, office=office):
        title = f"{_standard_form_name(case)} {ReviewRound(round_code).label}"
        forms.append({"url": f"{reviews_url}#{round_code}", "title": title})
    if any(event.action == "appeal" for event in events):
        forms.append({"url": reverse("certification:appeal", args=[case.pk]), "title": "認證審查結果申復表"})
    return forms


def _next_step(case, events: list[CaseEvent]) -> str:
    if case.state == State.PREPARING and events and events[-1].action == "formal_return":
        return RETURNED_STEP
    return NEXT_STEPS.get(case.state, "")


def _actions(case, user) -> list[dict]:
    actions = []
    for step, reason in workflow.available_actions(case, user):
        if step.action in ACTION_ROUTES:
            actions.append(
                {
                    "step": step,
                    "reason": reason,
                    "url": reverse(ACTION_ROUTES[step.action], args=[case.pk]),
                    "is_link": step.action in LINK_ACTIONS,
                    # 申復 after its window is not greyed but gone; the page says the window closed.
                    "hidden": step.action == "appeal" and reason is not None,
                }
            )
    return actions


@login_required
def case_page(request, pk):
    """流程進度: the teacher edits here; 縣市 of the case's county and 管理者 read it."""
    case = case_page_for(request.user, pk)
    is_owner = case.teacher_id == request.user.pk
    events = _events(case)
    history = _history(events)
    in_window = case.state in APPEALABLE_STATES and case.appeal_deadline is not None
    return render(
        request,
        "certification/case.html",
        {
            "case": case,
            "type": case.certification_type,
            "state_label": workflow.label(case.state),
            "next_step": _next_step(case, events),
            # 原因訊息: why the case came to this state (退件, 修正後複審 …), as the office wrote it.
            "reason": history[-1]["reason"] if history else "",
            "rows": _slot_rows(case),
            "editable": is_owner and case.state in EDITABLE_STATES,
            "is_owner": is_owner,
            "actions": _actions(case, request.user),
            "appeal_deadline": format_deadline(case.appeal_deadline) if in_window else "",
            "review_forms": _review_forms(case, events, office=_is_office(request.user)),
            "history": history,
        },
    )


def _formal_rows(case, formal: FormalReview) -> list[dict]:
    slots = FormSlot.objects.filter(certification_type_id=case.certification_type_id).order_by("sort_order", "id")
    labels = {slot.code: slot.label for slot in slots}
    # The slots in list order, then any the officer judged that the type no longer has.
    codes = list(labels) + [code for code in formal.slots if code not in labels]
    rows = []
    for code in codes:
        verdict = formal.slots.get(code)
        if verdict is None:
            continue
        rows.append(
            {"label": labels.get(code, code), "ok": bool(verdict.get("ok")), "reason": verdict.get("reason", "")}
        )
    return rows


def _standard_forms(assignments: list[Assignment], *, office: bool) -> list[dict]:
    forms = []
    for number, assignment in enumerate(assignments):
        try:
            template = get_template(assignment.template_code, assignment.template_version)
        except UnknownTemplate:
            template = None
        if office:
            who = assignment.reviewer.name or assignment.reviewer.username
        else:
            who = f"委員{NUMERALS[number]}" if number < len(NUMERALS) else f"委員{number + 1}"
        forms.append(
            {
                "who": who,
                "submitted_at": assignment.submitted_at,
                "title": template.title if template else "",
                "sections": engine.bound_sections(template, assignment.data, editable=False) if template else [],
                "recommendation": assignment.recommendation,
            }
        )
    return forms


@login_required
def reviews(request, pk):
    """查看表單列表: the 形式審查表 and each round's 審查標準表, read-only. The teacher reads their
    own case's, with the reviewers as 委員一, 委員二 … and only rounds already decided; the office
    reads its cases' with names. A 委員 reads their own form on their own page, not here."""
    case = case_page_for(request.user, pk)
    office = _is_office(request.user)
    if not office and case.teacher_id != request.user.pk:
        raise Http404("沒有這個申請。")
    events = _events(case)
    formal = None
    if any(event.action in FORMAL_DECISIONS for event in events):
        formal = FormalReview.objects.filter(case=case).select_related("officer").first()
    rounds = _shown_rounds(events, office=office)
    assignments = (
        Assignment.objects.filter(case=case, round__in=rounds, submitted_at__isnull=False)
        .select_related("reviewer")
        .order_by("assigned_at", "pk")
    )
    by_round: dict[str, list[Assignment]] = {}
    for assignment in assignments:
        by_round.setdefault(assignment.round, []).append(assignment)
    decisions = {event.action: event for event in events}
    standard = []
    for round_code in rounds:
        decided = next((decisions[a] for a in ROUND_DECISIONS[round_code] if a in decisions), None)
        standard.append(
            {
                "anchor": round_code,
                "title": f"{_standard_form_name(case)} {ReviewRound(round_code).label}",
                "forms": _standard_forms(by_round.get(round_code, []), office=office),
                "decision": EVENT_LABELS.get(decided.action, "") if decided else "",
                "reason": decided.reason if decided else "",
            }
        )
    return render(
        request,
        "certification/reviews.html",
        {
            "case": case,
            "type": case.certification_type,
            "office": office,
            "formal": formal,
            "formal_rows": _formal_rows(case, formal) if formal else [],
            "standard": standard,
        },
    )


def _posted_revision(request) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1  # no revision posted: treated as a stale page


@teacher_required
@require_POST
def submit(request, pk):
    """送出審查文件: the workflow checks state and freshness, submission.py checks the forms."""
    case = own_case_for(request.user, pk)
    try:
        workflow.transition(case, "submit", request.user, expected_revision=_posted_revision(request))
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已送出審查文件。")
    return redirect("certification:case", pk=case.pk)


@teacher_required
@require_POST
def act(request, pk):
    """送出複審資料 / 申復重新送審 from the case page: the workflow checks the state and the page's
    freshness, and (its side effect) that every form is complete, as for 送出審查文件."""
    case = own_case_for(request.user, pk)
    action = request.POST.get("action", "")
    if action not in TEACHER_ACTIONS:
        messages.error(request, "沒有這個操作。")
        return redirect("certification:case", pk=case.pk)
    try:
        workflow.transition(case, action, request.user, expected_revision=_posted_revision(request))
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, TEACHER_ACTIONS[action])
    return redirect("certification:case", pk=case.pk)


def _go(request, url: str):
    # htmx follows a plain redirect inside its request and would swap the next page into the
    # dialog; tell it to navigate instead.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@teacher_required
@require_POST
def change_template(request, pk, slot_code):
    """Choose another template for a filled slot: asks first, discards the old answer on 確定變更."""
    case = own_case_for(request.user, pk)
    slot = slot_of(case, slot_code)
    case_url = reverse("certification:case", args=[case.pk])
    try:
        services.ensure_editable(case)
    except services.FormError as error:
        messages.error(request, error.message)
        return _go(request, case_url)
    wanted = request.POST.get("template", "")
    if wanted not in slot.template_codes:
        messages.error(request, f"「{slot.label}」沒有這個表件，請重新選擇。")
        return _go(request, case_url)
    edit_url = reverse("certification:slot_edit", args=[case.pk, slot.code]) + "?" + urlencode({"template": wanted})
    answer = SlotAnswer.objects.filter(case=case, slot_code=slot.code).defer("data").first()
    if answer is None or answer.template_code == wanted:
        return _go(request, edit_url)
    if request.POST.get("confirm") != "1":
        page = "case_change_template_dialog.html" if request.htmx else "case_change_template.html"
        return render(
            request,
            f"certification/{page}",
            {
                "case": case,
                "type": case.certification_type,
                "slot": slot,
                "current_title": _title(answer),
                "wanted": wanted,
                "wanted_title": title_of(wanted),
                "answer": answer,
            },
        )
    if str(answer.revision) != request.POST.get("answer_revision"):
        # Saved again since the question was asked: the teacher agreed to lose other content.
        messages.error(request, STALE_PAGE)
        return _go(request, case_url)
    try:
        services.discard_answer(case, slot)
    except services.FormError as error:
        messages.error(request, error.message)
        return _go(request, case_url)
    messages.success(request, f"已刪除「{_title(answer)}」的內容，請填寫「{title_of(wanted)}」。")
    return _go(request, edit_url)
