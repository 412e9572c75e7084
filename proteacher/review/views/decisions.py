"""The office's decisions on a case, posted from its page: 形式審查 (通過 / 退件), 初審判定 / 複審判定 /
申復判定, and 申復申請案 受理 / 未受理.

Each has one shape: the form is read; while the page is current, a form that needs fixing is
shown again with what was typed; otherwise the service is called with the state and revision the
page showed, so a stale page or a second click hears from the workflow what happened.
"""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from proteacher.accounts.decorators import roles_required
from proteacher.certification import workflow
from proteacher.certification.selectors import case_slots
from proteacher.errors import DomainError
from proteacher.posted import posted_revision
from proteacher.review import office
from proteacher.review.forms import AppealIntakeForm, DecisionForm, ExtendDeadlineForm, FormalReviewForm
from proteacher.review.selectors import case_for
from proteacher.review.views.office import OFFICE, render_case
from proteacher.text import clean_text


def shown_state(request) -> str | None:
    """The state the posted page showed (its hidden field), so that the workflow tells a second
    click, which finds the state moved on, from a page that is only out of date."""
    state = request.POST.get("state")
    return state if state in workflow.STATE_LABELS else None


def _is_current(case, request, route: str) -> bool:
    """The page was drawn from the case as it is now, and the state offers this user an action of `route`."""
    offered = {step.route for step, _ in workflow.available_actions(case, request.user)}
    return posted_revision(request.POST) == case.revision and route in offered


def _reason(form, valid: bool, request) -> str:
    """The 原因訊息 as the form read it; as posted (cleaned) when the form was refused, for the
    workflow to judge a stale page or a second click by."""
    if valid:
        return form.cleaned_data.get("reason", "")
    return clean_text(request.POST.get("reason", ""))


def _decide(request, case, *, route: str, form, form_name: str, to_fix: str, take: Callable):
    """`take(shown)` runs the service with the page's state and revision and returns (the moved
    case, the action taken)."""
    valid = form.is_valid()
    if not valid and _is_current(case, request, route):
        messages.error(request, to_fix)
        return render_case(request, case, status=400, **{form_name: form})
    shown = {"expected_state": shown_state(request), "expected_revision": posted_revision(request.POST)}
    try:
        moved, action = take(valid, shown)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return redirect("review:case", pk=case.pk)
    step = workflow.BY_ACTION[action]
    messages.success(request, f"{step.done.format(label=step.label)}目前狀態為「{workflow.label(moved.state)}」。")
    return redirect("review:case", pk=case.pk)


@roles_required(*OFFICE)
@require_POST
def formal_review(request, pk):
    """形式審查表 → 通過 (準備分發委員) or 退件 (退回再編輯修正)."""
    case = case_for(request.user, pk)
    form = FormalReviewForm(case_slots(case), request.POST)

    def take(valid, shown):
        # An invalid form on a stale page or a second click: the workflow says what happened.
        passed = form.passed if valid else True
        verdicts = form.slot_results() if valid else {}
        reason = form.cleaned_data.get("reason", "") if valid else ""
        record = office.formal_review(case, request.user, verdicts, passed, reason, **shown)
        return record.case, office.FORMAL[passed]

    to_fix = "形式審查表尚未填寫完整，請依提示修正後再送出。"
    return _decide(request, case, route="review:formal", form=form, form_name="formal_form", to_fix=to_fix, take=take)


@roles_required(*OFFICE)
@require_POST
def decide(request, pk):
    """One decision of the round's 判定 (action: first_pass … appeal_fail) with its 原因訊息."""
    case = case_for(request.user, pk)
    offered = [step for step, _ in workflow.available_actions(case, request.user) if step.route == "review:decide"]
    form = DecisionForm(offered, request.POST)

    def take(valid, shown):
        # A stale page, a second click or a decision of another state: the workflow refuses it by name.
        action = request.POST.get("action", "")
        return office.decide(case, request.user, action, _reason(form, valid, request), **shown), action

    to_fix = "判定尚未完成，請依提示修正後再送出。"
    return _decide(request, case, route="review:decide", form=form, form_name="decision_form", to_fix=to_fix, take=take)


@roles_required(*OFFICE)
@require_POST
def appeal_intake(request, pk):
    """申復審查 (受理中): 申復申請案受理 (將進行申復審查) or 申復申請案未受理."""
    case = case_for(request.user, pk)
    form = AppealIntakeForm(request.POST)

    def take(valid, shown):
        accept = valid and form.accepted
        moved = office.take_appeal(case, request.user, accept, _reason(form, valid, request), **shown)
        return moved, office.APPEAL_INTAKE[accept]

    to_fix = "請依提示修正後再送出。"
    return _decide(
        request, case, route="review:appeal_intake", form=form, form_name="appeal_form", to_fix=to_fix, take=take
    )


@roles_required(*OFFICE)
@require_POST
def extend_deadline(request, pk):
    """延長期限: one case's running deadline, later, with the reason (縣市 of its county, 管理者)."""
    case = case_for(request.user, pk)
    form = ExtendDeadlineForm(request.POST)

    def take(valid, shown):
        deadline = form.cleaned_data["deadline"] if valid else None
        return office.extend_deadline(
            case, request.user, deadline, _reason(form, valid, request), **shown
        ), office.EXTEND

    to_fix = "延長期限尚未填寫完整，請依提示修正後再送出。"
    return _decide(
        request, case, route="review:extend_deadline", form=form, form_name="extend_form", to_fix=to_fix, take=take
    )
