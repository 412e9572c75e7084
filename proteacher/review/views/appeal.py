"""認證審查結果申復表: the teacher fills it and presses 申復 within the window; afterwards the
teacher and the office read it (and its PDF) here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from proteacher.accounts.models import Role
from proteacher.certification import workflow
from proteacher.certification.deadlines import format_deadline
from proteacher.certification.selectors import case_for, own_case_for
from proteacher.certification.views.slots import serve_file
from proteacher.documents import engine, pdf_rules
from proteacher.errors import DomainError
from proteacher.posted import posted_revision
from proteacher.review import appeals
from proteacher.review.models import Appeal


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request, pk):
    """GET: the 申復表 to fill (the teacher, while 申復 is open) or the filed appeal (teacher and
    office); POST: 申復 (the teacher)."""
    if request.method == "POST":
        if request.user.role != Role.TEACHER:
            raise PermissionDenied
        return _file(request, own_case_for(request.user, pk))
    case = case_for(request.user, pk)
    if case.teacher_id == request.user.pk and case.state in workflow.APPEALABLE_STATES:
        problem = workflow.unavailable_reason(case, "appeal", request.user)
        if problem:
            messages.error(request, problem)
            return redirect("certification:case", pk=case.pk)
        return _render_form(request, case, appeals.initial_data(case))
    return _filed(request, case)


def _render_form(request, case, data, errors=None, status=200):
    template = appeals.appeal_template()
    form = engine.form_for(template)
    context = {
        "case": case,
        "type": case.certification_type,
        "template": template,
        "sections": form.bind(data, errors, editable=True),
        "error_list": form.error_list(errors or {}),
        "deadline": format_deadline(case.appeal_deadline) if case.appeal_deadline else "",
        "size_rule": pdf_rules.rules_label(),
        "guide_url": pdf_rules.OFFICE_PDF_GUIDE_URL,
        "case_url": reverse("certification:case", args=[case.pk]),
    }
    return render(request, "review/appeal.html", context, status=status)


def _file(request, case):
    """申復: refused (wrong state, window closed, stale page, double click) with the reason and no
    change; a form that needs fixing is shown again with what was typed."""
    problem = workflow.unavailable_reason(case, "appeal", request.user)
    if problem:
        messages.error(request, problem)
        return redirect("certification:case", pk=case.pk)
    data, _, errors = engine.validate(appeals.appeal_template(), request.POST)
    if errors:
        return _render_form(request, case, data, errors, status=400)
    try:
        appeals.file_appeal(
            case,
            request.user,
            data=data,
            uploads=request.FILES.getlist("file"),
            expected_revision=posted_revision(request.POST),
        )
    except appeals.AppealFormIncomplete as error:
        # A missing answer or a refused PDF: the form again, as typed (the file is chosen again).
        messages.error(request, error.message)
        return _render_form(request, case, data, status=400)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("certification:case", pk=case.pk)
    messages.success(request, workflow.BY_ACTION["appeal"].done)
    return redirect("certification:case", pk=case.pk)


def _filed(request, case):
    """The appeal as filed, read-only; ?file=1 opens its PDF."""
    filed = Appeal.objects.filter(case=case).first()
    if filed is None:
        messages.info(request, "此申請沒有申復資料。")
        return redirect("certification:case", pk=case.pk)
    if request.GET.get("file"):
        if not filed.file:
            raise Http404("此申復沒有上傳的檔案。")
        return serve_file(request, filed)
    template = appeals.template_of(filed)
    context = {
        "case": case,
        "type": case.certification_type,
        "template": template,
        "appeal": filed,
        "sections": engine.bound_sections(template, filed.data, editable=False),
        "file_url": f"{reverse('review:appeal', args=[case.pk])}?file=1" if filed.file else "",
        "case_url": reverse("certification:case", args=[case.pk]),
    }
    return render(request, "review/appeal_filed.html", context)
