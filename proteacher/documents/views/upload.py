"""An upload slot's page (表單: download the blank, upload the stamped PDF) and the stored PDF."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from proteacher.certification.models import SlotAnswer
from proteacher.certification.workflow import EDITABLE_STATES
from proteacher.documents import blanks, pdf_rules
from proteacher.documents.services import discard_answer, ensure_editable, save_answer
from proteacher.errors import DomainError
from proteacher.posted import posted_revision

SAVE, REMOVE = "save", "remove"
ANOTHER_TEMPLATE = "「{slot}」已填寫其他表件，請先於流程進度頁變更表件後再上傳。"
NOTHING_TO_REMOVE = "目前沒有已上傳的檔案。"
STALE = "此表單已在其他視窗儲存過，請重新開啟後再修改，以免覆蓋較新的內容。"


def _page_url(case, slot, template) -> str:
    # The template is named in the address so the page still knows it after the file is removed.
    return f"{reverse('certification:slot_edit', args=[case.pk, slot.code])}?template={template.code}"


def _file_rules(template) -> tuple[int, int]:
    rules = template.definition.get("file_rules", {})
    return int(rules.get("max_bytes", pdf_rules.MAX_BYTES)), int(rules.get("max_files", pdf_rules.MAX_FILES))


def _save(request, case, slot, template, answer) -> str:
    max_bytes, max_files = _file_rules(template)
    files = request.FILES.getlist("file")
    if not files and answer is not None and answer.file:
        # 儲存 without a new file keeps the saved one: nothing to change.
        return f"已儲存「{template.title}」。"
    upload = pdf_rules.check_pdf(files, max_bytes=max_bytes, max_files=max_files)
    if answer is None and SlotAnswer.objects.filter(case=case, slot_code=slot.code).exists():
        raise DomainError(ANOTHER_TEMPLATE.format(slot=slot.label))
    replaced = answer.file.name if answer is not None and answer.file else None
    expected = posted_revision(request.POST) if answer is not None else None
    saved = save_answer(
        case,
        slot,
        template,
        is_complete=True,
        expected_revision=expected,
        file=pdf_rules.stored_file(upload),
        file_name=pdf_rules.display_name(upload.name),
    )
    if replaced and replaced != saved.file.name:
        # The row now names the new file; the old one is referenced by nothing.
        saved.file.storage.delete(replaced)
    return f"已儲存「{template.title}」。"


def _remove(request, case, slot, template, answer) -> str:
    if answer is None or not answer.file:
        raise DomainError(NOTHING_TO_REMOVE)
    if posted_revision(request.POST) != answer.revision:
        raise DomainError(STALE)
    # An upload answer is its file alone: removing the file empties the slot (新增 again).
    discard_answer(case, slot)
    return f"已取消上傳「{answer.file_name}」。"


def edit_upload(request, case, slot, template, answer):
    """GET shows the form; POST 儲存 checks and saves the PDF, POST remove takes it away.

    A refused file leaves the saved answer exactly as it was, and the page shows it again.
    """
    if request.method == "POST":
        action = request.POST.get("action", SAVE)
        try:
            ensure_editable(case)
            done = _remove if action == REMOVE else _save
            message = done(request, case, slot, template, answer)
        except DomainError as error:
            status = 403 if case.state not in EDITABLE_STATES else 400
            # Show what is stored now, not what the refused request hoped for.
            answer = SlotAnswer.objects.filter(case=case, slot_code=slot.code, template_code=template.code).first()
            return _render(request, case, slot, template, answer, error=error.message, status=status)
        messages.success(request, message)
        return redirect(_page_url(case, slot, template))
    return _render(request, case, slot, template, answer)


def _render(request, case, slot, template, answer, error: str = "", status: int = 200):
    max_bytes, max_files = _file_rules(template)
    definition = template.definition
    context = {
        "case": case,
        "slot": slot,
        "template": template,
        "answer": answer if answer is not None and answer.file else None,
        "editable": case.state in EDITABLE_STATES,
        "error": error,
        "download_label": definition.get("download_label", f"{template.title} 表格下載"),
        "upload_label": definition.get("upload_label", "上傳用印完成紙本文件"),
        "size_rule": pdf_rules.rules_label(max_bytes),
        "count_rule": "附件總數為一個檔案" if max_files == 1 else f"附件總數為{max_files}個檔案",
        "blank_links": [
            (fmt, blanks.FORMAT_NAMES[fmt], reverse("documents:blank", args=[template.code, fmt]))
            for fmt in blanks.CONTENT_TYPES
        ]
        if blanks.has_blank(template)
        else [],
        "guide_url": pdf_rules.OFFICE_PDF_GUIDE_URL,
        "page_url": _page_url(case, slot, template),
    }
    return render(request, "documents/upload_edit.html", context, status=status)


@require_safe
def serve_file(request, case, slot, answer):
    """The stored PDF, shown in the browser's viewer; the caller has already scoped the case."""
    try:
        handle = answer.file.open("rb")
    except FileNotFoundError:
        raise Http404("找不到此檔案。") from None
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=False, filename=answer.file_name or "文件.pdf"
    )
    # Teachers' signed documents: never kept by shared caches or proxies.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
