"""An issued case's certificate on the office's case page: its PDF (縣市 of its county, 管理者) and
撤銷證書 / 恢復證書 (管理者 alone)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.certification import certificate_pdf, certificate_services, workflow
from proteacher.certification.access_log import looked_at
from proteacher.certification.selectors import certificate_of_case
from proteacher.errors import DomainError
from proteacher.posted import posted_revision
from proteacher.review.certificate_forms import CertificateStatusForm
from proteacher.review.selectors import case_for
from proteacher.review.views.decisions import shown_state
from proteacher.review.views.office import OFFICE, render_case

CERTIFICATE_TITLE = "證書 PDF"
TO_FIX = "撤銷或恢復證書尚未填寫完整，請依提示修正後再送出。"


@roles_required(*OFFICE)
@require_safe
def certificate_download(request, pk):
    case = case_for(request.user, pk)
    certificate = certificate_of_case(case)
    try:
        response = certificate_pdf.download(certificate)
    except DomainError as problem:
        messages.error(request, problem.message)
        return redirect("review:case", pk=case.pk)
    # A look at the teacher's document, listed in their 檢視紀錄 like a form or file.
    looked_at(request, case, CERTIFICATE_TITLE, file=True, certificate=certificate.number)
    return response


@roles_required(Role.ADMIN)
@require_POST
def certificate_status(request, pk):
    """撤銷證書 (a reason category and a 原因訊息) or 恢復證書 (a 原因訊息)."""
    case = case_for(request.user, pk)
    form = CertificateStatusForm(request.POST)
    shown = {"expected_state": shown_state(request), "expected_revision": posted_revision(request.POST)}
    current = posted_revision(request.POST) == case.revision
    if not form.is_valid():
        if current:
            messages.error(request, TO_FIX)
            return render_case(request, case, certificate_form=form, status=400)
        messages.error(request, workflow.STALE_PAGE)
        return redirect("review:case", pk=case.pk)
    data = form.cleaned_data
    try:
        if data["action"] == "revoke":
            moved = certificate_services.revoke(case, request.user, data["category"], data["reason"], **shown)
        else:
            moved = certificate_services.restore(case, request.user, data["reason"], **shown)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return redirect("review:case", pk=case.pk)
    step = workflow.BY_ACTION[data["action"]]
    messages.success(request, f"{step.done}目前狀態為「{workflow.label(moved.state)}」。")
    return redirect("review:case", pk=case.pk)
