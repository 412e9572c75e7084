"""The page of an online form (表單 · 取消 / 儲存) and its printable view.

Called by views/slots.py, which has already checked that the case is the teacher's own (or, for
printing, visible to the user) and picked the template; the save is certification.answers', through
certification.drafts, which also keeps what is typed before 儲存 (自動儲存, views/slot_draft.py).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from proteacher.certification import answers, drafts
from proteacher.certification.views import signed_out
from proteacher.documents import engine
from proteacher.errors import DomainError
from proteacher.posted import posted_revision


def _form_url(case, slot, template) -> str:
    return f"{reverse('certification:slot_edit', args=[case.pk, slot.code])}?template={template.code}"


def _render(request, case, slot, template, answer, *, data, errors=None, revision, status=200, draft=None):
    reason = answers.readonly_reason(case)
    form = engine.form_for(template)
    context = {
        **(draft or {}),
        "case": case,
        "slot": slot,
        "template": template,
        "answer": answer,
        "editable": not reason,
        "readonly_reason": reason,
        "switch_notice": answers.switch_notice(case, slot, template, answer),
        "sections": form.bind(data, errors, editable=not reason),
        "error_list": form.error_list(errors or {}),
        "revision": revision,
        "form_url": _form_url(case, slot, template),
        "case_url": reverse("certification:case", args=[case.pk]),
        "draft_url": reverse("certification:slot_draft", args=[case.pk, slot.code]),
    }
    return render(request, "certification/slot_online_edit.html", context, status=status)


def _restore_kept_post(request, case, slot, template, answer) -> None:
    """A form posted after the session ended (views/signed_out.py) becomes the slot's draft."""
    kept = signed_out.take_post(request, case.pk, slot.code, template.code)
    if kept is None:
        return
    data = engine.validate(template, kept.post).data
    revision = posted_revision(kept.post)
    answer_revision = answer.revision if answer is not None else None
    drafts.keep(
        case, slot.code, template, data, base_revision=revision, answer_revision=answer_revision, saved_at=kept.at
    )


def _open(request, case, slot, template, answer):
    """The form as it was left: the saved answer, or the draft typed since (自動儲存). A draft made
    before another tab's save is offered (載入草稿), never put over the newer answer by itself."""
    saved_revision = answer.revision if answer is not None else 0
    data = answer.data if answer is not None else engine.initial_data(template, observer=case.teacher.header_name)
    draft = None
    if not answers.readonly_reason(case):
        _restore_kept_post(request, case, slot, template, answer)
        draft = drafts.draft_of(case, slot.code, template.code)
    shown = {}
    if draft is not None and answer is not None and draft.data == answer.data:
        draft = None  # nothing in it that is not saved (a draft that arrived just after its 儲存)
    if draft is not None:
        time = drafts.time_of(draft.saved_at)
        if drafts.is_current(draft, answer, template):
            data, shown["draft_notice"] = draft.data, drafts.LOADED.format(time=time)
        elif request.GET.get("draft") == "load":
            data, shown["draft_notice"] = draft.data, drafts.LOADED_OVER_NEWER.format(time=time)
            shown["saved_url"] = _form_url(case, slot, template)
        else:
            shown["draft_offer"] = drafts.OFFERED.format(time=time)
            shown["draft_load_url"] = f"{_form_url(case, slot, template)}&draft=load"
    return _render(request, case, slot, template, answer, data=data, revision=saved_revision, draft=shown)


def edit_online(request, case, slot, template, answer):
    saved_revision = answer.revision if answer is not None else 0
    if request.method != "POST":
        return _open(request, case, slot, template, answer)

    reason = answers.readonly_reason(case)
    if reason:
        messages.error(request, reason)
        return redirect(_form_url(case, slot, template))

    data, missing, errors = engine.validate(template, request.POST)
    revision = posted_revision(request.POST)
    shown_revision = request.POST.get("revision", saved_revision)
    if request.POST.get("action") == "layout":
        # 套用座位表: draw the chart at its new size with everything typed, nothing saved yet.
        return _render(request, case, slot, template, answer, data=data, errors=errors, revision=shown_revision)
    if errors:
        return _render(request, case, slot, template, answer, data=data, errors=errors, revision=shown_revision)
    try:
        drafts.save_form(
            case, slot, template, data=data, is_complete=not missing, expected_revision=revision, known=answer
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _render(request, case, slot, template, answer, data=data, revision=shown_revision, status=409)
    if missing:
        messages.warning(request, f"已儲存。尚未填寫：{'、'.join(missing)}")
    else:
        messages.success(request, "已儲存。")
    return redirect(_form_url(case, slot, template))


def print_online(request, case, slot, template, answer, back_url=None):
    form = engine.form_for(template)
    if back_url is None and case.teacher_id == request.user.pk:
        # The school's 推薦表 has no form of the teacher's to go back to: 流程進度 instead.
        own_form = not slot.is_filled_by_school
        back_url = _form_url(case, slot, template) if own_form else reverse("certification:case", args=[case.pk])
    elif back_url is None:
        back_url = ""
    context = {
        "case": case,
        "slot": slot,
        "template": template,
        "answer": answer,
        "sections": form.bind(answer.data, editable=False),
        "editable": False,
        "back_url": back_url,
    }
    return render(request, "certification/slot_online_print.html", context)
