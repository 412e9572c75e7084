"""A slot's form page: one URL for every template, online or upload."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.clickjacking import xframe_options_sameorigin

from proteacher.accounts.decorators import teacher_required
from proteacher.certification.models import SlotAnswer
from proteacher.certification.selectors import case_for, own_case_for, slot_of
from proteacher.documents.catalogue import FormTemplate, UnknownTemplate, get_template
from proteacher.documents.views import online, upload


def _template_for(request, slot, answer) -> FormTemplate:
    """The template the page is about: the one asked for (a new choice), else the saved one."""
    wanted = request.POST.get("template") or request.GET.get("template")
    try:
        if answer is not None and (not wanted or wanted == answer.template_code):
            return get_template(answer.template_code, answer.template_version)
        if wanted and wanted in slot.template_codes:
            return get_template(wanted)
    except UnknownTemplate:
        pass
    raise Http404("沒有這個表件。")


@teacher_required
def edit_slot(request, pk, slot_code):
    case = own_case_for(request.user, pk)
    slot = slot_of(case, slot_code)
    answer = SlotAnswer.objects.filter(case=case, slot_code=slot.code).first()
    template = _template_for(request, slot, answer)
    if answer is not None and answer.template_code != template.code:
        # Another template's answer fills this slot; it is discarded only through 變更表件.
        answer = None
    view = upload.edit_upload if template.is_upload else online.edit_online
    return view(request, case, slot, template, answer)


# The office's and reviewers' case pages show forms and PDFs inside the page (an <iframe>);
# other sites still may not frame them.
@xframe_options_sameorigin
@login_required
def print_slot(request, pk, slot_code):
    case = case_for(request.user, pk)
    slot = slot_of(case, slot_code)
    answer = SlotAnswer.objects.filter(case=case, slot_code=slot.code).first()
    if answer is None or answer.template_code and get_template(answer.template_code).is_upload:
        raise Http404("此表單尚未填寫。")
    return online.print_online(request, case, slot, get_template(answer.template_code, answer.template_version), answer)


@xframe_options_sameorigin
@login_required
def slot_file(request, pk, slot_code):
    case = case_for(request.user, pk)
    slot = slot_of(case, slot_code)
    answer = SlotAnswer.objects.filter(case=case, slot_code=slot.code).exclude(file="").first()
    if answer is None:
        raise Http404("此表單沒有上傳的檔案。")
    return upload.serve_file(request, case, slot, answer)
