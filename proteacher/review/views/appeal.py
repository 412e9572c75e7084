"""認證審查結果申復表 (申覆文件): the teacher fills it and saves it as a draft, then presses 申復 on
流程進度 within the window; afterwards the teacher and the office read it (and its PDF) here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from proteacher.accounts.models import Role
from proteacher.certification import workflow
from proteacher.certification.access_log import looked_at
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
    """GET: the 申覆文件 to fill (the teacher, while 申復 is open) or the filed appeal (teacher and
    office); POST: 儲存 (the teacher), a draft that 申復 on 流程進度 files."""
    if request.method == "POST":
        if request.user.role != Role.TEACHER:
            raise PermissionDenied
        return _save(request, own_case_for(request.user, pk))
    case = case_for(request.user, pk)
    if case.teacher_id == request.user.pk and case.state in workflow.APPEALABLE_STATES:
        problem = workflow.unavailable_reason(case, "appeal", request.user)
        if problem:
            return _refused(request, case, problem, status=409)
        draft = appeals.draft_of(case)
        if request.GET.get("draft_file"):
            if draft is None or not draft.file:
                raise Http404("申覆文件沒有上傳的檔案。")
            return serve_file(request, draft)
        data = draft.data if draft is not None else appeals.initial_data(case)
        return _render_form(request, case, data, draft=draft)
    return _filed(request, case)


def _render_form(request, case, data, *, draft, errors=None, error="", revision=None, status=200):
    template = appeals.template_of(draft) if draft is not None else appeals.appeal_template()
    form = engine.form_for(template)
    context = {
        "case": case,
        "type": case.certification_type,
        "template": template,
        "draft": draft,
        "revision": (draft.revision if draft is not None else 0) if revision is None else revision,
        "sections": form.bind(data, errors, editable=True),
        "error_list": form.error_list(errors or {}),
        "error": error,
        "deadline": format_deadline(case.appeal_deadline) if case.appeal_deadline else "",
        "size_rule": pdf_rules.rules_label(),
        "guide_url": pdf_rules.OFFICE_PDF_GUIDE_URL,
        "case_url": reverse("certification:case", args=[case.pk]),
    }
    return render(request, "review/appeal.html", context, status=status)


def _refused(request, case, message: str, *, status: int):
    """申復 or its 儲存 refused (the window closed, the case moved on, a stale page): a 4xx page
    that says why and leads back to 流程進度; nothing changed."""
    context = {"case": case, "type": case.certification_type, "message": message}
    return render(request, "review/appeal_refused.html", context, status=status)


def _save(request, case):
    """儲存: the form as typed is kept as the draft, complete or not; a refused PDF or a bad
    answer shows the form again as typed."""
    data, _, errors = engine.validate(appeals.appeal_template(), request.POST)
    draft = appeals.draft_of(case)
    revision = request.POST.get("revision")
    if errors:
        return _render_form(request, case, data, draft=draft, errors=errors, revision=revision, status=400)
    try:
        saved = appeals.save_draft(
            case,
            request.user,
            data=data,
            uploads=request.FILES.getlist("file"),
            expected_revision=posted_revision(request.POST),
        )
    except appeals.AppealFormIncomplete as error:
        return _render_form(request, case, data, draft=draft, error=error.message, revision=revision, status=400)
    except DomainError as error:
        if case.state in workflow.APPEALABLE_STATES and not workflow.unavailable_reason(case, "appeal", request.user):
            # Another tab saved first: the form again, as typed, to copy from.
            return _render_form(request, case, data, draft=draft, error=error.message, revision=revision, status=409)
        return _refused(request, case, error.message, status=409)
    if saved.is_complete:
        messages.success(request, appeals.saved_message(case))
    else:
        missing = engine.missing_labels(appeals.template_of(saved), saved.data)
        messages.warning(request, f"已儲存。尚未填寫：{'、'.join(missing)}")
    return redirect("certification:case", pk=case.pk)


@login_required
@require_POST
def send(request, pk):
    """申復 on 流程進度: files the saved 申覆文件; refused with a 4xx page saying why."""
    if request.user.role != Role.TEACHER:
        raise PermissionDenied
    case = own_case_for(request.user, pk)
    try:
        appeals.file_appeal(case, request.user, expected_revision=posted_revision(request.POST))
    except appeals.AppealFormIncomplete as error:
        return _refused(request, case, error.message, status=400)
    except DomainError as error:
        return _refused(request, case, error.message, status=409)
    messages.success(request, workflow.BY_ACTION["appeal"].done)
    return redirect("certification:case", pk=case.pk)


def _filed(request, case):
    """The appeal as filed, read-only; ?file=1 opens its PDF."""
    filed = Appeal.objects.filed().filter(case=case).first()
    if filed is None:
        messages.info(request, "此申請沒有申復資料。")
        return redirect("certification:case", pk=case.pk)
    template = appeals.template_of(filed)
    if request.GET.get("file"):
        if not filed.file:
            raise Http404("此申復沒有上傳的檔案。")
        looked_at(request, case, template.title, file=True, appeal=filed.pk, file_name=filed.file_name)
        return serve_file(request, filed)
    looked_at(request, case, template.title, appeal=filed.pk)
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
