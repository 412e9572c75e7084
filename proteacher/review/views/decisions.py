"""The office's decisions: 初審判定 / 複審判定 / 申復判定, and 申復申請案 受理 / 未受理."""

from django.contrib import messages
from django.views.decorators.http import require_POST

from proteacher.accounts.decorators import roles_required
from proteacher.certification import workflow
from proteacher.errors import DomainError
from proteacher.posted import posted_revision
from proteacher.review import office
from proteacher.review.forms import AppealIntakeForm, DecisionForm
from proteacher.review.selectors import case_for
from proteacher.review.views.office import OFFICE, done, is_current, refused, render_case, shown_state


@roles_required(*OFFICE)
@require_POST
def decide(request, pk):
    """One decision of the round's 判定 (action: first_pass … appeal_fail) with its 原因訊息."""
    case = case_for(request.user, pk)
    offered = [step for step, _ in workflow.available_actions(case, request.user) if step.route == "review:decide"]
    form = DecisionForm(offered, request.POST)
    if not form.is_valid() and is_current(case, request, "review:decide"):
        messages.error(request, "判定尚未完成，請依提示修正後再送出。")
        return render_case(request, case, decision_form=form, status=400)
    # A stale page, a second click or a decision of another state: the workflow refuses it by name.
    action = request.POST.get("action", "")
    try:
        moved = office.decide(
            case,
            request.user,
            action,
            request.POST.get("reason", ""),
            expected_state=shown_state(request),
            expected_revision=posted_revision(request.POST),
        )
    except DomainError as error:
        return refused(request, case, error)
    step = workflow.BY_ACTION[action]
    return done(request, moved, step.done.format(label=step.label))


@roles_required(*OFFICE)
@require_POST
def appeal_intake(request, pk):
    """申復審查 (受理中): 申復申請案受理 (將進行申復審查) or 申復申請案未受理."""
    case = case_for(request.user, pk)
    form = AppealIntakeForm(request.POST)
    valid = form.is_valid()
    if not valid and is_current(case, request, "review:appeal_intake"):
        messages.error(request, "請依提示修正後再送出。")
        return render_case(request, case, appeal_form=form, status=400)
    accept = valid and form.accepted
    try:
        moved = office.take_appeal(
            case,
            request.user,
            accept,
            request.POST.get("reason", ""),
            expected_state=shown_state(request),
            expected_revision=posted_revision(request.POST),
        )
    except DomainError as error:
        return refused(request, case, error)
    return done(request, moved, workflow.BY_ACTION[office.APPEAL_INTAKE[accept]].done)
