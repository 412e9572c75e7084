"""An upload slot's page (表單: download the blank, upload the stamped PDF): the rules live in
certification.answers and documents.pdf_rules."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from proteacher.certification import answers
from proteacher.certification.models import SlotAnswer
from proteacher.documents import blanks, pdf_rules
from proteacher.errors import DomainError
from proteacher.posted import posted_revision

REMOVE = "remove"


def _page_url(case, slot, template) -> str:
    # The template is named in the address so the page still knows it after the file is removed.
    return f"{reverse('certification:slot_edit', args=[case.pk, slot.code])}?template={template.code}"


def edit_upload(request, case, slot, template, answer):
    """GET shows the form; POST 儲存 checks and saves the PDF, POST remove takes it away.

    A refused file leaves the saved answer exactly as it was, and the page shows it again.
    """
    if request.method != "POST":
        return _render(request, case, slot, template, answer)
    revision = posted_revision(request.POST)
    try:
        if request.POST.get("action") == REMOVE:
            name = answers.remove_upload(case, slot, template, expected_revision=revision)
            message = f"已取消上傳「{name}」。"
        else:
            answers.save_upload(case, slot, template, request.FILES.getlist("file"), expected_revision=revision)
            message = f"已儲存「{template.title}」。"
    except DomainError as error:
        status = 403 if answers.readonly_reason(case) else 400
        # Show what is stored now, not what the refused request hoped for.
        answer = SlotAnswer.objects.filter(case=case, slot_code=slot.code, template_code=template.code).first()
        return _render(request, case, slot, template, answer, error=error.message, status=status)
    messages.success(request, message)
    return redirect(_page_url(case, slot, template))


def _render(request, case, slot, template, answer, error: str = "", status: int = 200):
    max_bytes, max_files = pdf_rules.file_rules(template)
    definition = template.definition
    context = {
        "case": case,
        "slot": slot,
        "template": template,
        "answer": answer if answer is not None and answer.file else None,
        "editable": not answers.readonly_reason(case),
        "error": error,
        "switch_notice": answers.switch_notice(case, slot, template, answer),
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
    return render(request, "certification/slot_upload_edit.html", context, status=status)
