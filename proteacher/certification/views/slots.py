"""A slot's pages: the form (one URL for every template, online or upload), its print view, and
the stored PDF. The teacher edits their own; the office reads any case of its scope, and each of
its looks is recorded (certification.access_log)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from proteacher.accounts.decorators import teacher_required
from proteacher.certification import answers
from proteacher.certification.access_log import looked_at
from proteacher.certification.models import SlotAnswer
from proteacher.certification.selectors import (
    answer_in_use,
    answer_with,
    case_for,
    own_case_with_slot_answers,
    slot_of,
    template_title,
)
from proteacher.certification.views import signed_out, slot_online, slot_upload
from proteacher.documents.catalogue import FormTemplate, UnknownTemplate, get_template

CHOOSE_TEMPLATE = "請先於「{slot}」的下拉式選單選擇表件，再按「新增」。"


def _template_for(request, slot, answer) -> FormTemplate:
    """The template the page is about: the one asked for (a new choice, or one set aside), else
    the one in use."""
    wanted = request.POST.get("template") or request.GET.get("template")
    if not wanted and answer is None and len(slot.template_codes) == 1:
        # Only one form to choose: a link to the slot (送出審查文件's list of what is missing) opens it.
        wanted = slot.template_codes[0]
    try:
        if answer is not None and (not wanted or wanted == answer.template_code):
            return get_template(answer.template_code, answer.template_version)
        if wanted and wanted in slot.template_codes:
            return get_template(wanted)
    except UnknownTemplate:
        pass
    raise Http404("沒有這個表件。")


@signed_out.keeps_post_when_signed_out
@teacher_required
def edit_slot(request, pk, slot_code):
    case, found = own_case_with_slot_answers(request.user, pk, slot_code)
    slot = slot_of(case, slot_code)
    if slot.is_filled_by_school:
        # The school's 推薦表: the teacher reads it on 流程進度 (檢視), and neither opens nor posts its form.
        messages.error(request, answers.SCHOOL_FILLS.format(slot=slot.label))
        return redirect("certification:case", pk=case.pk)
    in_use = next((a for a in found if a.in_use), None)
    if (
        in_use is None
        and len(slot.template_codes) > 1
        and not (request.POST.get("template") or request.GET.get("template"))
    ):
        # A link to an empty slot with several forms to choose from: the choice is on 流程進度.
        messages.info(request, CHOOSE_TEMPLATE.format(slot=slot.label))
        return redirect("certification:case", pk=case.pk)
    template = _template_for(request, slot, in_use)
    # This template's answer, in use or set aside (then 儲存 makes it the slot's answer again).
    answer = next((a for a in found if a.template_code == template.code), None)
    if answer is not None and answer.template_version != template.version:
        template = get_template(answer.template_code, answer.template_version)
    view = slot_upload.edit_upload if template.is_upload else slot_online.edit_online
    return view(request, case, slot, template, answer)


# The office's case page shows forms and PDFs inside the page (an <iframe>); other sites still
# may not frame them.
@xframe_options_sameorigin
@login_required
def print_slot(request, pk, slot_code):
    case = case_for(request.user, pk)
    slot = slot_of(case, slot_code)
    return print_answer(request, case, slot, _own_answer(request, case, slot))


@xframe_options_sameorigin
@login_required
def slot_file(request, pk, slot_code):
    case = case_for(request.user, pk)
    slot = slot_of(case, slot_code)
    return file_of(request, case, slot, _own_answer(request, case, slot))


def _own_answer(request, case, slot) -> SlotAnswer | None:
    """?template= on the teacher's own case: that template's answer, also one set aside."""
    wanted = request.GET.get("template")
    if not wanted or case.teacher_id != request.user.pk:
        return None
    return answer_with(case, slot, wanted)


def print_answer(request, case, slot, answer: SlotAnswer | None = None):
    """The print view of a slot's online form (the one in use unless given); the caller has
    already scoped the case."""
    answer = answer or answer_in_use(case, slot)
    if answer is None or answer.template_code and get_template(answer.template_code).is_upload:
        raise Http404("此表單尚未填寫。")
    template = get_template(answer.template_code, answer.template_version)
    looked_at(request, case, template.title, slot=slot.code)
    return slot_online.print_online(request, case, slot, template, answer)


def file_of(request, case, slot, answer: SlotAnswer | None = None):
    """A slot's stored PDF (the one in use unless given); the caller has already scoped the case."""
    answer = answer or answer_in_use(case, slot)
    if answer is None or not answer.file:
        raise Http404("此表單沒有上傳的檔案。")
    title = template_title(answer.template_code, answer.template_version)
    looked_at(request, case, title, file=True, slot=slot.code, file_name=answer.file_name)
    return serve_file(request, answer)


@require_safe
def serve_file(request, record):
    """A stored PDF (a slot's or a 申復表's), shown in the browser's viewer; the caller has
    already scoped the case."""
    try:
        handle = record.file.open("rb")
    except FileNotFoundError:
        raise Http404("找不到此檔案。") from None
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=False, filename=record.file_name or "文件.pdf"
    )
    # Teachers' signed documents: never kept by shared caches or proxies.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Whatever a file holds (one stored before uploads were rewritten, say), it runs no script in
    # the platform's origin.
    response["Content-Security-Policy"] = "sandbox"
    return response
