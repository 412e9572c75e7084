"""A case's page (流程進度), the template chosen for each slot, and 送出審查文件."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from proteacher.accounts.decorators import teacher_required
from proteacher.certification import workflow
from proteacher.certification.models import CaseEvent, FormSlot, SlotAnswer
from proteacher.certification.selectors import case_for, own_case_for, slot_of
from proteacher.certification.workflow import EDITABLE_STATES, State, WorkflowError
from proteacher.documents import services
from proteacher.documents.catalogue import UnknownTemplate, get_template, title_of

# 相關訊息: what happens next, in the teacher's words, per state. Change the wording here only.
NEXT_STEPS = {
    State.PREPARING: "請完成下列所有表單後，按「送出審查文件」。",
    State.FORMAL_REVIEW: "已送出審查文件，縣市教專中心正在進行形式審查。",
    State.FIRST_ASSIGN: "形式審查已通過，等待分發初審委員。",
    State.FIRST_REVIEW: "初審委員審查中，請耐心等候審查結果。",
    State.FIRST_DECISION: "初審委員已完成審查，等待縣市教專中心判定初審結果。",
    State.FIRST_REVISION: "初審結果為修正後複審：請依審查意見修正表單後，按「送出複審資料」。",
    State.FIRST_FAILED: "初審未通過。若對審查意見有疑義，可於收到通知後10日(含假日)內提出申復。",
    State.SECOND_ASSIGN: "已送出複審資料，等待分發複審委員。",
    State.SECOND_REVIEW: "複審委員審查中，請耐心等候審查結果。",
    State.SECOND_DECISION: "複審委員已完成審查，等待縣市教專中心判定複審結果。",
    State.SECOND_FAILED: "複審未通過。若對審查意見有疑義，可於收到通知後10日(含假日)內提出申復。",
    State.APPEAL_INTAKE: "已提出申復，縣市教專中心正在確認是否受理。",
    State.APPEAL_REVISION: "申復已受理：請修正表單後，按「申復重新送審」。",
    State.APPEAL_ASSIGN: "已申復重新送審，等待分發申復審查委員。",
    State.APPEAL_REVIEW: "申復審查委員審查中，請耐心等候審查結果。",
    State.APPEAL_DECISION: "申復審查委員已完成審查，等待判定申復結果。",
    State.PASSED: "審查結果為「通過」，證書將於所有認證審查完成後統一核發。",
    State.APPROVED: "已核定可產證，證書字號公告後可至個人資訊頁面檢視。",
    State.ISSUED: "已發證，證書字號可至個人資訊頁面檢視。",
    State.FAILED: "本學年度認證結果為不合格。可於研習時數之檢核時效內，未來再重新申請認證。",
}

# The state actions this page has a button for, and where the button posts.
ACTION_ROUTES = {"submit": "certification:submit"}

# 說明 of the case's history: the button or decision that made each change.
EVENT_LABELS = {"apply": "申請"} | {step.action: step.label for step in workflow.TRANSITIONS}

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


def _history(case) -> list[dict]:
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
        for event in CaseEvent.objects.filter(case=case).only("at", "action", "from_state", "to_state", "reason")
    ]


@login_required
def case_page(request, pk):
    """流程進度: the teacher edits here; 縣市 of the case's county and 管理者 read it."""
    case = case_for(request.user, pk)
    is_owner = case.teacher_id == request.user.pk
    history = _history(case)
    actions = [
        {"step": step, "reason": reason, "url": reverse(ACTION_ROUTES[step.action], args=[case.pk])}
        for step, reason in workflow.available_actions(case, request.user)
        if step.action in ACTION_ROUTES
    ]
    return render(
        request,
        "certification/case.html",
        {
            "case": case,
            "type": case.certification_type,
            "state_label": workflow.label(case.state),
            "next_step": NEXT_STEPS.get(case.state, ""),
            # 原因訊息: why the case came to this state (退件, 修正後複審 …), as the office wrote it.
            "reason": history[-1]["reason"] if history else "",
            "rows": _slot_rows(case),
            "editable": is_owner and case.state in EDITABLE_STATES,
            "is_owner": is_owner,
            "actions": actions,
            "history": history,
        },
    )


@teacher_required
@require_POST
def submit(request, pk):
    """送出審查文件: the workflow checks state and freshness, submission.py checks the forms."""
    case = own_case_for(request.user, pk)
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = -1  # no revision posted: treated as a stale page
    try:
        workflow.transition(case, "submit", request.user, expected_revision=revision)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已送出審查文件。")
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
