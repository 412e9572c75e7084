"""送審紀錄: what the teacher sent in each round, frozen (certification.submissions), and what
changed since the round before, side by side. The teacher, the office and the case's 委員 read
these (each what review.submitted lets them); what the office and the 委員 open of the forms and
files is recorded (certification.access_log)."""

from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from proteacher.accounts.models import Role
from proteacher.certification import submissions, workflow
from proteacher.certification.access_log import looked_at
from proteacher.certification.models import FormSlot
from proteacher.certification.selectors import template_title
from proteacher.certification.views import slot_online, slots
from proteacher.documents.catalogue import UnknownTemplate, get_template
from proteacher.review import submitted
from proteacher.review.selectors import case_for


def _submission(request, pk, number):
    case = case_for(request.user, pk)
    found = submitted.visible_submission(case, request.user, number)
    if found is None:
        raise Http404("沒有這次送審的紀錄。")
    return case, found


def _label(submission) -> str:
    round_label = workflow.ROUNDS.get(submission.round, "")
    return f"第{submission.number}次送審（{round_label}・{workflow.label_of(submission.action)}）"


@login_required
@require_safe
def submission_list(request, pk):
    case = case_for(request.user, pk)
    found = submitted.visible_submissions(case, request.user)
    sent = [
        {
            "submission": submission,
            "label": _label(submission),
            "rows": submitted.rows(case, submission),
            "previous": submitted.previous(case, request.user, submission, found),
        }
        for submission in reversed(found)
    ]
    return render(
        request,
        "review/submissions.html",
        {"case": case, "type": case.certification_type, "sent": sent, "is_teacher": request.user.role == Role.TEACHER},
    )


@login_required
@require_safe
def compare(request, pk, number):
    """This submission beside the one the round before reviewed, changed fields marked."""
    case, after = _submission(request, pk, number)
    before = submitted.previous(case, request.user, after)
    if before is None:
        raise Http404("這次送審沒有前一階段的資料可比較。")
    changes = submissions.changes(before, after)
    looked_at(request, case, f"送審紀錄比較：{_label(after)}", submission=after.number)
    return render(
        request,
        "review/compare.html",
        {
            "case": case,
            "type": case.certification_type,
            "before": before,
            "after": after,
            "before_label": _label(before),
            "after_label": _label(after),
            "changes": changes,
            "changed_count": sum(1 for change in changes if change.changed),
            "is_teacher": request.user.role == Role.TEACHER,
        },
    )


def _frozen(request, pk, number, slot_code):
    case, submission = _submission(request, pk, number)
    answer = submissions.answer_of(submission, slot_code)
    if answer is None:
        raise Http404("這次送審沒有此表單。")
    slot = FormSlot.objects.filter(certification_type_id=case.certification_type_id, code=slot_code).first()
    return case, answer, slot or SimpleNamespace(code=slot_code, label=answer.slot_label)


@xframe_options_sameorigin
@login_required
@require_safe
def submission_print(request, pk, number, slot_code):
    case, answer, slot = _frozen(request, pk, number, slot_code)
    try:
        template = get_template(answer.template_code, answer.template_version)
    except UnknownTemplate:
        raise Http404("此表單無法顯示。") from None
    if template.is_upload:
        raise Http404("此表單是上傳的檔案。")
    looked_at(request, case, template.title, slot=slot.code, submission=number)
    return slot_online.print_online(request, case, slot, template, answer, back_url="")


@xframe_options_sameorigin
@login_required
@require_safe
def submission_file(request, pk, number, slot_code):
    case, answer, slot = _frozen(request, pk, number, slot_code)
    if not answer.file:
        raise Http404("此表單沒有上傳的檔案。")
    title = template_title(answer.template_code, answer.template_version)
    looked_at(request, case, title, file=True, slot=slot.code, submission=number, file_name=answer.file_name)
    return slots.serve_file(request, answer)
